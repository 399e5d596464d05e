import Foundation
import PostgresNIO
import Store

/// Which feeds.conf a fleet polls. Every daemon reads its own copy of the file; the store
/// keeps one *generation*: the fingerprint of the feeds it lists (every line's configKey)
/// and the file's modification time. A daemon that starts or reloads
/// - with the same feeds as the generation: joins it;
/// - with a different list in a file modified later: makes it the next generation (the
///   feed table is synced: feeds added, options changed, feeds no longer listed marked so);
/// - with a different list in a file modified earlier: is *stale* and polls nothing, so a
///   host that missed an edit never brings back a removed feed nor polls with old options.
///   Its STATUS line says so; it joins again as soon as its file is updated.
/// A daemon also finds out at each claim that another one moved the generation on.
extension PostgresStore {
    /// A daemon's feeds.conf as the fleet compares it.
    public struct ConfigStamp: Sendable, Equatable {
        /// Of the feeds' configKeys in order: any edit to a feed line changes it.
        public var fingerprint: String
        /// The file's modification time (seconds since 1970): later wins.
        public var fileTime: Double
        public var feedCount: Int

        public init(subscriptions: [FeedSubscription], fileTime: Double) {
            fingerprint = Store.fingerprint(Array(subscriptions.map(\.configKey).joined(separator: "\n").utf8))
            self.fileTime = fileTime
            feedCount = subscriptions.count
        }
    }

    /// What the fleet holds when a daemon offers its feeds.conf.
    public enum FleetSync: Sendable, Equatable {
        /// The daemon's file is the fleet's (it may just have made it so).
        case current(generation: Int64)
        /// Another daemon's file, modified later, is the fleet's: this one waits.
        case stale(generation: Int64, writtenBy: String, fileTime: Double)

        public var generation: Int64 {
            switch self {
            case .current(let generation), .stale(let generation, _, _): return generation
            }
        }
    }

    /// Offers `subscriptions` (from a file stamped `stamp`) as the fleet's feeds; the rules
    /// are the type's comment. Serialised across daemons by an advisory lock.
    public func syncFleetFeeds(_ subscriptions: [FeedSubscription], stamp: ConfigStamp, daemon: String,
                               host: (String) -> String?, now: Date = Date()) async throws -> FleetSync {
        var outcome = FleetSync.current(generation: 0)
        try await transaction {
            try await self.run("SELECT pg_advisory_xact_lock(4242003)")
            let rows = try await self.connection.query(
                "SELECT generation, fingerprint, fileTime, writtenBy FROM fleet_config WHERE id = 1", logger: self.logger)
            var stored: (Int64, String, Double, String)?
            for try await row in rows.decode((Int64, String, Double, String).self) { stored = row }
            if let stored, stored.1 == stamp.fingerprint {
                outcome = .current(generation: stored.0)
                return
            }
            if let stored, stamp.fileTime < stored.2 {
                outcome = .stale(generation: stored.0, writtenBy: stored.3, fileTime: stored.2)
                return
            }
            try await self.replaceFeeds(subscriptions, host: host, now: now)
            let generation = (stored?.0 ?? 0) + 1
            var binds = PostgresBindings()
            binds.append(generation)
            binds.append(stamp.fingerprint)
            binds.append(stamp.fileTime)
            binds.append(Int64(stamp.feedCount))
            binds.append(daemon)
            binds.append(Self.seconds(now))
            try await self.connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO fleet_config (id, generation, fingerprint, fileTime, feedCount, writtenBy, writtenAt)
                VALUES (1, $1, $2, $3, $4, $5, $6)
                ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, fingerprint = excluded.fingerprint,
                    fileTime = excluded.fileTime, feedCount = excluded.feedCount, writtenBy = excluded.writtenBy,
                    writtenAt = excluded.writtenAt
                """, binds: binds), logger: self.logger)
            outcome = .current(generation: generation)
        }
        return outcome
    }

    /// The fleet's generation now (nil before any daemon synced).
    public func fleetGeneration() async throws -> Int64? {
        let rows = try await connection.query("SELECT generation FROM fleet_config WHERE id = 1", logger: logger)
        for try await generation in rows.decode(Int64.self) { return generation }
        return nil
    }

    /// The feed table made to match `subscriptions`, as the SQLite store's `syncFeeds`
    /// does (a changed line lifts a 410's stop through configKey), in statements of many rows.
    private func replaceFeeds(_ subscriptions: [FeedSubscription], host: (String) -> String?, now: Date) async throws {
        try await run("UPDATE feed SET inConfig = 0 WHERE inConfig <> 0")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let columns = 12
        for start in stride(from: 0, to: subscriptions.count, by: 400) {
            let chunk = subscriptions[start..<min(start + 400, subscriptions.count)]
            var binds = PostgresBindings()
            var rows: [String] = []
            for (offset, subscription) in chunk.enumerated() {
                let base = offset * columns
                rows.append("(" + (1...columns).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                let hooks = subscription.hooks.isEmpty ? nil
                    : String(decoding: try encoder.encode(subscription.hooks), as: UTF8.self)
                binds.append(subscription.url)
                binds.append(subscription.title)
                binds.append(subscription.tags.joined(separator: ","))
                binds.append(Int64(subscription.intervalSeconds))
                binds.append(Int64(1))
                binds.append(Self.seconds(now))
                binds.append(subscription.configKey)
                binds.append(subscription.keepDays.map(Int64.init))
                binds.append(subscription.keepCount.map(Int64.init))
                binds.append(hooks)
                binds.append(Int64(subscription.hookBacklog ? 1 : 0))
                binds.append(host(subscription.url))
            }
            try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO feed (url, configTitle, tags, intervalSeconds, inConfig, createdAt, configKey, keepDays,
                    keepCount, hooks, hookBacklog, host)
                VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (url) DO UPDATE SET configTitle = excluded.configTitle, tags = excluded.tags,
                    intervalSeconds = excluded.intervalSeconds, inConfig = 1, configKey = excluded.configKey,
                    keepDays = excluded.keepDays, keepCount = excluded.keepCount, hooks = excluded.hooks,
                    hookBacklog = excluded.hookBacklog, host = excluded.host
                """, binds: binds), logger: logger)
        }
    }
}
