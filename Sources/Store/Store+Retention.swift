import Foundation
import GRDB

extension Store {
    /// Applies every feed's `keep=`: deletes articles older than its days or beyond its
    /// newest count — never one in the feed's latest document — leaving a tombstone for
    /// each so it is not stored again as new, then gives freed pages back to the file
    /// system. One transaction per feed, so readers never wait long.
    public func prune(now: Date = Date()) async throws -> PruneSummary {
        guard let writer else { throw OpenError(path: path, reason: "opened read-only") }
        let feeds = try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, keepDays, keepCount, latestIds FROM feed
                WHERE keepDays IS NOT NULL OR keepCount IS NOT NULL
                """)
        }
        let sizeBefore = sizeOnDisk()
        var summary = PruneSummary()
        for feed in feeds {
            let feedID: Int64 = feed["id"]
            let days: Int? = feed["keepDays"], count: Int? = feed["keepCount"]
            let latest = ((feed["latestIds"] as String?) ?? "").split(separator: ",").compactMap { Int64($0) }
            let removed = try await writer.write { db -> Int in
                let cutoff = days.map { Seconds.from(now) - Int64($0) * 86_400 }
                let doomed = try Row.fetchAll(db, sql: """
                    SELECT id, dedupKey, link FROM article
                    WHERE feedId = :feed
                      AND id NOT IN (SELECT value FROM json_each(:latest))
                      AND ((:cutoff IS NOT NULL AND sortDate < :cutoff)
                        OR (:count IS NOT NULL AND id NOT IN (
                              SELECT id FROM article WHERE feedId = :feed ORDER BY sortDate DESC, id DESC LIMIT :count)))
                    """, arguments: ["feed": feedID, "latest": "[" + latest.map(String.init).joined(separator: ",") + "]",
                                     "cutoff": cutoff, "count": count])
                let tombstone = try db.cachedStatement(
                    sql: "INSERT OR IGNORE INTO tombstone (feedId, dedupKey, prunedAt, link) VALUES (?, ?, ?, ?)")
                let delete = try db.cachedStatement(sql: "DELETE FROM article WHERE id = ?")
                for row in doomed {
                    let id: Int64 = row["id"]
                    try SearchQueue.drop(articleID: id, in: db)
                    try delete.execute(arguments: [id])
                    try tombstone.execute(arguments: [feedID, row["dedupKey"] as String, Seconds.from(now),
                                                      row["link"] as String?])
                }
                try db.execute(sql: "UPDATE feed SET articleCount = articleCount - ? WHERE id = ?",
                               arguments: [doomed.count, feedID])
                return doomed.count
            }
            summary.articles += removed
            if removed > 0 { summary.feeds += 1 }
        }
        if summary.articles > 0 {
            try await writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA incremental_vacuum") }
            finishWriting()
        }
        summary.bytesFreed = max(0, sizeBefore - sizeOnDisk())
        return summary
    }
}
