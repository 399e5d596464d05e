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
        let columns = StoredArticle.columns(readingIn: context.epoch)
        let sql = selection.sql(select: columns) + Self.newestFirst
        let arguments = selection.arguments
        return try read { db in
            if query.allCopies {
                let limited = sql + " LIMIT ? OFFSET ?"
                var all = arguments
                all += [query.limit ?? -1, query.offset]
                return try Row.fetchAll(db, sql: limited, arguments: all).map(StoredArticle.init(row:))
            }
            // One story, many feeds: the newest copy stands for the story. Which copies,
            // first, from the date index alone (it holds each article's story and feed), in
            // order until `limit` stories; then only those rows whole. A whole row decodes
            // its body, and reading 10,000 rows to fold 200 copies of each of 50 stories
            // made `list --limit 50` take a fifth of a second.
            var chosen: [Int64] = []
            var seen = Set<Int64>()
            var passed: [Int64: StoryCopy.Place] = [:]  // every copy read past: no need to read it again
            var skipped = 0
            let keys = try Row.fetchCursor(db, sql: Self.foldingPass(selection), arguments: arguments)
            while let row = try keys.next() {
                let id: Int64 = row[0]
                if let story = row[1] as Int64? {
                    passed[id] = StoryCopy.Place(story: story, feedId: row[2], sortDate: row[3])
                    guard seen.insert(story).inserted else { continue }
                }
                if skipped < query.offset {
                    skipped += 1
                    continue
                }
                chosen.append(id)
                if let limit = query.limit, chosen.count >= limit { break }
            }
            var stories = try wholeRows(chosen, columns: columns, in: db)
            var shown: [Int64: Int64] = [:]  // story → the feed of the copy shown
            for story in stories { if let key = story.story, let place = passed[story.id] { shown[key] = place.feedId } }
            let alsoIn = StoryCopy.otherFeeds(try storyCopies(of: Array(shown.keys), known: passed, in: db), shown: shown)
            for index in stories.indices {
                if let key = stories[index].story { stories[index].alsoIn = alsoIn[key, default: []] }
            }
            return stories
        }
    }

    static let newestFirst = " ORDER BY a.sortDate DESC, a.id DESC"

    /// The first pass of folding: each matching copy's id, story, feed and date, newest
    /// first — columns the date index holds, so it reads nothing else.
    static func foldingPass(_ selection: ArticleSelection) -> String {
        selection.sql(select: "a.id, a.storyHash, a.feedId, a.sortDate", columnsReadFeed: false) + newestFirst
    }

    /// These articles' rows, in this order (ids as the first pass chose them).
    private func wholeRows(_ ids: [Int64], columns: String, in db: Database) throws -> [StoredArticle] {
        var byId = [Int64: StoredArticle](minimumCapacity: ids.count)
        try forEachChunk(of: ids, sql: "SELECT \(columns) FROM article a JOIN feed f ON f.id = a.feedId WHERE a.id IN", in: db) { row in
            let article = StoredArticle(row: row)
            byId[article.id] = article
        }
        return ids.compactMap { byId[$0] }
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
    /// story words, those not indexed yet through the queue. A copy is checked against its
    /// row's current story (its link may have changed since it was indexed); `known`: the
    /// copies the caller read already (from the date index), which need not be read again.
    func storyCopies(of stories: [Int64], known: [Int64: StoryCopy.Place] = [:], in db: Database) throws -> [StoryCopy] {
        let wanted = Set(stories)
        var places: [Int64: StoryCopy.Place] = [:]
        var unread: [Int64] = []
        // Not indexed yet: the queue is short, its rows read here.
        try forEachChunk(of: stories, sql: """
            SELECT a.id, a.storyHash, a.feedId, a.sortDate
            FROM search_queue q CROSS JOIN article a ON a.id = q.articleId
            WHERE q.op = 'add' AND a.storyHash IN
            """, in: db) { row in
            places[row[0]] = StoryCopy.Place(story: row[1], feedId: row[2], sortDate: row[3])
        }
        for start in stride(from: 0, to: hasSearchIndex ? stories.count : 0, by: 500) {
            let chunk = Array(stories[start..<min(start + 500, stories.count)])
            let indexed = try Int64.fetchCursor(db, sql: "SELECT rowid FROM search.article_fts WHERE article_fts MATCH ?",
                                                arguments: [SearchIndex.storyMatch(chunk)])
            while let id = try indexed.next() {
                guard places[id] == nil else { continue }  // applied, not yet trimmed from the queue
                if let place = known[id] { places[id] = place } else { unread.append(id) }
            }
        }
        try forEachChunk(of: unread.sorted(), sql: "SELECT id, storyHash, feedId, sortDate FROM article WHERE id IN", in: db) { row in
            if let story = row[1] as Int64? { places[row[0]] = StoryCopy.Place(story: story, feedId: row[2], sortDate: row[3]) }
        }
        var titles: [Int64: String] = [:]
        // Sorted, so the chunks walk the index once from end to end (8,600 feeds in random
        // order read its pages 6,700 times).
        let feedIds = Set(places.values.lazy.filter { wanted.contains($0.story) }.map(\.feedId)).sorted()
        try forEachChunk(of: feedIds, sql: "SELECT id, coalesce(configTitle, title, url) FROM feed INDEXED BY feed_names WHERE id IN", in: db) { row in
            titles[row[0]] = row[1]
        }
        return places.compactMap { id, place in
            guard wanted.contains(place.story), let title = titles[place.feedId] else { return nil }
            return StoryCopy(story: place.story, title: title, id: id, feedId: place.feedId, sortDate: place.sortDate)
        }.sorted { ($0.sortDate, $0.id) > ($1.sortDate, $1.id) }
    }

    /// Runs `sql` + " (?, ?, …)" over `ids`, 500 at a time, and `body` for each row.
    func forEachChunk(of ids: [Int64], sql: String, in db: Database, _ body: (Row) throws -> Void) throws {
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let rows = try Row.fetchCursor(db, sql: "\(sql) (\(marks))", arguments: StatementArguments(chunk))
            while let row = try rows.next() { try body(row) }
        }
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
