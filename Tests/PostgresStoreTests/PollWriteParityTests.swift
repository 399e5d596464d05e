import Config
import FeedParser
import Foundation
import PostgresStore
import Store
import TestSupport
import Testing

/// The rules of writing a poll, checked on both backends by one scenario: each step is
/// applied to a SQLite store and to a PostgreSQL store, and both must answer alike —
/// the summary, every article as `list --all` reads it (stories folded across feeds),
/// and the feed's state (validators, errors, outcome, identity). The scenario is written
/// once; the backends are its parameter.
@Suite struct PollWriteParityTests {
    /// What the scenario needs of a store.
    protocol Backend: Sendable {
        func sync(_ subscriptions: [FeedSubscription]) async throws
        func apply(_ update: FeedUpdate, to url: String) async throws -> ApplySummary
        func articles() async throws -> [StoredArticle]
        func feed(_ url: String) async throws -> FeedState?
        func hostPause(_ host: String, now: Date) async throws -> HostPause?
    }

    final class SQLiteBackend: Backend {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)").path
        let store: Store
        init() throws { store = try Store(directory: folder, writable: true) }
        deinit { try? FileManager.default.removeItem(atPath: folder) }
        func sync(_ subscriptions: [FeedSubscription]) async throws { try store.syncFeeds(subscriptions) }
        func apply(_ update: FeedUpdate, to url: String) async throws -> ApplySummary { try await store.apply(update, toFeed: url) }
        func articles() async throws -> [StoredArticle] { try store.articles(ArticleQuery()) }
        func feed(_ url: String) async throws -> FeedState? { try store.feed(url: url) }
        func hostPause(_ host: String, now: Date) async throws -> HostPause? { try store.hostPause(host: host, now: now) }
    }

    final class PostgresBackend: Backend {
        let store: PostgresStore
        let url: String
        init() async throws {
            url = try ThrowawayPostgres.newDatabase()
            store = try await PostgresStore.open(try PostgresAddress.parse(url), create: true)
        }
        func sync(_ subscriptions: [FeedSubscription]) async throws {
            _ = try await store.syncFleetFeeds(subscriptions, stamp: .init(subscriptions: subscriptions, fileTime: 1),
                                               daemon: "test:1", host: { URLComponents(string: $0)?.host })
        }
        func apply(_ update: FeedUpdate, to url: String) async throws -> ApplySummary { try await store.apply(update, toFeed: url) }
        func articles() async throws -> [StoredArticle] { try await store.articles(ArticleQuery()) }
        func feed(_ url: String) async throws -> FeedState? { try await store.feed(url: url) }
        func hostPause(_ host: String, now: Date) async throws -> HostPause? { try await store.hostPause(host: host, now: now) }
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let world = "http://world.example/feed", tech = "http://tech.example/feed"

    static func entry(_ id: String?, _ title: String, link: String? = nil, hoursAgo: Double = 1, content: String? = nil) -> ParsedEntry {
        ParsedEntry(id: id, title: title, link: link, published: t0.addingTimeInterval(-hoursAgo * 3600), content: content)
    }

    static func fetched(_ entries: [ParsedEntry], at minutes: Double, etag: String? = nil, skipped: [Int: String] = [:]) -> FeedUpdate {
        let at = t0.addingTimeInterval(minutes * 60)
        var update = FeedUpdate(result: .fetched(title: "Title", siteLink: "http://site.example/", entries: entries),
                                fetchedAt: at, nextDueAt: at.addingTimeInterval(1800), etag: etag.map { .some($0) })
        update.skipped = skipped
        update.bodyHash = "body-\(minutes)"
        return update
    }

    /// The steps, each with what it is about: (feed, update).
    static let steps: [(String, String, FeedUpdate)] = {
        let a = entry("a", "First"), b = entry("b", "Shared", link: "https://shared.example/s", hoursAgo: 2)
        let c = entry("c", "Third", hoursAgo: 3, content: "<p>Body</p>")
        var steps: [(String, String, FeedUpdate)] = [
            ("first body", world, fetched([a, b, c], at: 0, etag: "\"v1\"")),
            ("the same again: nothing written", world, fetched([a, b, c], at: 1, etag: "\"v1\"")),
            ("the shared story from a second feed", tech, fetched([entry("t1", "Shared", link: "https://shared.example/s")], at: 2)),
            ("one changed in place, one new", world,
             fetched([entry("a", "First, corrected"), b, c, entry("d", "Fourth", hoursAgo: 0.5)], at: 3, etag: "\"v2\"")),
            ("not modified", world, FeedUpdate(result: .notModified, fetchedAt: t0.addingTimeInterval(240),
                                               nextDueAt: t0.addingTimeInterval(2040))),
        ]
        for minute in [5.0, 6.0] {
            steps.append(("a failure that counts", world, FeedUpdate(result: .failed(message: "HTTP 500"),
                          fetchedAt: t0.addingTimeInterval(minute * 60), nextDueAt: t0.addingTimeInterval(minute * 60 + 600))))
        }
        var busy = FeedUpdate(result: .failed(message: "HTTP 429, host asked to wait 10m"), fetchedAt: t0.addingTimeInterval(420),
                              nextDueAt: t0.addingTimeInterval(1020))
        busy.hostPause = HostPause(host: "world.example", until: t0.addingTimeInterval(1020), status: 429)
        steps.append(("a host asking to wait", world, busy))
        steps.append(("an offline failure that does not count", world,
                      FeedUpdate(result: .failed(message: "offline", counts: false), fetchedAt: t0.addingTimeInterval(480),
                                 nextDueAt: t0.addingTimeInterval(1080))))
        steps.append(("skip= keeps one out", world,
                      fetched([entry("a", "First, corrected"), entry("e", "Sponsored post"), entry("f", "Fifth")], at: 9,
                              skipped: [1: "skip=title:sponsored"])))
        steps.append(("the rule dropped: the skipped one is stored", world,
                      fetched([entry("e", "Sponsored post"), entry("f", "Fifth")], at: 10)))
        // Guids that cannot tell items apart: the feed switches to links, and what is
        // stored under a guid is not stored again under its link.
        let same = [entry("x", "One", link: "https://t.example/1"), entry("x", "Two", link: "https://t.example/2"),
                    entry("x", "Three", link: "https://t.example/3")]
        steps.append(("unreliable guids", tech, fetched(same, at: 11)))
        steps.append(("the same under link identity", tech, fetched(same + [entry("x", "Four", link: "https://t.example/4")], at: 12)))
        steps.append(("gone", tech, FeedUpdate(result: .gone, fetchedAt: t0.addingTimeInterval(780), nextDueAt: .distantFuture)))
        return steps
    }()

    /// What is compared: everything a reader sees, not the backends' row ids.
    struct Seen: Equatable, CustomStringConvertible {
        var articles: [String]
        var feeds: [FeedState?]
        var pause: HostPause?
        var description: String { articles.joined(separator: "\n") + "\n\(feeds)\n\(String(describing: pause))" }
    }

    static func seen(_ backend: any Backend, at now: Date) async throws -> Seen {
        let articles = try await backend.articles().map { article in
            [article.feedURL, article.guid ?? "-", article.title ?? "-", article.link ?? "-", "\(article.date)",
             "\(article.firstSeen)", "\(article.changedAt.map { "\($0)" } ?? "-")", article.content ?? "-",
             article.alsoIn.joined(separator: ",")].joined(separator: " | ")
        }
        var feeds: [FeedState?] = []
        for url in [world, tech] {
            var feed = try await backend.feed(url)
            feed?.id = 0
            feeds.append(feed)
        }
        return Seen(articles: articles, feeds: feeds, pause: try await backend.hostPause("world.example", now: now))
    }

    @Test func bothBackendsWriteEveryStepAlike() async throws {
        let sqlite = try SQLiteBackend()
        let postgres = try await PostgresBackend()
        let subscriptions = [FeedSubscription(url: Self.world, title: "World", tags: ["news"], intervalSeconds: 1800, configKey: "w"),
                             FeedSubscription(url: Self.tech, intervalSeconds: 1800, configKey: "t")]
        try await sqlite.sync(subscriptions)
        try await postgres.sync(subscriptions)
        for (what, url, update) in Self.steps {
            let fromSQLite = try await sqlite.apply(update, to: url)
            let fromPostgres = try await postgres.apply(update, to: url)
            #expect(fromPostgres == fromSQLite, "\(what): \(fromPostgres) vs \(fromSQLite)")
            let now = update.fetchedAt
            let a = try await Self.seen(sqlite, at: now), b = try await Self.seen(postgres, at: now)
            #expect(b == a, "\(what):\nPostgreSQL\n\(b)\nSQLite\n\(a)")
        }
        // The scenario did reach its cases (a test that cannot fail is none).
        let final = try await Self.seen(postgres, at: Self.t0)
        #expect(final.articles.count == 10, "\(final)")  // world's copy of the shared story folded into tech's
        #expect(final.articles.contains { $0.contains("First, corrected") })
        #expect(final.feeds[1]?.isGone == true)
        await postgres.store.close()
    }

    /// A retention tombstone keeps a pruned article from coming back, on PostgreSQL too.
    @Test func aTombstonedKeyDoesNotComeBack() async throws {
        let postgres = try await PostgresBackend()
        try await postgres.sync([FeedSubscription(url: Self.world, intervalSeconds: 1800, configKey: "w")])
        _ = try ThrowawayPostgres.psql(postgres.url, "INSERT INTO tombstone (feedId, dedupKey, prunedAt) SELECT id, 'id:a', 0 FROM feed")
        let summary = try await postgres.apply(Self.fetched([Self.entry("a", "Old"), Self.entry("b", "New")], at: 0), to: Self.world)
        #expect(summary.inserted == 1 && summary.unchanged == 1)
        #expect(try await postgres.articles().map(\.title) == ["New"])
        await postgres.store.close()
    }
}
