import Foundation
import PostgresNIO

/// A fleet's share of the work: each due feed is polled by one daemon at a time. A daemon
/// claims due feeds with a lease — claims take turns under an advisory lock (a claim is a
/// few milliseconds, and only then are a host's claims counted exactly: two daemons asking
/// at the same moment get different feeds, and the host limit holds), renews the leases
/// of what it is still polling, and gives each back with its next due time when done. A
/// daemon that dies stops renewing: its claims run out with their lease and another takes
/// them. The database's rows decide, never timing between daemons.
///
/// `now` is passed in (whole seconds, as the store keeps times) so tests can move time.
extension PostgresStore {
    public struct Claim: Sendable, Equatable {
        public var feedID: Int64
        public var url: String
        public var until: Date
        public var host: String? = nil
        /// When the request may start: later than the claim when host-spacing= asks the
        /// host's previous request (by any daemon) to be that far back.
        public var startAt: Date? = nil
    }

    /// How a daemon claims: fleet-wide politeness and its own capacity.
    public struct ClaimRules: Sendable {
        public var lease: TimeInterval
        /// How many feeds at most this claim takes (the daemon's free slots).
        public var limit: Int
        /// Claims held on one host at once, by every daemon together (max-per-host=).
        public var maximumPerHost = Int.max
        /// Seconds between request starts to a host, fleet-wide (host-spacing=), by host.
        public var spacing: @Sendable (String?) -> Double = { _ in 0 }
        /// The feeds.conf generation the daemon polls: nothing is claimed under another.
        public var generation: Int64?
        /// A feed whose host's next start is further ahead than this is left for later.
        public var horizon: TimeInterval = 2

        public init(lease: TimeInterval, limit: Int, maximumPerHost: Int = .max, generation: Int64? = nil,
                    spacing: @escaping @Sendable (String?) -> Double = { _ in 0 }) {
            self.lease = lease
            self.limit = limit
            self.maximumPerHost = maximumPerHost
            self.generation = generation
            self.spacing = spacing
        }
    }

    /// What a claim found.
    public struct ClaimBatch: Sendable {
        public var claims: [Claim] = []
        /// The fleet's feeds.conf generation, when it is not the one the rules named.
        public var otherGeneration: Int64?
        /// When the next feed nobody holds falls due (to sleep until then).
        public var nextDue: Date?
    }

    /// Up to `limit` feeds due at `now` that nobody holds (or whose holder's lease ran out),
    /// now held by `daemon` until `now + lease`.
    public func claimDueFeeds(daemon: String, now: Date, lease: TimeInterval, limit: Int) async throws -> [Claim] {
        try await claimDueFeeds(daemon: daemon, now: now, rules: ClaimRules(lease: lease, limit: limit)).claims
    }

