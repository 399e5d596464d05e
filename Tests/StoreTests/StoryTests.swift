import FeedParser
import Foundation
import GRDB
import Testing
@testable import Store

@Suite struct StoryTests {
    @Test(arguments: [
        ("HTTP://Example.ORG:80/a/b?utm_source=rss&id=7#comments", "http://example.org/a/b?id=7"),
        ("https://example.org:443/x?fbclid=abc&gclid=d", "https://example.org/x"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/Case/Kept?b=2&a=1", "https://example.org/Case/Kept?b=2&a=1"),
    ])
    func canonicalLinks(link: String, key: String) {
        #expect(StoryKey.of(link) == key)
    }

    @Test func linksThatAreNotWebPagesHaveNoStory() {
        #expect(StoryKey.of(nil) == nil)
        #expect(StoryKey.of("") == nil)
        #expect(StoryKey.of("urn:uuid:1234") == nil)
        #expect(StoryKey.of("/relative/path") == nil)
    }

    /// The byte-level fast path must give exactly what URLComponents gives, or stored
    /// story hashes would stop matching: checked on every link in the parser's fixtures
    /// and on the awkward cases.
    @Test func theFastPathAgreesWithURLComponents() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("FeedParserTests/Fixtures")
        var links: [String] = [
            "https://example.org", "https://example.org/", "http://example.org?x=1", "https://e.org/a%2Fb%zz",
            "https://e.org/100%", "https://e.org/a%C3%A9", "https://E.org/x", "https://e.org:443/x", "https://u@e.org/x",
            "https://e.org/x?", "https://e.org/x?a=1&&b=2", "https://e.org/x?a=b=c", "https://e.org/x?a+b=c%20d",
            "https://e.org/x?UTM_source=1", "https://e.org/x?p=1&fbclid=2", "https://e.org/x#frag", "https://e.org/é",
            "https://e.org/a b", "https://[::1]/x", "https://e.org/x?a=1&b", "https://e.org/x?a", "http://e.org/;p=1/@x:y",
            "https://e.org/x?q=a.b-c_d~e", "https://xn--bcher-kva.example/x", "https://e.org./x", "ftp://e.org/x",
        ]
        for file in try FileManager.default.contentsOfDirectory(atPath: fixtures.path) {
            let text = String(decoding: (try? Data(contentsOf: fixtures.appendingPathComponent(file))) ?? Data(), as: UTF8.self)
            let pattern = try NSRegularExpression(pattern: #"https?://[^\s"'<>\]\[]+"#)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                links.append(String(text[Range(match.range, in: text)!]).replacingOccurrences(of: "&amp;", with: "&"))
            }
        }
        var fast = 0
        for link in links {
            if let quick = StoryKey.alreadyCanonical(link) {
                fast += 1
                #expect(quick == StoryKey.parsed(link), "\(link)")
            }
        }
        #expect(links.count > 300)
        #expect(fast * 2 > links.count)  // the fast path is the common one
    }

    @Test func copiesInSeveralFeedsAreListedOnceNamingTheOthers() async throws {
        let temp = try TemporaryStore()
        let day = 86_400.0
        try await temp.store.apply(fetched([
            entry("a1", title: "Shared", link: "https://news.example/story?utm_campaign=x", published: t0),
            entry("a2", title: "Only A", link: "https://news.example/a-only", published: t0.addingTimeInterval(-day)),
        ]), toFeed: "http://a.example/feed")
        try await temp.store.apply(fetched([
            entry("b1", title: "Shared, from B", link: "https://NEWS.example/story#top", published: t0.addingTimeInterval(60)),
        ]), toFeed: "http://b.example/feed")

        let folded = try temp.store.articles(ArticleQuery())
        #expect(folded.map(\.title) == ["Shared, from B", "Only A"])
        #expect(folded[0].feedURL == "http://b.example/feed")
        #expect(folded[0].alsoIn == ["Example"])  // feed A's own title
        #expect(folded[1].alsoIn.isEmpty)

        #expect(try temp.store.articles(ArticleQuery(limit: 1)).map(\.title) == ["Shared, from B"])
        let every = try temp.store.articles(ArticleQuery(allCopies: true))
        #expect(every.map(\.title) == ["Shared, from B", "Shared", "Only A"])
        // A filter to one feed still names the other feed that carried the story.
        let onlyA = try temp.store.articles(ArticleQuery(feed: "http://a.example/feed"))
        #expect(onlyA.first?.title == "Shared")
        #expect(onlyA.first?.alsoIn == ["Example"])
    }
}

