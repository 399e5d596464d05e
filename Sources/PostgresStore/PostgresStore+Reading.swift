import Foundation
import PostgresNIO
import Store

/// What `list`, `feeds` and `search` ask of a PostgreSQL store: the same answers as the
/// SQLite store's (Store+Articles, SearchIndex), in PostgreSQL's SQL.
extension PostgresStore {
    static let articleColumns = """
        a.id, f.url, coalesce(f.configTitle, f.title, f.url), a.guid, a.link, a.title, a.author, a.published,
        a.updated, a.firstSeen, a.changedAt, a.sortDate, a.summary, a.content, a.categories, a.storyHash,
        \(ReadStateSQL.key)
        """

    typealias ArticleRow = (Int64, String, String, String?, String?, String?, String?, Int64?,
                            Int64?, Int64, Int64?, Int64, String?, String?, String?, Int64?, String)

    static func article(_ row: ArticleRow) -> StoredArticle {
        return StoredArticle(
            id: row.0, feedURL: row.1, feedTitle: row.2, guid: row.3, link: row.4, title: row.5, author: row.6,
            published: date(row.7), updated: date(row.8), firstSeen: date(row.9)!, changedAt: date(row.10),
            date: date(row.11)!, summary: row.12, content: row.13, categories: JSONText.decodeStrings(row.14), story: row.15, readKey: row.16)
    }

    static func date(_ seconds: Int64?) -> Date? { Seconds.date(seconds) }
    static func seconds(_ date: Date) -> Int64 { Seconds.from(date) }

