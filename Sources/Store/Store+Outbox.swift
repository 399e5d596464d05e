import Foundation
import GRDB

/// A hook delivery waiting in the outbox (or kept as failed).
public struct Delivery: Sendable, Equatable {
    public enum State: String, Sendable { case pending, failed }

    public var seq: Int64
    /// What receivers see (`Aggregator-Delivery`, `$AGGREGATOR_DELIVERY_ID`): the same on
    /// every attempt, so a repeat can be dropped.
    public var id: String
    public var articleID: Int64
    public var feedURL: String
    public var target: String
    public var event: String
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var createdAt: Date
    public var lastError: String?
    /// For people (`aggregator hooks`).
    public var articleTitle: String?
}

/// The outbox: deliveries queued with their articles (ArticleWriter), taken by the
/// daemon's HookDispatcher, removed once delivered.
extension Store {
    static let deliveryColumns = """
        o.seq, o.delivery, o.articleId, f.url, o.target, o.event, o.state, o.attempts, o.nextAttemptAt, o.createdAt,
        o.lastError, a.title
        """

    static func delivery(_ row: Row) -> Delivery {
        Delivery(seq: row[0], id: row[1], articleID: row[2], feedURL: row[3], target: row[4], event: row[5],
                 state: Delivery.State(rawValue: row[6]) ?? .pending, attempts: row[7],
                 nextAttemptAt: Seconds.date(row[8])!, createdAt: Seconds.date(row[9])!, lastError: row[10],
                 articleTitle: row[11])
    }

    /// Pending deliveries due by `now`, oldest first, leaving out those already under way.
    public func dueDeliveries(now: Date, limit: Int, excluding busy: Set<Int64> = []) throws -> [Delivery] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.deliveryColumns) FROM outbox o JOIN feed f ON f.id = o.feedId JOIN article a ON a.id = o.articleId
                WHERE o.state = 'pending' AND o.nextAttemptAt <= ? ORDER BY o.nextAttemptAt, o.seq LIMIT ?
                """, arguments: [Seconds.from(now), limit + busy.count]).map(Self.delivery).filter { !busy.contains($0.seq) }
                .prefix(limit).map { $0 }
        }
    }

    /// When the next pending delivery is due (nil: none waits).
    public func nextDeliveryDue() throws -> Date? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT min(nextAttemptAt) FROM outbox WHERE state = 'pending'").flatMap(Seconds.date)
        }
    }

    /// Delivered: gone from the outbox.
    public func deliveryDone(_ seq: Int64) async throws {
        try await writeOutbox { try $0.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [seq]) }
    }

    /// Not delivered: tried again at `retryAt`, or kept as failed (nil: it has been
    /// tried for as long as it may be).
    public func deliveryFailed(_ seq: Int64, error: String, retryAt: Date?) async throws {
        try await writeOutbox { db in
            try db.execute(sql: """
                UPDATE outbox SET attempts = attempts + 1, lastError = ?, state = ?, nextAttemptAt = coalesce(?, nextAttemptAt)
                WHERE seq = ?
                """, arguments: [String(error.prefix(500)), retryAt == nil ? "failed" : "pending",
                                 retryAt.map(Seconds.from), seq])
        }
    }

    /// Failed deliveries (all, or those of one hook) made pending again, due now, their
    /// retry time starting over; how many.
    @discardableResult
    public func retryFailedDeliveries(now: Date = Date()) async throws -> Int {
        try await writeOutbox { db in
            try db.execute(sql: """
                UPDATE outbox SET state = 'pending', attempts = 0, nextAttemptAt = ?, createdAt = ? WHERE state = 'failed'
                """, arguments: [Seconds.from(now), Seconds.from(now)])
            return db.changesCount
        }
    }

    /// Pending and failed deliveries, oldest first, for `aggregator hooks`.
    public func deliveries(limit: Int = 1000) throws -> [Delivery] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.deliveryColumns) FROM outbox o JOIN feed f ON f.id = o.feedId JOIN article a ON a.id = o.articleId
                ORDER BY o.state DESC, o.seq LIMIT ?
                """, arguments: [limit]).map(Self.delivery)
        }
    }

    /// How many deliveries wait, and how many failed for good.
    public func deliveryCounts() throws -> (pending: Int, failed: Int) {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'failed') FROM outbox
                """)
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// Articles the feeds' `skip=`/`only=` rules kept out, per feed URL.
    public func skippedCounts() throws -> [String: Int] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT f.url, count(*) FROM skipped s JOIN feed f ON f.id = s.feedId GROUP BY f.url")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) })
        }
    }

    private func writeOutbox<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        guard let writer else { throw OpenError(path: path, reason: "opened read-only") }
        return try await writer.write(body)
    }
}