/// The story index is filled in the background (`indexPending`): a copy is found whether
/// indexed or still queued, and a changed link leaves its old story.
@Suite struct StoryIndexTests {
    func update(_ title: String, _ entries: [ParsedEntry], at date: Date = t0) -> FeedUpdate {
        FeedUpdate(result: .fetched(title: title, siteLink: nil, entries: entries), fetchedAt: date, nextDueAt: date)
    }

    /// Articles the index knows a story for (any story an article in the store has).
    func storyRows(_ store: Store) async throws -> Int {
        try await store.writer!.read { db in
            let hashes = try Int64.fetchAll(db, sql: "SELECT DISTINCT storyHash FROM article WHERE storyHash IS NOT NULL")
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM search.article_fts WHERE article_fts MATCH ?",
                                    arguments: [SearchIndex.storyMatch(hashes)]) ?? 0
        }
    }

    @Test(arguments: [false, true])
    func copiesAreFoundIndexedOrQueuedAndFollowChangedLinks(indexFirstCopy: Bool) async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try await store.apply(update("Feed A", [entry("a1", title: "From A", link: "https://n.example/s?utm_medium=x",
                                                     published: t0)]), toFeed: "http://a.example/feed")
        if indexFirstCopy { try await store.indexPending() }
        try await store.apply(update("Feed B", [entry("b1", title: "From B", link: "https://n.example/s",
                                                     published: t0.addingTimeInterval(60))]), toFeed: "http://b.example/feed")
        func folded() throws -> [String] {
            try store.articles(ArticleQuery()).map { "\($0.title ?? "") +\($0.alsoIn.joined(separator: ","))" }
        }
        #expect(try folded() == ["From B +Feed A"])
        try await store.indexPending()
        #expect(try await storyRows(store) == 2)
        #expect(try folded() == ["From B +Feed A"])

        // A moves its article to another link: a different story from then on, queued or indexed.
        let moved = update("Feed A", [entry("a1", title: "From A", link: "https://n.example/other", published: t0)],
                           at: t0.addingTimeInterval(120))
        #expect(try await store.apply(moved, toFeed: "http://a.example/feed") == ApplySummary(updated: 1))
        #expect(try folded() == ["From B +", "From A +"])
        try await store.indexPending()
        #expect(try await storyRows(store) == 2)
        #expect(try folded() == ["From B +", "From A +"])
    }

    @Test func aStoreWithItsIndexInsideIsMovedToTheIndexFileWhenOpened() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("v13-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // How version 13 left a store: the index and the story table inside it, one
        // article indexed, one still queued.
        let old = try DatabaseQueue(path: folder + "/" + Store.fileName)
        try Schema.migrator.migrate(old, upTo: "v13: tombstone links")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO feed (id, url, createdAt) VALUES (1, 'http://a.example/feed', 0), (2, 'http://b.example/feed', 0);
                INSERT INTO article (id, feedId, dedupKey, title, link, firstSeen, sortDate, content, fingerprint, storyHash)
                    VALUES (1, 1, 'guid:a1', 'From A', 'https://n.example/s', 0, 0, '<p>zebra</p>', 'x', 7),
                           (2, 2, 'guid:b1', 'From B', 'https://n.example/s', 0, 60, '<p>okapi</p>', 'y', 7);
                INSERT INTO article_fts (rowid, title, body) VALUES (1, 'From A', 'zebra');
                INSERT INTO story (storyHash, articleId) VALUES (7, 1);
                INSERT INTO search_pending (articleId) VALUES (2);
                """)
        }
        try old.close()
        let store = try Store(directory: folder, writable: true)
        #expect(try store.pendingSearchCount() == 2)  // everything is indexed again, in the new file
        #expect(try store.articles(ArticleQuery()).first?.alsoIn == ["http://a.example/feed"])  // found through the queue
        while try await store.indexPending() > 0 {}
        #expect(try store.search("zebra").map(\.article.title) == ["From A"])
        #expect(try store.search("okapi").map(\.article.title) == ["From B"])
        #expect(try await storyRows(store) == 2)
        #expect(try store.articles(ArticleQuery()).first?.alsoIn == ["http://a.example/feed"])
        let tables = try await store.writer!.read { db in try String.fetchAll(db, sql: "SELECT name FROM main.sqlite_schema") }
        #expect(!tables.contains("article_fts") && !tables.contains("story") && !tables.contains("search_pending"))
    }
}

/// `list` folds a story many feeds carried from the date index alone, and names every
/// other feed that carried it, wherever its copies are by date (found through the index
/// of story words or the queue).
@Suite struct StoryFoldingTests {
    /// What folding must give, worked out from every copy (newest first): each story's
    /// newest copy, naming the other feeds in the order of their newest copies.
    func expectedFolding(_ every: [StoredArticle], offset: Int, limit: Int?) -> [String] {
        var order: [StoredArticle] = []
        var feeds: [Int64: [String]] = [:]
        var unshared = 0
        for copy in every {
            guard let story = copy.story else {
                order.append(copy)
                unshared += 1
                continue
            }
            if feeds[story] == nil { order.append(copy) }
            if !feeds[story, default: []].contains(copy.feedTitle) { feeds[story, default: []].append(copy.feedTitle) }
        }
        let shown = order.dropFirst(offset).prefix(limit ?? Int.max)
        return shown.map { article in
            let others = article.story.map { feeds[$0, default: []].filter { $0 != article.feedTitle } } ?? []
            return "\(article.title ?? "") @\(article.feedTitle) +\(others.joined(separator: ","))"
        }
    }

    func folded(_ store: Store, offset: Int = 0, limit: Int?) throws -> [String] {
        var query = ArticleQuery(limit: limit)
        query.offset = offset
        return try store.articles(query).map { "\($0.title ?? "") @\($0.feedTitle) +\($0.alsoIn.joined(separator: ","))" }
    }

    @Test(arguments: [false, true])
    func storiesInManyFeedsFoldToTheirNewestCopyNamingEveryOtherFeed(indexed: Bool) async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        let hour = 3600.0
        // 24 feeds carry stories 0-5 at the same date (adjacent by date, as when one
        // document is syndicated); feed 7 carries story 2 a day late and feed 9 carries
        // story 0 a week early (far from the rest by date); each feed has a story of its own.
        for feed in 0..<24 {
            var entries = (0..<6).map { story in
                entry("s\(story)", title: "Story \(story)", link: "https://news.example/\(story)",
                      published: t0.addingTimeInterval(Double(-story) * hour))
            }
            entries.append(entry("own", title: "Own \(feed)", link: "https://feed\(feed).example/own",
                                 published: t0.addingTimeInterval(Double(-feed) * 0.25 * hour)))
            if feed == 7 { entries[2] = entry("s2", title: "Story 2, late", link: "https://news.example/2",
                                             published: t0.addingTimeInterval(86_400)) }
            if feed == 9 { entries[0] = entry("s0", title: "Story 0", link: "https://news.example/0",
                                             published: t0.addingTimeInterval(-7 * 86_400)) }
            let update = FeedUpdate(result: .fetched(title: "Feed \(feed)", siteLink: nil, entries: entries),
                                    fetchedAt: t0, nextDueAt: t0)
            try await store.apply(update, toFeed: "http://feed\(feed).example/rss")
        }
        if indexed { while try await store.indexPending() > 0 {} }
        let every = try store.articles(ArticleQuery(allCopies: true))
        #expect(every.count == 24 * 7)
        for (offset, limit) in [(0, nil), (0, 1), (0, 3), (0, 10), (2, 5), (5, 30), (29, 5)] as [(Int, Int?)] {
            let got = try folded(store, offset: offset, limit: limit)
            #expect(got == expectedFolding(every, offset: offset, limit: limit), "offset \(offset) limit \(String(describing: limit))")
        }
        let first = try folded(store, limit: 2)
        // Same date: the later stored first.
        #expect(first[0] == "Story 2, late @Feed 7 +" + (0..<24).reversed().filter { $0 != 7 }.map { "Feed \($0)" }.joined(separator: ","))
        #expect(first[1].hasPrefix("Story 0 @Feed 23 +Feed 22,") && first[1].hasSuffix(",Feed 0,Feed 9"))
        #expect(try store.articles(ArticleQuery(limit: 30)).count == 6 + 24)
    }

    /// The first pass reads the date index alone (no article rows, no feed rows): with
    /// a story in 200 feeds, reading the rows made `list --limit 50` five times slower.
    @Test func theFirstPassReadsOnlyTheDateIndex() throws {
        let temp = try TemporaryStore()
        let selection = ArticleSelection(ArticleQuery(limit: 50), context: ReadingContext(lastId: 0), hasSearchIndex: false)
        let plan = try temp.store.writer!.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Store.foldingPass(selection)).map { $0["detail"] as String }
        }
        #expect(plan == ["SCAN a USING COVERING INDEX article_sortDate"])
        // A filter by feed joins the feed; one by date still reads the index alone.
        #expect(ArticleSelection(ArticleQuery(feed: "x"), context: ReadingContext(lastId: 0), hasSearchIndex: false)
            .sql(select: "a.id", columnsReadFeed: false).contains("JOIN feed f"))
        #expect(!ArticleSelection(ArticleQuery(since: t0), context: ReadingContext(lastId: 0), hasSearchIndex: false)
            .sql(select: "a.id", columnsReadFeed: false).contains("JOIN feed f"))
    }
}