    /// Articles newest first, copies of one story folded into the newest (naming the other
    /// feeds) unless `allCopies`. The reading filters (`--unread`, `--starred`, `--new`)
    /// are not answered here yet: the caller refuses them.
    public func articles(_ query: ArticleQuery) async throws -> [StoredArticle] {
        var binds = PostgresBindings()
        var conditions: [String] = []
        if let since = query.since {
            binds.append(Self.seconds(since))
            conditions.append("a.sortDate >= $\(binds.count)")
        }
        if let until = query.until {
            binds.append(Self.seconds(until))
            conditions.append("a.sortDate < $\(binds.count)")
        }
        if let feed = query.feed {
            binds.append(feed)
            let n = binds.count
            conditions.append("(f.url = $\(n) OR lower(f.configTitle) = lower($\(n)) OR lower(f.title) = lower($\(n)) "
                + "OR (',' || f.tags || ',') LIKE ('%,' || $\(n) || ',%'))")
        }
        if let tag = query.tag {
            binds.append(tag)
            conditions.append("(',' || f.tags || ',') LIKE ('%,' || $\(binds.count) || ',%')")
        }
        if let words = query.search {
            binds.append(words)
            conditions.append("\(PostgresSchema.searchVector("a")) @@ websearch_to_tsquery('simple', $\(binds.count))")
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        var sql = "SELECT \(Self.articleColumns) FROM article a JOIN feed f ON f.id = a.feedId\(whereClause) ORDER BY a.sortDate DESC, a.id DESC"
        if query.allCopies {
            if let limit = query.limit { sql += " LIMIT \(limit)" }
            if query.offset > 0 { sql += " OFFSET \(query.offset)" }
            return try await fetchArticles(sql, binds)
        }
        // Read in pages until `limit` stories are found: the newest copy stands for its story.
        var stories: [StoredArticle] = []
        var seen = Set<Int64>()
        var skipped = 0
        let page = max((query.limit ?? 500) * 2, 100)
        var offset = 0
        reading: while true {
            let rows = try await fetchArticles(sql + " LIMIT \(page) OFFSET \(offset)", binds)
            for article in rows {
                if let key = article.story, !seen.insert(key).inserted { continue }
                if skipped < query.offset { skipped += 1; continue }
                stories.append(article)
                if let limit = query.limit, stories.count >= limit { break reading }
            }
            if rows.count < page { break }
            offset += page
        }
        return try await namingOtherCopies(stories)
    }

    /// `search`: the best matches first (title words weigh more), with a snippet of the
    /// text around the matches marked by `highlight`.
    public func search(_ words: String, limit: Int = 20, allCopies: Bool = false,
                       highlight: (String) -> String = { "[" + $0 + "]" }) async throws -> [(article: StoredArticle, snippet: String)] {
        let marked = highlight("\u{1}").components(separatedBy: "\u{1}")
        let (start, stop) = (marked.first ?? "[", marked.count > 1 ? marked[1] : "]")
        var binds = PostgresBindings()
        binds.append(words)
        binds.append("StartSel=\"\(start)\", StopSel=\"\(stop)\", MaxWords=30, MinWords=12, ShortWord=2")
        // Ranked among the newest matches only: ranking needs each match's words, and with
        // the index on an expression (no stored column) those are computed per row — every
        // match of a common word, on 1M articles, took 70 s. Newest first is a news
        // reader's order anyway; the candidates are found through the index or the date
        // index, whichever the planner finds cheaper, and only the shown rows get snippets.
        // The query inline each time, not in a CTE: a CTE used three times is materialised,
        // the planner then cannot see the words, and on 1M articles it chose a bitmap of
        // every match, rechecked row by row (41.8 s instead of 0.1 s).
        let words = PostgresSchema.searchVector("a")
        let query = "websearch_to_tsquery('simple', $1)"
        let sql = """
            WITH hits AS (
                SELECT a.id FROM article a WHERE \(words) @@ \(query)
                ORDER BY a.sortDate DESC, a.id DESC LIMIT \(Self.searchCandidates)),
            ranked AS (
                SELECT a.id, ts_rank_cd(\(words), \(query)) AS rank
                FROM hits JOIN article a ON a.id = hits.id
                ORDER BY rank DESC, a.sortDate DESC, a.id DESC
                LIMIT \(allCopies ? limit : limit * 4))
            SELECT \(Self.articleColumns),
                ts_headline('simple', coalesce(a.summary, '') || ' ' || coalesce(a.content, ''), \(query), $2)
            FROM ranked JOIN article a ON a.id = ranked.id JOIN feed f ON f.id = a.feedId
            ORDER BY ranked.rank DESC, a.sortDate DESC, a.id DESC
            """
        var results: [(article: StoredArticle, snippet: String)] = []
        var stories = Set<Int64>()
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await row in rows {
            let columns = try row.decode(ArticleRowWithText.self)
            let article = Self.article((columns.0, columns.1, columns.2, columns.3, columns.4, columns.5, columns.6,
                                        columns.7, columns.8, columns.9, columns.10, columns.11, columns.12,
                                        columns.13, columns.14, columns.15, columns.16))
            if !allCopies, let story = article.story, !stories.insert(story).inserted { continue }
            guard results.count < limit else { continue }
            results.append((article, Self.plain(columns.17)))
        }
        if allCopies { return results }
        let named = try await namingOtherCopies(results.map(\.article))
        return zip(named, results).map { ($0, $1.snippet) }
    }

    /// How many of the newest matches `search` ranks.
    static let searchCandidates = 500

    typealias ArticleRowWithText = (Int64, String, String, String?, String?, String?, String?, Int64?,
                                    Int64?, Int64, Int64?, Int64, String?, String?, String?, Int64?, String, String)

    /// A headline of HTML text, as one line.
    static func plain(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    public func feeds(includingRemoved: Bool = false) async throws -> [FeedState] {
        let sql = "\(Self.feedStateSelect) \(includingRemoved ? "" : "WHERE inConfig = 1") ORDER BY id"
        var feeds: [FeedState] = []
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await row in rows { feeds.append(try Self.feedState(row)) }
        return feeds
    }

    /// A feed's state as `FeedState` holds it, the columns `feedState(_:)` reads.
    static let feedStateSelect = """
        SELECT id, url, configTitle, title, tags, inConfig, siteLink, etag, lastModified, lastFetchAt,
            lastSuccessAt, lastOutcome, lastError, errorCount, nextDueAt, articleCount, bodyHash, movedTo,
            lastBodyAt, refreshHint, (goneForKey IS NOT NULL AND goneForKey IS NOT DISTINCT FROM configKey)
        FROM feed
        """

    static func feedState(_ row: PostgresRow) throws -> FeedState {
        let c = try row.decode((Int64, String, String?, String?, String, Int64, String?, String?, String?, Int64?,
                                Int64?, String?, String?, Int64, Int64?, Int64, String?, String?,
                                Int64?, Int64?, Bool).self)
        return FeedState(
            id: c.0, url: c.1, configTitle: c.2, title: c.3,
            tags: c.4.split(separator: ",").map(String.init), inConfig: c.5 != 0, siteLink: c.6,
            etag: c.7, lastModified: c.8, lastFetchAt: Self.date(c.9),
            lastSuccessAt: Self.date(c.10), lastOutcome: c.11.flatMap(FetchOutcome.init(rawValue:)),
            lastError: c.12, errorCount: Int(c.13), nextDueAt: Self.date(c.14),
            articleCount: Int(c.15), bodyHash: c.16, movedTo: c.17,
            lastBodyAt: Self.date(c.18), refreshHint: c.19.map(Int.init), isGone: c.20)
    }

    public func hostPauses(now: Date = Date()) async throws -> [String: HostPause] {
        var binds = PostgresBindings()
        binds.append(Self.seconds(now))
        var pauses: [String: HostPause] = [:]
        let rows = try await connection.query(PostgresQuery(
            unsafeSQL: "SELECT host, untilAt, status FROM host_pause WHERE untilAt > $1", binds: binds), logger: logger)
        for try await (host, until, status) in rows.decode((String, Int64, Int64?).self) {
            pauses[host] = HostPause(host: host, until: Self.date(until)!, status: status.map(Int.init))
        }
        return pauses
    }

    /// Articles the feeds' `skip=`/`only=` rules kept out, per feed URL.
    public func skippedCounts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        let rows = try await connection.query(PostgresQuery(
            unsafeSQL: "SELECT f.url, count(*) FROM skipped s JOIN feed f ON f.id = s.feedId GROUP BY f.url"), logger: logger)
        for try await (url, count) in rows.decode((String, Int64).self) { counts[url] = Int(count) }
        return counts
    }

    public func articleCount() async throws -> Int {
        try await scalarInt("SELECT count(*) FROM article") ?? 0
    }

    /// Rows in each copied table, for `store copy`'s check.
    public func rowCount(table: String) async throws -> Int {
        precondition(Store.copiedTables.contains(table))
        return try await scalarInt("SELECT count(*) FROM \(table)") ?? 0
    }

    func fetchArticles(_ sql: String, _ binds: PostgresBindings) async throws -> [StoredArticle] {
        var articles: [StoredArticle] = []
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await row in rows.decode(ArticleRow.self) { articles.append(Self.article(row)) }
        return articles
    }

    /// Each story's other feeds, newest copy first, as `list` names them.
    func namingOtherCopies(_ stories: [StoredArticle]) async throws -> [StoredArticle] {
        let keys = stories.compactMap(\.story)
        guard !keys.isEmpty else { return stories }
        var binds = PostgresBindings()
        binds.append(keys)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT a.storyHash, f.url, coalesce(f.configTitle, f.title, f.url)
            FROM article a JOIN feed f ON f.id = a.feedId
            WHERE a.storyHash = ANY($1) ORDER BY a.sortDate DESC, a.id DESC
            """, binds: binds), logger: logger)
        var feedsByStory: [Int64: [(url: String, title: String)]] = [:]
        for try await (story, url, title) in rows.decode((Int64, String, String).self)
        where !feedsByStory[story, default: []].contains(where: { $0.url == url }) {
            feedsByStory[story, default: []].append((url, title))
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
