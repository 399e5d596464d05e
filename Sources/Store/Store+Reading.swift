import Foundation
import GRDB

/// The store's side of one person's reading (ReadState, attached as `state`).
extension Store {
    /// Where the store stands now (for a mark, a watermark or the `--new` cursor).
    public func position() throws -> StorePosition {
        try read { db in
            let epoch = try String.fetchOne(db, sql: "SELECT epoch FROM search_meta") ?? ""
            let last = try Row.fetchOne(db, sql: "SELECT id, firstSeen FROM article ORDER BY id DESC LIMIT 1")
            return StorePosition(epoch: epoch, lastId: last?[0] ?? 0, lastSeen: last?[1] ?? 0)
        }
    }

    /// A cursor at the first article seen at or after `date`, for a first `list --new`.
    /// Row ids grow with arrival, so a binary search over them finds it in a few lookups
    /// (first-seen times have no index: a scan took a tenth of a second on a million).
    public func cursor(seenSince date: Date) throws -> NewCursor {
        let seconds = Seconds.from(date)
        return try read { db in
            let epoch = try String.fetchOne(db, sql: "SELECT epoch FROM search_meta") ?? ""
            var low = try Int64.fetchOne(db, sql: "SELECT min(id) FROM article") ?? 0
            var high = (try Int64.fetchOne(db, sql: "SELECT max(id) FROM article") ?? 0) + 1
            let probe = try db.makeStatement(sql: "SELECT firstSeen FROM article WHERE id >= ? ORDER BY id LIMIT 1")
            // The first id whose article (or the next one after a gap) was seen at `date` or later.
            while low < high {
                let middle = low + (high - low) / 2
                let seen = try Int64.fetchOne(probe, arguments: [middle]) ?? Int64.max
                if seen >= seconds { high = middle } else { low = middle + 1 }
            }
            return NewCursor(epoch: epoch, lastId: low - 1, seenThrough: date, at: date)
        }
    }

    /// What a query needs to know about the store and the attached reading.
    func readingContext() throws -> ReadingContext {
        try read { db in
            let lastId = try Int64.fetchOne(db, sql: "SELECT max(id) FROM article") ?? 0
            guard readStatePath != nil else { return ReadingContext(epoch: nil, lastId: lastId) }
            let epoch = try String.fetchOne(db, sql: "SELECT epoch FROM search_meta") ?? ""
            let through = try Int64.fetchOne(db, sql: """
                SELECT max(untilId) FROM state.watermark WHERE feed = '' AND untilDate = ? AND epoch = ?
                """, arguments: [Int64.max, epoch])
            return ReadingContext(epoch: epoch, lastId: lastId, readAllThrough: through)
        }
    }

    /// Unread articles per feed URL for the person whose reading is attached (feeds with
    /// none are left out). Counted from whichever side is small: after `read --all`, the
    /// unread ones directly; otherwise what is read — what marks and watermarks name —
    /// taken from each feed's article count. Walking every article through the read test
    /// took 1.7 s on a million.
    public func unreadCounts() throws -> [String: Int] {
        let context = try readingContext()
        guard let epoch = context.epoch else { throw OpenError(path: path, reason: "no reading state attached") }
        let isRead = ReadStateSQL.isRead(epoch: epoch)
        return try read { db in
            var counts: [String: Int] = [:]
            if let through = context.readAllThrough, context.lastId - through <= 200_000 {
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT f.url, count(*) FROM (SELECT id FROM article WHERE id > \(through)
                        UNION \(ArticleSelection.markedCopies("m.read = 0"))) c
                    CROSS JOIN article a ON a.id = c.id JOIN feed f ON f.id = a.feedId
                    WHERE NOT \(isRead) GROUP BY f.url
                    """)
                while let row = try rows.next() { counts[row[0]] = row[1] }
                return counts
            }
            // What can be read: the copies marks were made on and the other copies of read
            // stories, and what each watermark spans by date.
            let stories = try String.fetchAll(db, sql: "SELECT key FROM state.mark WHERE read = 1 AND key LIKE 's:%'")
                .compactMap { Int64($0.dropFirst(2)) }
            let copies = try storyCopies(of: stories, in: db).map(\.id)
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS read_candidate (id INTEGER PRIMARY KEY)")
            try db.execute(sql: "DELETE FROM temp.read_candidate")
            let insert = try db.makeStatement(sql: "INSERT OR IGNORE INTO temp.read_candidate (id) VALUES (?)")
            for id in copies { try insert.execute(arguments: [id]) }
            try db.execute(sql: """
                INSERT OR IGNORE INTO temp.read_candidate (id) \(ArticleSelection.markedCopies("m.read = 1"));
                INSERT OR IGNORE INTO temp.read_candidate (id)
                    SELECT a.id FROM state.watermark w JOIN feed f ON f.url = w.feed
                    JOIN article a ON a.feedId = f.id AND a.sortDate <= w.untilDate WHERE w.feed <> '';
                INSERT OR IGNORE INTO temp.read_candidate (id)
                    SELECT a.id FROM article a WHERE a.sortDate <= (SELECT max(untilDate) FROM state.watermark WHERE feed = '');
                """)
            var read: [String: Int] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT f.url, count(*) FROM temp.read_candidate c CROSS JOIN article a ON a.id = c.id
                JOIN feed f ON f.id = a.feedId WHERE \(isRead) GROUP BY f.url
                """)
            while let row = try rows.next() { read[row[0]] = row[1] }
            try db.execute(sql: "DELETE FROM temp.read_candidate")
            let totals = try Row.fetchAll(db, sql: "SELECT url, articleCount FROM feed")
            for row in totals {
                let url: String = row[0], total: Int = row[1]
                let unread = total - read[url, default: 0]
                if unread > 0 { counts[url] = unread }
            }
            return counts
        }
    }
}