    /// Due feeds claimed by `daemon` under `rules`, in one transaction that every daemon's
    /// claim takes in turn (an advisory lock: a claim is a few milliseconds, and counting
    /// a host's claims is only exact if no other claim runs meanwhile). Leaves out feeds
    /// whose host asked to wait (Retry-After, any daemon's poll), hosts that already have
    /// `maximumPerHost` claims, and hosts whose next start by host-spacing is beyond the
    /// horizon; the rest are given their start times.
    public func claimDueFeeds(daemon: String, now: Date, rules: ClaimRules) async throws -> ClaimBatch {
        var batch = ClaimBatch()
        let nowSeconds = Self.seconds(now)
        try await transaction {
            try await self.run("SELECT pg_advisory_xact_lock(4242002)")
            if let generation = rules.generation, let fleet = try await self.fleetGeneration(), fleet != generation {
                batch.otherGeneration = fleet
                return
            }
            var binds = PostgresBindings()
            binds.append(nowSeconds)
            binds.append(Int64(min(rules.maximumPerHost, 1_000_000)))
            binds.append(Int64(rules.limit))
            // The earliest due, read in order through feed_due and only so many: a claim
            // costs the same with 10 due feeds or 100,000 (the cold start). Hosts past
            // their limit among those wait for a later claim.
            binds.append(Int64(max(rules.limit * 8, 256)))
            var candidates: [(id: Int64, url: String, host: String?)] = []
            for try await row in try await self.connection.query(PostgresQuery(unsafeSQL: """
                WITH busy AS (
                    SELECT host, count(*) AS held FROM feed
                    WHERE claimedBy IS NOT NULL AND claimUntil >= $1 GROUP BY host),
                earliest AS (
                    SELECT id, url, host, nextDueAt FROM feed
                    WHERE inConfig = 1 AND (nextDueAt IS NULL OR nextDueAt <= $1)
                      AND (claimUntil IS NULL OR claimUntil < $1)
                      AND NOT (goneForKey IS NOT NULL AND goneForKey IS NOT DISTINCT FROM configKey)
                    ORDER BY nextDueAt NULLS FIRST, id
                    LIMIT $4),
                due AS (
                    SELECT e.*, row_number() OVER (PARTITION BY host ORDER BY nextDueAt NULLS FIRST, id) AS turn
                    FROM earliest e
                    WHERE NOT EXISTS (SELECT 1 FROM host_pause p WHERE p.host = e.host AND p.untilAt > $1))
                SELECT d.id, d.url, d.host FROM due d LEFT JOIN busy b ON b.host IS NOT DISTINCT FROM d.host
                WHERE d.turn + coalesce(b.held, 0) <= $2
                ORDER BY d.nextDueAt NULLS FIRST, d.id
                LIMIT $3
                """, binds: binds), logger: self.logger).decode((Int64, String, String?).self) {
                candidates.append((row.0, row.1, row.2))
            }
            // host-spacing=: each claimed request starts no sooner than the host's slot.
            let spaced = Set(candidates.compactMap { candidate in candidate.host.flatMap { rules.spacing($0) > 0 ? $0 : nil } })
            var slots: [String: Double] = [:]
            if !spaced.isEmpty {
                var hostBinds = PostgresBindings()
                hostBinds.append(Array(spaced))
                for try await (host, next) in try await self.connection.query(PostgresQuery(
                    unsafeSQL: "SELECT host, nextStartAt FROM host_slot WHERE host = ANY($1)", binds: hostBinds),
                    logger: self.logger).decode((String, Double).self) {
                    slots[host] = next
                }
            }
            let clock = now.timeIntervalSince1970
            let until = Self.date(Self.seconds(now.addingTimeInterval(rules.lease)))!
            for candidate in candidates {
                var claim = Claim(feedID: candidate.id, url: candidate.url, until: until, host: candidate.host)
                if let host = candidate.host, spaced.contains(host) {
                    let start = max(clock, slots[host] ?? 0)
                    guard start <= clock + rules.horizon else { continue }
                    slots[host] = start + rules.spacing(host)
                    claim.startAt = Date(timeIntervalSince1970: start)
                }
                batch.claims.append(claim)
            }
            if !batch.claims.isEmpty {
                var claimBinds = PostgresBindings()
                claimBinds.append(daemon)
                claimBinds.append(Self.seconds(until))
                claimBinds.append(batch.claims.map(\.feedID))
                try await self.connection.query(PostgresQuery(unsafeSQL: """
                    UPDATE feed SET claimedBy = $1, claimUntil = $2 WHERE id = ANY($3)
                    """, binds: claimBinds), logger: self.logger)
            }
            if !slots.isEmpty {
                var slotBinds = PostgresBindings()
                slotBinds.append(Array(slots.keys))
                slotBinds.append(Array(slots.values))
                try await self.connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO host_slot (host, nextStartAt) SELECT * FROM unnest($1::text[], $2::float8[])
                    ON CONFLICT (host) DO UPDATE SET nextStartAt = excluded.nextStartAt
                    """, binds: slotBinds), logger: self.logger)
            }
            var dueBinds = PostgresBindings()
            dueBinds.append(nowSeconds)
            // Through feed_due, in due order: the first that nobody holds.
            let next = try await self.scalarInt("""
                SELECT coalesce(nextDueAt, 0) FROM feed
                WHERE inConfig = 1 AND (claimUntil IS NULL OR claimUntil < $1)
                  AND NOT (goneForKey IS NOT NULL AND goneForKey IS NOT DISTINCT FROM configKey)
                ORDER BY nextDueAt NULLS FIRST, id LIMIT 1
                """, dueBinds)
            batch.nextDue = next.map { Date(timeIntervalSince1970: Double($0)) }
        }
        batch.claims.sort { $0.feedID < $1.feedID }
        return batch
    }

    /// Extends the leases `daemon` still holds among `feedIDs`; returns those another daemon
    /// holds now (its lease ran out and the feed was taken): their polls' results must not
    /// be written as this daemon's. A feed given back meanwhile is not among them.
    public func renewClaims(daemon: String, feedIDs: [Int64], now: Date, lease: TimeInterval) async throws -> Set<Int64> {
        guard !feedIDs.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(Self.seconds(now.addingTimeInterval(lease)))
        binds.append(daemon)
        binds.append(feedIDs)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            WITH renewed AS (
                UPDATE feed SET claimUntil = $1 WHERE claimedBy = $2 AND id = ANY($3) RETURNING id)
            SELECT id FROM feed WHERE id = ANY($3) AND claimedBy IS NOT NULL AND claimedBy <> $2
            """, binds: binds), logger: logger)
        var taken = Set<Int64>()
        for try await id in rows.decode(Int64.self) { taken.insert(id) }
        return taken
    }

    /// Gives a polled feed back: due again at `nextDue`, polled last by `daemon`. False when
    /// `daemon` did not hold it any more (nothing is changed then).
    public func releaseClaim(daemon: String, feedID: Int64, nextDue: Date) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(Self.seconds(nextDue))
        binds.append(daemon)
        binds.append(feedID)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            UPDATE feed SET claimedBy = NULL, claimUntil = NULL, nextDueAt = $1, lastPolledBy = $2
            WHERE id = $3 AND claimedBy = $2 RETURNING id
            """, binds: binds), logger: logger)
        for try await _ in rows.decode(Int64.self) { return true }
        return false
    }

    /// How many feeds `daemon` holds at `now` (its STATUS line).
    public func claimCount(daemon: String, now: Date) async throws -> Int {
        var binds = PostgresBindings()
        binds.append(daemon)
        binds.append(Self.seconds(now))
        return try await scalarInt("SELECT count(*) FROM feed WHERE claimedBy = $1 AND claimUntil >= $2", binds) ?? 0
    }

    /// The daemon that last polled each feed, by URL (`aggregator feeds`).
    public func lastPolledBy() async throws -> [String: String] {
        var out: [String: String] = [:]
        let rows = try await connection.query("SELECT url, lastPolledBy FROM feed WHERE lastPolledBy IS NOT NULL", logger: logger)
        for try await (url, daemon) in rows.decode((String, String).self) { out[url] = daemon }
        return out
    }

    /// What names a daemon in claims and in `feeds`: host and process id.
    public static func daemonName(host: String = ProcessInfo.processInfo.hostName,
                                  pid: Int32 = ProcessInfo.processInfo.processIdentifier) -> String {
        "\(host):\(pid)"
    }
}
