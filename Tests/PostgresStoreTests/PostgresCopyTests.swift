import Config
import FeedParser
import Foundation
import PostgresStore
import Store
import TestSupport
import Testing

/// A SQLite store copied into a real PostgreSQL answers every reading question the same
/// way; a copy started again goes on after what is there.
@Suite struct PostgresCopyTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// Two feeds sharing a story, a tag, a pruned article (tombstone), a host pause, a
    /// skipped item, bodies with tabs, backslashes and newlines (COPY's escapes), and a
    /// long body (SQLite compresses it).
    func sampleStore() async throws -> (folder: String, store: Store) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pgcopy-\(UUID().uuidString)").path
        let store = try Store(directory: folder, writable: true)
        var world = FeedSubscription(url: "http://a.example/feed", title: "World", tags: ["news", "world"], intervalSeconds: 1800)
        world.keepCount = 3
        let science = FeedSubscription(url: "http://b.example/feed", tags: ["science"], intervalSeconds: 3600)
        try store.syncFeeds([world, science])
        let long = String(repeating: "Innovation keeps the door open. ", count: 400)
        var entries: [ParsedEntry] = []
        for index in 1...6 {
            entries.append(ParsedEntry(id: "a\(index)", title: "World item \(index)", link: "http://a.example/\(index)",
                                       published: t0.addingTimeInterval(Double(index) * 3600),
                                       authors: [ParsedPerson(name: "Writer \(index)")],
                                       summary: "Tab\there, back\\slash, new\nline \(index)",
                                       categories: ["c\(index)", "shared"]))
        }
        entries.append(ParsedEntry(id: "shared", title: "Innovation door stays open", link: "http://shared.example/story",
                                   published: t0.addingTimeInterval(8 * 3600), content: long))
        var update = FeedUpdate(result: .fetched(title: "World (own title)", siteLink: "http://a.example/", entries: entries),
                                fetchedAt: t0, nextDueAt: t0.addingTimeInterval(1800), etag: .some("\"v1\""))
        update.skipped = [0: "skip=title:never"]
        _ = try await store.apply(update, toFeed: world.url)
        // The next document holds two new items only: the older ones may be pruned (keep=3).
        _ = try await store.apply(FeedUpdate(
            result: .fetched(title: "World (own title)", siteLink: "http://a.example/", entries: [
                ParsedEntry(id: "a7", title: "World item 7", link: "http://a.example/7", published: t0.addingTimeInterval(10 * 3600)),
                ParsedEntry(id: "a8", title: "World item 8", link: "http://a.example/8", published: t0.addingTimeInterval(11 * 3600)),
            ]), fetchedAt: t0.addingTimeInterval(1800), nextDueAt: t0.addingTimeInterval(3600)), toFeed: world.url)
        var second = FeedUpdate(
            result: .fetched(title: "Science", siteLink: nil, entries: [
                ParsedEntry(id: "s1", title: "A study of innovation", link: "http://b.example/s1",
                            published: t0.addingTimeInterval(2 * 3600),
                            summary: "Researchers\treport: back\\slash \\N, new\nline, CR\r\nend."),
                ParsedEntry(id: "s-shared", title: "Innovation door stays open", link: "http://shared.example/story",
                            published: t0.addingTimeInterval(9 * 3600), content: "Also here."),
                ParsedEntry(id: nil, title: "Undated note", link: nil, content: "No date, no link."),
            ]),
            fetchedAt: t0, nextDueAt: t0.addingTimeInterval(3600))
        second.hostPause = HostPause(host: "b.example", until: Date().addingTimeInterval(3600), status: 429)
        _ = try await store.apply(second, toFeed: science.url)
        _ = try await store.prune(now: t0.addingTimeInterval(86_400))
        while try await store.indexPending(limit: 1000) > 0 {}
        return (folder, store)
    }

    @Test func aCopyAnswersEveryQuestionAsTheOriginal() async throws {
        let (folder, store) = try await sampleStore()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = try ThrowawayPostgres.newDatabase()
        let address = try PostgresAddress.parse(url)
        let postgres = try await PostgresStore.open(address, create: true)
        let summary = try await postgres.closing { try await $0.copy(from: store, batch: 3) }
        for table in Store.copiedTables {
            #expect(summary.copied[table, default: 0] == (try store.rowCount(table: table)), "\(table)")
        }
        #expect(try store.rowCount(table: "tombstone") > 0)
        // Counted by psql, not by the code under test.
        #expect(try ThrowawayPostgres.psql(url, "SELECT count(*) FROM article") == String(try store.articleCount()))

        let reader = try await PostgresStore.open(address, create: false)
        try await reader.closing { reader in
            var queries: [(String, ArticleQuery)] = [
                ("all", ArticleQuery()),
                ("all copies", ArticleQuery(allCopies: true)),
                ("limit 2", ArticleQuery(limit: 2)),
                ("since", ArticleQuery(since: t0.addingTimeInterval(5 * 3600))),
                ("until", ArticleQuery(until: t0.addingTimeInterval(5 * 3600))),
                ("feed by title", ArticleQuery(feed: "world")),
                ("feed by url", ArticleQuery(feed: "http://b.example/feed")),
                ("feed by tag", ArticleQuery(feed: "science")),
            ]
            var tagged = ArticleQuery()
            tagged.tag = "news"
            var paged = ArticleQuery(limit: 2)
            paged.offset = 2
            var words = ArticleQuery()
            words.search = "innovation"
            queries += [("tag", tagged), ("offset", paged), ("search", words)]
            for (name, query) in queries {
                let expected = try store.articles(query)
                let got = try await reader.articles(query)
                if name == "search" {
                    #expect(Set(got.map(\.id)) == Set(expected.map(\.id)), "\(name)")
                } else {
                    #expect(got == expected, "\(name)")
                }
                #expect(!expected.isEmpty, "\(name) should find something")
            }
            #expect(try await reader.feeds() == (try store.feeds()))
            #expect(try await reader.hostPauses() == (try store.hostPauses()))
            #expect(try await reader.skippedCounts() == (try store.skippedCounts()))

            // Search: the title match ranks first; the snippet marks the words.
            let results = try await reader.search("innovation", limit: 5)
            #expect(results.first?.article.title == "Innovation door stays open")
            #expect(results.first?.article.alsoIn.count == 1)
            #expect(results.contains { $0.snippet.contains("[Innovation]") })
            #expect(try await reader.search("innovation", limit: 5, allCopies: true).count == 3)
        }
        store.finishWriting()
    }

    @Test func aCopyStartedAgainGoesOnAfterWhatIsThere() async throws {
        let (folder, store) = try await sampleStore()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let address = try PostgresAddress.parse(try ThrowawayPostgres.newDatabase())
        let postgres = try await PostgresStore.open(address, create: true)
        try await postgres.closing { postgres in
            let first = try await postgres.copy(from: store)
            let articles = try store.articleCount()
            #expect(first.copied["article"] == articles)
            // More arrives in the source (as if the first copy had stopped part way).
            _ = try await store.apply(FeedUpdate(
                result: .fetched(title: "Science", siteLink: nil, entries: [
                    ParsedEntry(id: "s9", title: "Later", link: "http://b.example/s9", published: t0.addingTimeInterval(20 * 3600)),
                ]), fetchedAt: t0.addingTimeInterval(60), nextDueAt: t0.addingTimeInterval(3660)), toFeed: "http://b.example/feed")
            let again = try await postgres.copy(from: store)
            #expect(again.alreadyThere["article"] == articles)
            #expect(again.copied["article"] == 1)
            #expect(try await postgres.articleCount() == articles + 1)
            #expect(try await postgres.articles(ArticleQuery(limit: 1)).first?.title == "Later")
        }
        store.finishWriting()
    }

    @Test func thereAndBackAgainLosesNothing() async throws {
        let (folder, store) = try await sampleStore()
        let back = FileManager.default.temporaryDirectory.appendingPathComponent("pgback-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder); try? FileManager.default.removeItem(atPath: back) }
        let address = try PostgresAddress.parse(try ThrowawayPostgres.newDatabase())
        let returned = try Store(directory: back, writable: true)
        try await PostgresStore.open(address, create: true).closing { postgres in
            _ = try await postgres.copy(from: store)
            let summary = try await postgres.copy(into: returned, batch: 2)
            for table in Store.copiedTables {
                #expect(summary.copied[table, default: 0] == (try store.rowCount(table: table)), "\(table)")
            }
        }
        while try await returned.indexPending(limit: 1000) > 0 {}
        var words = ArticleQuery()
        words.search = "innovation"
        for query in [ArticleQuery(), ArticleQuery(allCopies: true), ArticleQuery(feed: "science"), words] {
            #expect(try returned.articles(query) == (try store.articles(query)))
        }
        #expect(try returned.feeds() == (try store.feeds()))
        #expect(try returned.hostPauses() == (try store.hostPauses()))
        #expect(try returned.skippedCounts() == (try store.skippedCounts()))
        for table in ["tombstone", "outbox"] {
            #expect(try returned.copyBatch(table: table).rows == (try store.copyBatch(table: table).rows), "\(table)")
        }
        returned.finishWriting()
        store.finishWriting()
    }

    @Test func aStoreThatIsNotThereOrCannotBeReachedSaysSo() async throws {
        let empty = try PostgresAddress.parse(try ThrowawayPostgres.newDatabase())
        await #expect {
            _ = try await PostgresStore.open(empty, create: false)
        } throws: { error in
            (error as? PostgresStore.Failure)?.kind == .missing
                && "\(error)".contains("nothing collected yet")
        }
        let nowhere = try PostgresAddress.parse("postgresql://aggregator@127.0.0.1:1/none?sslmode=disable")
        await #expect {
            _ = try await PostgresStore.open(nowhere, create: false)
        } throws: { error in
            (error as? PostgresStore.Failure)?.kind == .unreachable && "\(error)".contains("connection refused")
        }
    }
}
