import Foundation
import GRDB

/// What the CLI asks of the store: articles by filters, one by id, per day, counts.
extension Store {
    /// Articles newest first; undated ones sort and filter by when they were first seen.
    /// The read-state filters need the person's reading attached (`readState:` at open).
    public func articles(_ query: ArticleQuery) throws -> [StoredArticle] {
        let context = try readingContext()
        if (query.unreadOnly || query.starredOnly) && context.epoch == nil {
            throw OpenError(path: path, reason: "no reading state attached")
        }
        let selection = ArticleSelection(query, context: context, hasSearchIndex: hasSearchIndex)
        let sql = selection.sql(select: StoredArticle.columns(readingIn: context.epoch)) + " ORDER BY a.sortDate DESC, a.id DESC"
        let arguments = selection.arguments
        return try read { db in
            if query.allCopies {
                let limited = sql + " LIMIT ? OFFSET ?"
                var all = arguments
                all += [query.limit ?? -1, query.offset]
                return try Row.fetchAll(db, sql: limited, arguments: all).map(StoredArticle.init(row:))
            }
            // One story, many feeds: the newest copy stands for the story (read in order
            // until `limit` stories), then names every other feed that carried it.
            var stories: [StoredArticle] = []
            var seen = Set<Int64>()
            var skipped = 0
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                let article = StoredArticle(row: row)
                if let key = article.story {
                    guard seen.insert(key).inserted else { continue }
                }
                if skipped < query.offset {
                    skipped += 1
                    continue
                }
                stories.append(article)
                if let limit = query.limit, stories.count >= limit { break }
            }
            let copies = try storyCopies(of: stories.compactMap(\.story), in: db)
            var feedsByStory: [Int64: [(url: String, title: String)]] = [:]
            for copy in copies where !feedsByStory[copy.story, default: []].contains(where: { $0.url == copy.url }) {
                feedsByStory[copy.story, default: []].append((copy.url, copy.title))
            }
            return stories.map { story in
                var story = story
                if let key = story.story {
                    story.alsoIn = feedsByStory[key, default: []].filter { $0.url != story.feedURL }.map(\.title)
                }
                return story
            }
        }
    }

    /// How many stories (copies of one story counted once) and feeds an `ArticleQuery`
    /// matches, whatever its limit: `list --new`'s summary, without reading every row.
    public func tally(_ query: ArticleQuery) throws -> (stories: Int, feeds: Int) {
        let context = try readingContext()
        let selection = ArticleSelection(query, context: context, hasSearchIndex: hasSearchIndex)
        let sql = selection.sql(select: "count(DISTINCT coalesce(a.storyHash, -a.id)), count(DISTINCT a.feedId)")
        return try read { db in
            let row = try Row.fetchOne(db, sql: sql, arguments: selection.arguments)
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// Every stored copy of these stories, newest first: indexed ones through the index's
    /// story words (a copy whose link changed since is left out by its current storyHash),
    /// those not indexed yet through the queue (an entry applied but not yet trimmed finds
    /// its copy twice). CROSS JOIN keeps that order (else SQLite walks every article by date).
    func storyCopies(of stories: [Int64], in db: Database) throws
        -> [(story: Int64, url: String, title: String, id: Int64, feedId: Int64)] {
        var copies: [(story: Int64, url: String, title: String, id: Int64, feedId: Int64)] = []
        for start in stride(from: 0, to: stories.count, by: 500) {
            let chunk = Array(stories[start..<min(start + 500, stories.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let columns = "a.storyHash, f.url, coalesce(f.configTitle, f.title, f.url) AS feedTitle, a.sortDate, a.id, a.feedId"
            let indexed = hasSearchIndex ? """
                SELECT \(columns)
                FROM search.article_fts s CROSS JOIN article a ON a.id = s.rowid JOIN feed f ON f.id = a.feedId
                WHERE article_fts MATCH ? AND a.storyHash IN (\(marks))
                UNION ALL
                """ : ""
            let rows = try Row.fetchCursor(db, sql: """
                \(indexed)
                SELECT \(columns)
                FROM search_queue q CROSS JOIN article a ON a.id = q.articleId JOIN feed f ON f.id = a.feedId
                WHERE q.op = 'add' AND a.storyHash IN (\(marks))
                ORDER BY 4 DESC, 5 DESC
                """, arguments: hasSearchIndex ? [SearchIndex.storyMatch(chunk)] + StatementArguments(chunk + chunk)
                                               : StatementArguments(chunk))
            while let row = try rows.next() {
                copies.append((row[0], row[1], row[2], row[4], row[5]))
            }
        }
        return copies
    }

    /// Articles per local calendar day (by the date they sort by), from `since` on.
    public func articlesPerDay(since: Date) throws -> [(day: String, count: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT date(sortDate, 'unixepoch', 'localtime') AS day, count(*) AS n "
                + "FROM article WHERE sortDate >= ? GROUP BY day ORDER BY day",
                arguments: [Seconds.from(since)]).map { ($0["day"], $0["n"]) }
        }
    }

    /// Bytes on disk: the database and the search index, with their WALs and shared-memory indexes.
    public func sizeOnDisk() -> Int64 {
        let index = (path as NSString).deletingLastPathComponent + "/" + SearchIndexFile.fileName
        return [path, index].flatMap { [$0, $0 + "-wal", $0 + "-shm"] }.reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
    }

    /// One article by its id (as `list --format json|tsv` shows it).
    public func article(id: Int64) throws -> StoredArticle? {
        let columns = StoredArticle.columns(readingIn: try readingContext().epoch)
        return try read { db in
            try Row.fetchOne(db, sql: "SELECT \(columns) FROM article a JOIN feed f ON f.id = a.feedId WHERE a.id = ?",
                             arguments: [id]).map(StoredArticle.init(row:))
        }
    }

    /// The oldest and the newest article by date (nil: none stored).
    public func dateSpan() throws -> (oldest: StoredArticle, newest: StoredArticle)? {
        let columns = StoredArticle.columns(readingIn: nil)
        return try read { db in
            func one(_ order: String) throws -> StoredArticle? {
                try Row.fetchOne(db, sql: "SELECT \(columns) FROM article a JOIN feed f ON f.id = a.feedId "
                    + "ORDER BY a.sortDate \(order), a.id \(order) LIMIT 1").map(StoredArticle.init(row:))
            }
            guard let oldest = try one("ASC"), let newest = try one("DESC") else { return nil }
            return (oldest, newest)
        }
    }

    public func articleCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM article") ?? 0 }
    }
}
