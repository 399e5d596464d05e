import Foundation
import PostgresNIO

/// A fleet's share of the work: each due feed is polled by one daemon at a time. A daemon
/// claims due feeds with a lease (`FOR UPDATE SKIP LOCKED`: two daemons asking at the
/// same moment get different feeds, and neither waits for the other), renews the leases
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
    }

    /// Up to `limit` feeds due at `now` that nobody holds (or whose holder's lease ran out),
    /// now held by `daemon` until `now + lease`.
    public func claimDueFeeds(daemon: String, now: Date, lease: TimeInterval, limit: Int) async throws -> [Claim] {
        let until = Self.seconds(now.addingTimeInterval(lease))
        var binds = PostgresBindings()
        binds.append(Self.seconds(now))
        binds.append(until)
        binds.append(daemon)
        binds.append(Int64(limit))
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            WITH due AS (
                SELECT id FROM feed
                WHERE inConfig = 1 AND coalesce(nextDueAt, 0) <= $1
                  AND (claimUntil IS NULL OR claimUntil < $1)
                  AND NOT (goneForKey IS NOT NULL AND goneForKey IS NOT DISTINCT FROM configKey)
                ORDER BY nextDueAt NULLS FIRST, id
                LIMIT $4
                FOR UPDATE SKIP LOCKED)
            UPDATE feed f SET claimedBy = $3, claimUntil = $2
            FROM due WHERE f.id = due.id
            RETURNING f.id, f.url
            """, binds: binds), logger: logger)
        var claims: [Claim] = []
        for try await (id, url) in rows.decode((Int64, String).self) {
            claims.append(Claim(feedID: id, url: url, until: Self.date(until)!))
        }
        return claims.sorted { $0.feedID < $1.feedID }
    }

    /// Extends the leases `daemon` still holds among `feedIDs`; returns those it holds no
    /// more (its lease ran out and another daemon took the feed): their polls' results
    /// must not be written as this daemon's.
    public func renewClaims(daemon: String, feedIDs: [Int64], now: Date, lease: TimeInterval) async throws -> Set<Int64> {
        guard !feedIDs.isEmpty else { return [] }
        var binds = PostgresBindings()
        binds.append(Self.seconds(now.addingTimeInterval(lease)))
        binds.append(daemon)
        binds.append(feedIDs)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            UPDATE feed SET claimUntil = $1 WHERE claimedBy = $2 AND id = ANY($3) RETURNING id
            """, binds: binds), logger: logger)
        var kept = Set<Int64>()
        for try await id in rows.decode(Int64.self) { kept.insert(id) }
        return Set(feedIDs).subtracting(kept)
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
