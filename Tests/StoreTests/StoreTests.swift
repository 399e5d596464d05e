import FeedParser
import Foundation
import GRDB
import GRDBSQLite
import Testing
@testable import Store

/// A store in a fresh temporary folder.
final class TemporaryStore {
    let folder: String
    let store: Store

    init(limits: Store.MemoryLimits = Store.MemoryLimits()) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)").path
        store = try Store(directory: folder, writable: true, limits: limits)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }
}

let feedURL = "http://example.org/feed.xml"
let t0 = Date(timeIntervalSince1970: 1_700_000_000)

func entry(_ id: String?, title: String, link: String? = nil, published: Date? = nil, content: String? = nil) -> ParsedEntry {
    ParsedEntry(id: id, title: title, link: link, published: published, content: content)
}

func fetched(_ entries: [ParsedEntry], at date: Date = t0, etag: String?? = nil) -> FeedUpdate {
    FeedUpdate(result: .fetched(title: "Example", siteLink: "http://example.org/", entries: entries),
               fetchedAt: date, nextDueAt: date.addingTimeInterval(1800), etag: etag)
}

@Suite struct StoreTests {
    @Test func usesWALMode() throws {
        let temp = try TemporaryStore()
        let mode = try temp.store.reader.read { (db: Database) in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func insertsThenWritesNothingForAnUnchangedFeed() async throws {
        let temp = try TemporaryStore()
        let entries = [entry("a", title: "A", published: t0), entry("b", title: "B", published: t0)]
        let first = try await temp.store.apply(fetched(entries), toFeed: feedURL)
        #expect(first == ApplySummary(inserted: 2, updated: 0, unchanged: 0))

        let second = try await temp.store.apply(fetched(entries, at: t0.addingTimeInterval(60)), toFeed: feedURL)
        #expect(second == ApplySummary(inserted: 0, updated: 0, unchanged: 2))
        #expect(try temp.store.articleCount() == 2)
        #expect(try temp.store.articles(ArticleQuery()).allSatisfy { $0.changedAt == nil && $0.firstSeen == t0 })
    }

    @Test func aChangedArticleIsUpdatedInPlaceAndKeepsItsFirstSeenTime() async throws {
        let temp = try TemporaryStore()
        try await temp.store.apply(fetched([entry("a", title: "Old title")]), toFeed: feedURL)
        let later = t0.addingTimeInterval(3600)
        let summary = try await temp.store.apply(fetched([entry("a", title: "New title")], at: later), toFeed: feedURL)
        #expect(summary == ApplySummary(inserted: 0, updated: 1, unchanged: 0))
        let article = try #require(try temp.store.articles(ArticleQuery()).first)
        #expect(article.title == "New title")
        #expect(article.firstSeen == t0)
        #expect(article.changedAt == later)
        #expect(article.date == t0)  // undated: sorts by first seen, which did not move
    }

    @Test func dedupKeyIsGuidThenLinkThenContentHash() async throws {
        let temp = try TemporaryStore()
        // Mostly with guids, so the feed stays identified by guid (see LinkIdentityTests).
        let others = [entry("g2", title: "two"), entry("g3", title: "three")]
        try await temp.store.apply(fetched([
            entry("g", title: "by guid", link: "http://example.org/1"),
            entry(nil, title: "by link", link: "http://example.org/2"),
            entry(nil, title: "by hash", content: "body"),
        ] + others), toFeed: feedURL)
        // Same identities, with the guid article's link changed and the others rewritten.
        let summary = try await temp.store.apply(fetched([
            entry("g", title: "by guid", link: "http://example.org/1-moved"),
            entry(nil, title: "by link, retitled", link: "http://example.org/2"),
            entry(nil, title: "by hash", content: "body"),
        ] + others, at: t0.addingTimeInterval(10)), toFeed: feedURL)
        #expect(summary == ApplySummary(inserted: 0, updated: 2, unchanged: 3))
        #expect(try temp.store.articleCount() == 5)
    }

    @Test func repeatedGuidsInOneDocumentAreToldApart() {
        let keys = DedupKey.keys(for: [
            entry("same", title: "1", link: "http://e/1"), entry("same", title: "2", link: "http://e/2"),
            entry("same", title: "3", link: "http://e/2"), entry(nil, title: "t", content: "c"),
        ])
        #expect(Set(keys).count == 4)
        #expect(keys[0] == "id:same")
        #expect(keys[1] == "id:same#link:http://e/2")
        #expect(keys[3].hasPrefix("hash:"))
        #expect(DedupKey.keys(for: [entry(nil, title: "t", content: "c")]) == [keys[3]])  // stable
    }

    @Test func listsNewestFirstWithSinceUntilFeedAndLimit() async throws {
        let temp = try TemporaryStore()
        let day: TimeInterval = 86400
        try await temp.store.apply(fetched([
            entry("old", title: "Old", published: t0.addingTimeInterval(-10 * day)),
            entry("mid", title: "Mid", published: t0.addingTimeInterval(-5 * day)),
            entry("new", title: "New", published: t0.addingTimeInterval(-1 * day)),
        ]), toFeed: feedURL)
        try await temp.store.apply(fetched([entry("x", title: "Other", published: t0)]), toFeed: "http://other.example/")
        try temp.store.syncFeeds([FeedSubscription(url: feedURL, title: "My Feed", intervalSeconds: 60)])

        #expect(try temp.store.articles(ArticleQuery()).map(\.title) == ["Other", "New", "Mid", "Old"])
        #expect(try temp.store.articles(ArticleQuery(since: t0.addingTimeInterval(-6 * day))).map(\.title)
            == ["Other", "New", "Mid"])
        #expect(try temp.store.articles(ArticleQuery(until: t0.addingTimeInterval(-5 * day))).map(\.title) == ["Old"])
        #expect(try temp.store.articles(ArticleQuery(feed: "my feed")).map(\.title) == ["New", "Mid", "Old"])
        #expect(try temp.store.articles(ArticleQuery(feed: "Example")).count == 4)  // the document's own title
        #expect(try temp.store.articles(ArticleQuery(feed: feedURL, limit: 1)).map(\.feedTitle) == ["My Feed"])
    }

    @Test func fetchStateAndValidatorsAreKeptEachOnItsOwn() async throws {
        let temp = try TemporaryStore()
        try await temp.store.apply(fetched([], etag: .some("\"v1\"")), toFeed: feedURL)
        var state = try #require(try temp.store.feed(url: feedURL))
        #expect(state.etag == "\"v1\"")
        #expect(state.lastOutcome == .ok)

        // A failure keeps the validators and counts errors.
        for i in 1...2 {
            try await temp.store.apply(FeedUpdate(result: .failed(message: "HTTP 503"), fetchedAt: t0,
                                                  nextDueAt: t0.addingTimeInterval(60)), toFeed: feedURL)
            state = try #require(try temp.store.feed(url: feedURL))
            #expect(state.errorCount == i)
        }
        #expect(state.etag == "\"v1\"")
        #expect(state.lastError == "HTTP 503")
        #expect(state.lastOutcome == .error)

        // Not modified, with a new Last-Modified but no ETag: only Last-Modified changes.
        try await temp.store.apply(FeedUpdate(result: .notModified, fetchedAt: t0, nextDueAt: t0,
                                              etag: nil, lastModified: .some("Mon, 01 Jan 2024 00:00:00 GMT")),
                                   toFeed: feedURL)
        state = try #require(try temp.store.feed(url: feedURL))
        #expect(state.etag == "\"v1\"")
        #expect(state.lastModified == "Mon, 01 Jan 2024 00:00:00 GMT")
        #expect(state.errorCount == 0)
        #expect(state.lastOutcome == .notModified)
        #expect(state.lastError == nil)
    }

    @Test func aResponseWithoutValidatorsClearsTheStoredOnes() async throws {
        let temp = try TemporaryStore()
        try await temp.store.apply(fetched([], etag: .some("\"v1\"")), toFeed: feedURL)
        try await temp.store.apply(
            FeedUpdate(result: .fetched(title: nil, siteLink: nil, entries: []), fetchedAt: t0, nextDueAt: t0,
                       etag: .some(nil), lastModified: .some(nil)),
            toFeed: feedURL)
        let state = try #require(try temp.store.feed(url: feedURL))
        #expect(state.etag == nil)
        #expect(state.title == "Example")  // a document without a title keeps the one we had
        #expect(state.siteLink == "http://example.org/")
    }

    @Test func aGoneFeedStaysGoneUntilItsConfigLineChanges() async throws {
        let temp = try TemporaryStore()
        try temp.store.syncFeeds([FeedSubscription(url: feedURL, intervalSeconds: 60, configKey: "line-1")])
        try await temp.store.apply(FeedUpdate(result: .gone, fetchedAt: t0, nextDueAt: .distantFuture), toFeed: feedURL)
        var state = try #require(try temp.store.feed(url: feedURL))
        #expect(state.isGone)
        #expect(state.lastOutcome == .gone)
        #expect(state.nextDueAt == .distantFuture)
        try temp.store.syncFeeds([FeedSubscription(url: feedURL, intervalSeconds: 60, configKey: "line-1")])
        #expect(try temp.store.feed(url: feedURL)?.isGone == true)  // same line: still gone
        try temp.store.syncFeeds([FeedSubscription(url: feedURL, title: "Renamed", intervalSeconds: 60, configKey: "line-2")])
        state = try #require(try temp.store.feed(url: feedURL))
        #expect(!state.isGone)
    }

    @Test func syncFeedsAddsUpdatesAndRetiresFeedsButKeepsTheirArticles() async throws {
        let temp = try TemporaryStore()
        try temp.store.syncFeeds([FeedSubscription(url: "http://a/", title: "A", tags: ["x"], intervalSeconds: 60),
                                  FeedSubscription(url: "http://b/", intervalSeconds: 60)])
        try await temp.store.apply(fetched([entry("1", title: "kept")]), toFeed: "http://b/")
        try temp.store.syncFeeds([FeedSubscription(url: "http://a/", title: "A2", tags: ["y", "z"], intervalSeconds: 90)])
        let feeds = try temp.store.feeds()
        #expect(feeds.map(\.url) == ["http://a/"])
        #expect(feeds[0].configTitle == "A2")
        #expect(feeds[0].tags == ["y", "z"])
        #expect(try temp.store.feeds(includingRemoved: true).count == 2)
        #expect(try temp.store.articles(ArticleQuery()).map(\.title) == ["kept"])
    }

    @Test func aReadOnlyStoreReadsWhatTheWriterWrote() async throws {
        let temp = try TemporaryStore()
        try await temp.store.apply(fetched([entry("1", title: "one")]), toFeed: feedURL)
        let reader = try Store(directory: temp.folder, writable: false)
        #expect(try reader.articles(ArticleQuery()).map(\.title) == ["one"])
        await #expect(throws: Store.OpenError.self) { try await reader.apply(fetched([]), toFeed: feedURL) }
    }

}

/// Feeds whose guids cannot tell items apart are identified by link, once and for good.
@Suite struct LinkIdentityTests {
    func item(_ n: Int, guid: String?) -> ParsedEntry {
        entry(guid, title: "Item \(n)", link: "https://site.example/\(n)", published: t0.addingTimeInterval(Double(n) * 60))
    }

    func titles(_ store: Store) throws -> [String] {
        try store.articles(ArticleQuery(allCopies: true)).compactMap(\.title)
    }

    @Test func oneGuidForEveryItemNeverOverwritesOrRepeats() async throws {
        let temp = try TemporaryStore()
        // Every item carries the site's address as its guid.
        let first = [3, 2, 1].map { item($0, guid: "https://site.example/") }
        #expect(try await temp.store.apply(fetched(first), toFeed: feedURL) == ApplySummary(inserted: 3))
        let second = [4, 3, 2, 1].map { item($0, guid: "https://site.example/") }
        #expect(try await temp.store.apply(fetched(second, at: t0.addingTimeInterval(60)), toFeed: feedURL)
            == ApplySummary(inserted: 1, unchanged: 3))
        #expect(try titles(temp.store) == ["Item 4", "Item 3", "Item 2", "Item 1"])
    }

    @Test func guidsThatComeAndGoDoNotDuplicate() async throws {
        let temp = try TemporaryStore()
        // First mostly without guids (identified by link from then on), then with them.
        let first = [item(3, guid: nil), item(2, guid: nil), item(1, guid: "g1")]
        #expect(try await temp.store.apply(fetched(first), toFeed: feedURL) == ApplySummary(inserted: 3))
        let second = [item(3, guid: "g3"), item(2, guid: "g2"), item(1, guid: "g1")]
        #expect(try await temp.store.apply(fetched(second, at: t0.addingTimeInterval(60)), toFeed: feedURL)
            == ApplySummary(updated: 2, unchanged: 1))  // guids are new field values, not new articles
        #expect(try titles(temp.store) == ["Item 3", "Item 2", "Item 1"])
    }

    @Test func aFeedWhoseGuidsBreakLaterKeepsItsArticles() async throws {
        let temp = try TemporaryStore()
        let good = [3, 2, 1].map { item($0, guid: "g\($0)") }
        #expect(try await temp.store.apply(fetched(good), toFeed: feedURL) == ApplySummary(inserted: 3))
        // The publisher's software now gives every item the same guid.
        let broken = [4, 3, 2, 1].map { item($0, guid: "same") }
        let summary = try await temp.store.apply(fetched(broken, at: t0.addingTimeInterval(60)), toFeed: feedURL)
        #expect(summary.inserted == 1)
        #expect(try titles(temp.store) == ["Item 4", "Item 3", "Item 2", "Item 1"])
        // Identified by link for good, even when the guids look fine again.
        let again = [4, 3, 2, 1].map { item($0, guid: "new-\($0)") }
        #expect(try await temp.store.apply(fetched(again, at: t0.addingTimeInterval(120)), toFeed: feedURL).inserted == 0)
        #expect(try titles(temp.store).count == 4)
    }

    @Test func articlesPrunedBeforeTheSwitchStayPruned() async throws {
        let temp = try TemporaryStore()
        var subscription = FeedSubscription(url: feedURL, intervalSeconds: 1800)
        subscription.keepCount = 1
        try temp.store.syncFeeds([subscription])
        try await temp.store.apply(fetched([item(1, guid: "g1")]), toFeed: feedURL)
        try await temp.store.apply(fetched([item(2, guid: "g2")], at: t0.addingTimeInterval(60)), toFeed: feedURL)
        #expect(try await temp.store.prune(now: t0.addingTimeInterval(120)).articles == 1)  // item 1
        // Now every item shares one guid: the feed switches to links, item 1's tombstone with it.
        let broken = [3, 2, 1].map { item($0, guid: "same") }
        let summary = try await temp.store.apply(fetched(broken, at: t0.addingTimeInterval(180)), toFeed: feedURL)
        #expect(summary == ApplySummary(inserted: 1, updated: 1, unchanged: 1))  // 3 new, 2's guid changed, 1 pruned
        #expect(try titles(temp.store) == ["Item 3", "Item 2"])
    }

    @Test func uniqueGuidsKeepGuidIdentity() async throws {
        let temp = try TemporaryStore()
        try await temp.store.apply(fetched([item(1, guid: "g1"), item(2, guid: "g2")]), toFeed: feedURL)
        // A changed link under the same guid is the same article, updated.
        let moved = [entry("g1", title: "Item 1", link: "https://site.example/moved", published: t0.addingTimeInterval(60)),
                     item(2, guid: "g2")]
        #expect(try await temp.store.apply(fetched(moved, at: t0.addingTimeInterval(60)), toFeed: feedURL)
            == ApplySummary(updated: 1, unchanged: 1))
        #expect(!DedupKey.guidsAreUnreliable([item(1, guid: "g1"), item(2, guid: "g2"), item(3, guid: nil)]))
        #expect(DedupKey.guidsAreUnreliable([item(1, guid: "x"), item(2, guid: "x"), item(3, guid: "g3")]))
        #expect(!DedupKey.guidsAreUnreliable([item(1, guid: "x"), entry("x", title: "no link")]))  // links no better
    }
}

/// An error of our own making (not SQLite's).
private struct NotSQLiteError: Error {}

/// Updates arriving together share a transaction; each still lands whole and alone.
@Suite struct WriteCombinerTests {
    @Test func manyConcurrentUpdatesAllLandWithTheirOwnSummaries() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        let summaries = try await withThrowingTaskGroup(of: ApplySummary.self) { group in
            for feed in 0..<40 {
                group.addTask {
                    let entries = (0..<5).map { entry("f\(feed)-\($0)", title: "Item \($0)") }
                    return try await store.apply(fetched(entries), toFeed: "http://example.org/\(feed).xml")
                }
            }
            return try await group.reduce(into: [ApplySummary]()) { $0.append($1) }
        }
        #expect(summaries.count == 40)
        #expect(summaries.allSatisfy { $0 == ApplySummary(inserted: 5) })
        #expect(try temp.store.articleCount() == 200)
        #expect(try temp.store.feeds(includingRemoved: true).count == 40)
    }

    /// A batch is one transaction without savepoints: when one update in it fails, the
    /// batch is rolled back and every update written again alone.
    @Test func aFailingUpdateFailsAloneAndLeavesNothingBehind() async throws {
        let temp = try TemporaryStore()
        // Any article titled "poison" makes its insert fail.
        let queue = try DatabaseQueue(path: temp.folder + "/" + Store.fileName)
        try await queue.write { db in
            try db.execute(sql: """
                CREATE TRIGGER poison BEFORE INSERT ON article WHEN NEW.title = 'poison'
                BEGIN SELECT RAISE(ABORT, 'poisoned'); END
                """)
        }
        try queue.close()
        let store = temp.store
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for feed in 0..<40 {
                group.addTask {
                    var entries = (0..<5).map { entry("f\(feed)-\($0)", title: "Item \($0)") }
                    if feed % 10 == 7 { entries.append(entry("f\(feed)-bad", title: "poison")) }
                    let applied = try? await store.apply(fetched(entries), toFeed: "http://example.org/\(feed).xml")
                    return (feed, applied == ApplySummary(inserted: 5))
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 40)
        #expect(results.filter { !$0.value }.keys.sorted() == [7, 17, 27, 37])
        // The 36 good updates landed whole; nothing of the four poisoned ones did.
        #expect(try store.articleCount() == 36 * 5)
        #expect(try store.feeds(includingRemoved: true).count == 36)
    }

    /// Only a failure that may be one update's own is worth trying each update again:
    /// the classification the batch's fallback goes by.
    @Test func onlyFailuresThatMayBeOneUpdatesOwnCountAsSuch() {
        #expect(WriteCombiner.concernsOneUpdate(DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "poisoned")))
        #expect(WriteCombiner.concernsOneUpdate(DatabaseError(resultCode: .SQLITE_TOOBIG)))
        #expect(WriteCombiner.concernsOneUpdate(NotSQLiteError()))
        for code in [ResultCode.SQLITE_BUSY, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_LOCKED] {
            #expect(!WriteCombiner.concernsOneUpdate(DatabaseError(resultCode: code)), "\(code)")
        }
        #expect(!WriteCombiner.concernsOneUpdate(CancellationError()))
    }
}

@Suite struct JSONTextTests {
    static let samples: [[String]] = [["plain", "with \"quotes\" and \\", "line\nbreak\ttab", "ctrl \u{01}", "日本語 / slash"], []]

    @Test(arguments: samples)
    func matchesJSONEncoderForStrings(values: [String]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(values), as: UTF8.self)
        #expect(JSONText.encode(values) == expected)
        #expect(JSONText.decodeStrings(JSONText.encode(values)) == values)
    }

    @Test func enclosuresKeepTheirShape() {
        let text = JSONText.encode([ParsedEnclosure(url: "http://e.org/a.mp3", type: "audio/mpeg", length: 12),
                                    ParsedEnclosure(url: "http://e.org/b")])
        #expect(text == #"[{"url":"http://e.org/a.mp3","type":"audio/mpeg","length":12},{"url":"http://e.org/b","type":null,"length":null}]"#)
    }
}

/// One story, many feeds: canonical links fold copies into one listing.
@Suite struct FingerprintTests {
    @Test func theFastHashSeparatesPartsAndIsStable() {
        #expect(Hash.fast64Hex(["ab", "c"]) != Hash.fast64Hex(["a", "bc"]))
        #expect(Hash.fast64Hex(["abcdefgh", ""]) != Hash.fast64Hex(["abcdefgh"]))
        #expect(Hash.fast64Hex(["same text"]) == Hash.fast64Hex(["same text"]))
        #expect(Hash.fast64Hex(bytes: Array("0123456789".utf8)) != Hash.fast64Hex(bytes: Array("0123456788".utf8)))
        #expect(Hash.fast64Hex(["x"]).hasPrefix("2:"))
    }

    @Test func fingerprintsStoredByTheOldHashStillMatch() async throws {
        let temp = try TemporaryStore()
        let article = entry("g1", title: "Title", content: "Body")
        try await temp.store.apply(fetched([article]), toFeed: feedURL)
        // As an older version wrote it: FNV-1a over the same fields, no prefix.
        let legacy = Hash.fnv1a64Hex(["g1", "Title", "", "", "", "", "", "Body", "", ""])
        try await temp.store.writer!.write { db in
            try db.execute(sql: "UPDATE article SET fingerprint = ?", arguments: [legacy])
        }
        let again = try await temp.store.apply(fetched([article]), toFeed: feedURL)
        #expect(again == ApplySummary(unchanged: 1))
        let changed = try await temp.store.apply(fetched([entry("g1", title: "Title 2", content: "Body")]), toFeed: feedURL)
        #expect(changed == ApplySummary(updated: 1))
    }
}

/// keep=: what is pruned, what never is, and that pruned articles stay gone.
@Suite struct RetentionTests {
    let day = 86_400.0

    func subscribe(_ store: Store, days: Int? = nil, count: Int? = nil) throws {
        var subscription = FeedSubscription(url: feedURL, intervalSeconds: 1800)
        subscription.keepDays = days
        subscription.keepCount = count
        try store.syncFeeds([subscription])
    }

    func items(_ ids: [Int], at date: Date) -> [ParsedEntry] {
        ids.map { entry("g\($0)", title: "Item \($0)", published: date.addingTimeInterval(Double($0) * 60)) }
    }

    @Test func aCountKeepsTheNewestAndNeverWhatTheLatestDocumentHolds() async throws {
        let temp = try TemporaryStore()
        try subscribe(temp.store, count: 3)
        try await temp.store.apply(fetched(items([1, 2, 3, 4, 5], at: t0)), toFeed: feedURL)
        // The latest document holds only item 1 (the oldest): it stays, whatever the count.
        try await temp.store.apply(fetched(items([1], at: t0), at: t0.addingTimeInterval(60)), toFeed: feedURL)
        let summary = try await temp.store.prune(now: t0.addingTimeInterval(day))
        #expect(summary.articles == 1)  // item 2: not among the newest 3, not in the latest document
        #expect(summary.feeds == 1)
        let left = try temp.store.articles(ArticleQuery(allCopies: true)).map(\.title)
        #expect(left == ["Item 5", "Item 4", "Item 3", "Item 1"])
        #expect(try temp.store.feeds().first?.articleCount == 4)  // kept by the writer and by pruning

        // Item 2 was pruned: seen again, it is not new.
        let again = try await temp.store.apply(fetched(items([2], at: t0), at: t0.addingTimeInterval(120)), toFeed: feedURL)
        #expect(again == ApplySummary(unchanged: 1))
        #expect(try temp.store.articleCount() == 4)
    }

    @Test func daysPruneByDateAndNothingWithoutKeep() async throws {
        let temp = try TemporaryStore()
        try subscribe(temp.store)  // no keep=: everything stays
        try await temp.store.apply(fetched(items([1, 2], at: t0.addingTimeInterval(-40 * day))), toFeed: feedURL)
        try await temp.store.apply(fetched(items([3], at: t0), at: t0.addingTimeInterval(60)), toFeed: feedURL)
        #expect(try await temp.store.prune(now: t0) == PruneSummary())

        try subscribe(temp.store, days: 30)
        let summary = try await temp.store.prune(now: t0)
        #expect(summary.articles == 2)
        #expect(try temp.store.articles(ArticleQuery(allCopies: true)).map(\.title) == ["Item 3"])
    }
}

/// Full-text search: queued on store, indexed in batches, kept right through changes and pruning.
@Suite struct SearchTests {
    @Test func findsRanksAndFollowsChanges() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try await store.apply(fetched([
            entry("a", title: "Climate summit opens", content: "<p>Leaders meet.</p>"),
            entry("b", title: "Sports", content: "<p>The climate in the stadium was electric &amp; loud.</p>"),
            entry("c", title: "Café culture", content: "<p>Nothing here.</p>"),
        ]), toFeed: feedURL)
        #expect(try store.pendingSearchCount() == 3)
        #expect(try store.search("climate").isEmpty)  // not indexed yet
        #expect(try await store.indexPending() == 3)
        #expect(try store.pendingSearchCount() == 0)

        let results = try store.search("climate")
        #expect(results.map(\.article.title) == ["Climate summit opens", "Sports"])  // the title match first
        #expect(results[1].snippet.contains("[climate]"))
        #expect(try store.search("cafe").map(\.article.title) == ["Café culture"])  // accents folded
        #expect(try store.search("stad*").map(\.article.title) == ["Sports"])
        #expect(try store.search("\"electric\" AND loud C++").isEmpty)  // quotes and operators are just words
        #expect(try store.search("electric loud").map(\.article.title) == ["Sports"])

        // A changed article is re-indexed: its old words no longer find it.
        try await store.apply(fetched([entry("b", title: "Sports", content: "<p>Rain stopped play.</p>")],
                                      at: t0.addingTimeInterval(60)), toFeed: feedURL)
        try await store.indexPending()
        #expect(try store.search("rain").map(\.article.title) == ["Sports"])
        #expect(try store.search("stadium").isEmpty)
        #expect(try store.articles(ArticleQuery()).count == 3)
        var query = ArticleQuery()
        query.search = "leaders"
        #expect(try store.articles(query).map(\.title) == ["Climate summit opens"])
    }

    /// The indexer reads its next batch while applying one; when that batch had room
    /// left, what was queued after it was read must not wait for a later call.
    @Test func whatIsQueuedAfterAReadAheadIsIndexedByTheNextCall() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        let words = ["alpha", "bravo", "charlie", "delta"]
        for word in words.prefix(3) {
            try await store.apply(fetched([entry(word, title: word.capitalized)]), toFeed: "http://example.org/\(word).xml")
        }
        #expect(try await store.indexPending(limit: 2) == 2)  // alpha and bravo; charlie is read ahead
        try await Task.sleep(for: .milliseconds(100))          // the read-ahead is done by now
        try await store.apply(fetched([entry("delta", title: "Delta")]), toFeed: "http://example.org/delta.xml")
        #expect(try await store.indexPending(limit: 2) == 2)  // charlie and delta, not charlie alone
        for word in words { #expect(try store.search(word).count == 1, "\(word)") }
    }

    @Test func prunedArticlesLeaveTheIndex() async throws {
        let temp = try TemporaryStore()
        var subscription = FeedSubscription(url: feedURL, intervalSeconds: 1800)
        subscription.keepCount = 1
        try temp.store.syncFeeds([subscription])
        try await temp.store.apply(fetched([entry("old", title: "Old unicorn", link: "https://e.org/old", published: t0)]),
                                   toFeed: feedURL)
        try await temp.store.indexPending()
        try await temp.store.apply(fetched([entry("new", title: "New zebra", link: "https://e.org/new",
                                                  published: t0.addingTimeInterval(60))],
                                           at: t0.addingTimeInterval(60)), toFeed: feedURL)
        #expect(try await temp.store.prune(now: t0.addingTimeInterval(120)).articles == 1)
        try await temp.store.indexPending()
        #expect(try temp.store.search("unicorn").isEmpty)
        #expect(try temp.store.search("zebra").count == 1)
        // The pruned article's story went with it.
        let stories = try await temp.store.writer!.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM search.article_fts WHERE article_fts MATCH ?",
                             arguments: [SearchIndex.storyMatch([StoryKey.hash("https://e.org/old")!,
                                                                 StoryKey.hash("https://e.org/new")!])])
        }
        #expect(stories == 1)
    }
}

/// The index lives in its own file, written alongside the store: it applies the store's
/// queue in order, exactly once, and starts over when it does not belong to the store.
@Suite struct SearchIndexFileTests {
    func articles(_ words: [String], at date: Date = t0) -> FeedUpdate {
        fetched(words.enumerated().map { entry("id\($0.offset)", title: "Title \($0.offset)", content: "<p>\($0.element)</p>") },
                at: date)
    }

    @Test func anArticleChangedBeforeItWasIndexedIsIndexedAsItIsNowAndForgotten() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try await store.apply(articles(["walrus"]), toFeed: feedURL)
        // Changed twice before the indexer ran: its add must index what the first drop
        // removes, and so on down the queue.
        try await store.apply(articles(["narwhal"], at: t0.addingTimeInterval(60)), toFeed: feedURL)
        try await store.apply(articles(["beluga"], at: t0.addingTimeInterval(120)), toFeed: feedURL)
        // Each add indexes exactly what the next drop of the article removes.
        let queued = try await store.writer!.read { db in try SearchQueue.changes(after: 0, limit: 10, in: db) }
        #expect(queued.changes.map { "\($0.op) \($0.words.body.trimmingCharacters(in: .whitespaces))" }
                == ["add walrus", "drop walrus", "add narwhal", "drop narwhal", "add beluga"])
        #expect(try await store.indexPending(limit: 2) == 2)  // part of the queue: add, drop
        #expect(try await store.indexPending() == 3)  // add, drop, add
        #expect(try store.search("walrus").isEmpty)
        #expect(try store.search("narwhal").isEmpty)
        #expect(try store.search("beluga").count == 1)
        try await store.apply(articles(["orca"], at: t0.addingTimeInterval(180)), toFeed: feedURL)
        while try await store.indexPending() > 0 {}
        #expect(try store.search("beluga").isEmpty)
        #expect(try store.search("orca").count == 1)
        // FTS5's own check of the index's structure (it throws when broken).
        try await store.searchIndex!.queue.write { db in
            try db.execute(sql: "INSERT INTO article_fts (article_fts, rank) VALUES ('integrity-check', 0)")
        }
    }

    @Test func aCrashBeforeTheQueueIsTrimmedAppliesNothingTwice() async throws {
        let temp = try TemporaryStore()
        try await temp.store.apply(articles(["capybara", "tapir"]), toFeed: feedURL)
        try await temp.store.indexPending()
        // As if the process died after the index committed and before the trim.
        try await temp.store.writer!.write { db in
            try db.execute(sql: "INSERT INTO search_queue (seq, op, articleId) VALUES (1, 'add', 1)")
        }
        temp.store.finishWriting()
        let reopened = try Store(directory: temp.folder, writable: true)
        #expect(try reopened.pendingSearchCount() == 0)
        #expect(try await reopened.indexPending() == 0)
        #expect(try reopened.search("capybara").count == 1)

        // Two indexers (the daemon and `search`) read the same batch: the second to
        // write finds the index moved on and applies nothing.
        try await reopened.apply(articles(["capybara", "tapir", "agouti"], at: t0.addingTimeInterval(60)), toFeed: feedURL)
        let index = try #require(reopened.searchIndex)
        let applied = try #require(try index.state()).appliedThrough
        let batch = try await reopened.writer!.read { db in try SearchQueue.changes(after: applied, limit: 10, in: db) }
        #expect(try await index.apply(batch.changes, from: applied, through: batch.last!))
        #expect(try await !index.apply(batch.changes, from: applied, through: batch.last!))
        #expect(try reopened.search("agouti").count == 1)
    }

    @Test func aDeletedOrForeignIndexFileIsBuiltAgain() async throws {
        let temp = try TemporaryStore()
        try await temp.store.apply(articles(["quokka"]), toFeed: feedURL)
        while try await temp.store.indexPending() > 0 {}
        temp.store.finishWriting()
        let index = temp.folder + "/" + SearchIndexFile.fileName
        for file in [index, index + "-wal", index + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        let reopened = try Store(directory: temp.folder, writable: true)
        #expect(try reopened.search("quokka").isEmpty)
        #expect(try reopened.pendingSearchCount() == 1)
        while try await reopened.indexPending() > 0 {}
        #expect(try reopened.search("quokka").count == 1)

        // A damaged index file is replaced; the store opens all the same.
        reopened.finishWriting()
        for file in [index, index + "-wal", index + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        try Data(repeating: 0x41, count: 40_000).write(to: URL(fileURLWithPath: index))
        let repaired = try Store(directory: temp.folder, writable: true)
        while try await repaired.indexPending() > 0 {}
        #expect(try repaired.search("quokka").count == 1)
        repaired.finishWriting()

        // An index file from another store (a restored backup, say) is not trusted.
        let other = try TemporaryStore()
        try await other.store.apply(articles(["wombat"]), toFeed: feedURL)
        while try await other.store.indexPending() > 0 {}
        other.store.finishWriting()
        for file in [index, index + "-wal", index + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        try FileManager.default.copyItem(atPath: other.folder + "/" + SearchIndexFile.fileName, toPath: index)
        let third = try Store(directory: temp.folder, writable: true)
        while try await third.indexPending() > 0 {}
        #expect(try third.search("wombat").isEmpty)
        #expect(try third.search("quokka").count == 1)
    }

    @Test func theBatchReadAheadNeverIndexesStaleWords() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try await store.apply(articles(["heron", "egret", "stork"]), toFeed: feedURL)
        #expect(try await store.indexPending(limit: 1) == 1)  // reads the next batch ahead: egret
        // The article read ahead changes before its batch is applied.
        try await store.apply(articles(["heron", "bittern", "stork"], at: t0.addingTimeInterval(60)), toFeed: feedURL)
        while try await store.indexPending(limit: 1) > 0 {}
        #expect(try store.search("egret").isEmpty)
        #expect(try store.search("bittern").count == 1)
        // A batch applied, the one read ahead found nothing yet; what comes next is not missed.
        try await store.apply(fetched([entry("late", title: "Late", content: "<p>spoonbill</p>")]), toFeed: feedURL)
        #expect(try await store.indexPending() == 1)
        try await store.apply(fetched([entry("later", title: "Later", content: "<p>flamingo</p>")]), toFeed: feedURL)
        #expect(try await store.indexPending() == 1)
        #expect(try store.search("spoonbill").count == 1)
        #expect(try store.search("flamingo").count == 1)
        try await store.searchIndex!.queue.write { db in
            try db.execute(sql: "INSERT INTO article_fts (article_fts, rank) VALUES ('integrity-check', 0)")
        }
    }

    @Test func aBurstIsIndexedWithoutMergingAndMergingResumesOnceCaughtUp() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try await store.apply(fetched((0..<30).map { entry("b\($0)", title: "Item \($0)", content: "<p>kestrel \($0)</p>") }),
                              toFeed: feedURL)
        let automerge = {
            try await store.searchIndex!.queue.read { db in
                try Int.fetchOne(db, sql: "SELECT v FROM article_fts_config WHERE k = 'automerge'")
            }
        }
        #expect(try await store.indexPending(limit: 10) == 10)
        #expect(try await automerge() == 0)  // more waits: no merging as it goes
        while try await store.indexPending(limit: 10) > 0 {}
        #expect(try await automerge() == SearchIndexFile.automerge)
        #expect(try store.search("kestrel", limit: 100).count == 30)
    }

    @Test func anIndexLaidOutByAnOlderVersionIsBuiltAgain() async throws {
        let temp = try TemporaryStore()
        try await temp.store.apply(articles(["pangolin"]), toFeed: feedURL)
        while try await temp.store.indexPending() > 0 {}
        // Stop 4's layout (title first): matching its epoch and position is not enough.
        try await temp.store.searchIndex!.queue.write { db in
            try db.execute(sql: """
                DROP TABLE article_fts;
                CREATE VIRTUAL TABLE article_fts USING fts5(title, body, story, content='');
                """)
        }
        temp.store.finishWriting()
        let reopened = try Store(directory: temp.folder, writable: true)
        #expect(try reopened.pendingSearchCount() == 1)
        while try await reopened.indexPending() > 0 {}
        #expect(try reopened.search("pangolin").count == 1)
        let layout = try await reopened.searchIndex!.queue.read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = 'article_fts'")
        }
        #expect(layout?.contains("fts5(\(SearchIndexFile.columns),") == true)
    }

    @Test func quietMomentsMergeTheIndexSegmentsAndSearchStillFindsEverything() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try await store.apply(fetched((0..<150).map { entry("m\($0)", title: "Item \($0)", content: "<p>marmot \($0)</p>") }),
                              toFeed: feedURL)
        while try await store.indexPending(limit: 10) > 0 {}  // 15 commits: 15 segments on one level
        // article_fts_idx holds a row per segment leaf (and more for big segments): fewer
        // segments, fewer rows.
        let idxRows = {
            try await store.searchIndex!.queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM article_fts_idx") ?? 0 }
        }
        let before = try await idxRows()
        var steps = 0
        while try await store.tidySearchIndex() { steps += 1 }
        #expect(steps >= 1)
        #expect(try await idxRows() < before)
        #expect(try store.search("marmot", limit: 500).count == 150)
        #expect(try await store.tidySearchIndex() == false)
    }

    @Test func freedPagesGoBackToTheFileSystemWhenNothingWaits() async throws {
        let temp = try TemporaryStore()
        let index = try #require(temp.store.searchIndex)
        // Pages freed as a merge of FTS5 segments frees them: here, a table dropped.
        try await index.queue.write { db in
            try db.execute(sql: "CREATE TABLE filler (x BLOB)")
            for _ in 0..<64 { try db.execute(sql: "INSERT INTO filler VALUES (zeroblob(16384))") }
            try db.execute(sql: "DROP TABLE filler")
        }
        let pages = { try await index.queue.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0, try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0)
        } }
        #expect(try await pages().0 >= 64)
        #expect(try await temp.store.tidySearchIndex() == false)  // nothing to merge: straight to the pages
        let (free, total) = try await pages()
        #expect(free == 0 && total < 64)
    }

    @Test func aReadOnlyStoreWithoutAnIndexFileStillLists() async throws {
        let temp = try TemporaryStore()
        try await temp.store.apply(articles(["ibex"]), toFeed: feedURL)
        temp.store.finishWriting()
        let index = temp.folder + "/" + SearchIndexFile.fileName
        for file in [index, index + "-wal", index + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        let reader = try Store(directory: temp.folder, writable: false)
        #expect(try reader.articles(ArticleQuery()).count == 1)
        #expect(try reader.search("ibex").isEmpty)
        var query = ArticleQuery()
        query.search = "ibex"
        #expect(try reader.articles(query).isEmpty)
        #expect(try reader.pendingSearchCount() == 1)
    }

    @Test func indexingRunsWhileTheStoreIsWritten() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0..<20 {
                    let entries = (0..<50).map { n in
                        entry("r\(round)-\(n)", title: "Round \(round)", content: "<p>gecko\(n) iguana</p>")
                    }
                    try await store.apply(fetched(entries, at: t0.addingTimeInterval(Double(round))),
                                          toFeed: "http://feed\(round % 4).example/")
                }
            }
            group.addTask {
                for _ in 0..<200 { if try await store.indexPending(limit: 60) == 0 { try await Task.sleep(nanoseconds: 1_000_000) } }
            }
            try await group.waitForAll()
        }
        while try await store.indexPending() > 0 {}
        #expect(try store.search("iguana", limit: 2000).count == 1000)
        #expect(try store.pendingSearchCount() == 0)
        let queued = try await store.writer!.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM search_queue") }
        #expect(queued == 0)
    }
}

@Suite struct WALBoundTests {
    @Test func sustainedWritesNeverLetTheWALGrowPastItsLimit() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try Store(directory: folder, writable: true, walLimit: 512 * 1024)
        let body = String(repeating: "<p>words and more words</p>", count: 100)  // ~2.8 KB an article
        var largest: Int64 = 0
        for round in 0..<20 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for feed in 0..<4 {
                    group.addTask {
                        let entries = (0..<20).map { entry("r\(round)-f\(feed)-\($0)", title: "T", content: body) }
                        _ = try await store.apply(fetched(entries), toFeed: "http://example.org/\(feed).xml")
                    }
                }
                try await group.waitForAll()
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int64) ?? 0
            largest = max(largest, size)
        }
        // ~4.5 MB were written; the WAL was emptied whenever it passed 512 KB (a batch may overshoot).
        #expect(largest < 2 * 1024 * 1024, "WAL reached \(largest) bytes")
        #expect(try store.articleCount() == 1600)

        // The index file's WAL, written by batches of the indexer, is bounded the same way.
        var largestIndexWAL: Int64 = 0
        let indexWAL = (store.path as NSString).deletingLastPathComponent + "/" + SearchIndexFile.fileName + "-wal"
        while try await store.indexPending(limit: 100) > 0 {
            let size = (try? FileManager.default.attributesOfItem(atPath: indexWAL)[.size] as? Int64) ?? 0
            largestIndexWAL = max(largestIndexWAL, size)
        }
        #expect(largestIndexWAL > 0 && largestIndexWAL < 2 * 1024 * 1024, "index WAL reached \(largestIndexWAL) bytes")
        #expect(try store.search("words", limit: 2000).count == 1600)
    }
}

/// What the index gets of an article's HTML.
@Suite struct SearchTextTests {
    @Test func tagsBecomeSpacesAndEntitiesTheirCharacters() {
        #expect(SearchText.of(summary: nil, content: nil) == "")
        #expect(SearchText.of(summary: "<p>Caf&eacute;</p>", content: nil) == " Caf&eacute; ")  // only what our sanitiser writes
        #expect(SearchText.of(summary: "<b>Tom &amp; Jerry</b>", content: "x&lt;y &#233;t&#xE9; &#128512;")
                == " Tom & Jerry  x<y été 😀")
        #expect(SearchText.of(summary: "", content: "naïve <i>word") == "naïve  word")
        #expect(SearchText.of(summary: "a&b &unknown; c", content: "<unclosed") == "a&b &unknown; c  ")
        // From the stored bytes, as the indexer reads them: the same words.
        #expect(SearchText.of(summaryBytes: Data("<b>Tom &amp; Jerry</b>".utf8), contentBytes: nil) == " Tom & Jerry ")
        #expect(SearchText.of(summaryBytes: nil, contentBytes: Data("naïve <i>word".utf8)) == "naïve  word")
    }
}

/// Bodies are stored compressed when that makes them smaller, and read back the same
/// whichever way they were stored.
@Suite struct BodyCompressionTests {
    let longBody = "<p>" + (0..<40).map { "Sentence \($0) of a body with naïve café words — 😀." }.joined(separator: " ") + "</p>"

    @Test func bodiesRoundTripAndOnlyLongOnesAreCompressed() throws {
        let stored = BodyCompression.stored(longBody)
        guard case .blob(let frame) = stored.storage else { Issue.record("not compressed: \(stored)"); return }
        #expect(frame.count < longBody.utf8.count / 2)
        #expect(BodyCompression.text(stored) == longBody)
        for short in ["", "<p>Short.</p>"] {
            #expect(BodyCompression.stored(short) == short.databaseValue)
            #expect(BodyCompression.text(short.databaseValue) == short)
        }
        #expect(BodyCompression.stored(nil) == .null)
    }

    @Test func aDamagedFrameReadsAsNoBodyNotAsGarbage() {
        guard case .blob(var frame) = BodyCompression.stored(longBody).storage else { Issue.record("not compressed"); return }
        frame.count -= 10  // cut short
        #expect(BodyCompression.text(frame.databaseValue) == nil)
        // A header and nothing after it.
        #expect(BodyCompression.text(Data([0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x00]).databaseValue) == nil)
    }

    @Test func aFrameLargerThanAnyBodyWeStoreIsNotDecompressed() {
        // Valid, but 65 MiB once decompressed: more than a fetched document may hold, so
        // not one of ours (and a hostile one must not make us allocate what it claims).
        let huge = String(repeating: "a", count: BodyCompression.maximumSize + (1 << 20))
        let stored = BodyCompression.stored(huge)
        guard case .blob(let frame) = stored.storage else { Issue.record("not compressed"); return }
        #expect(frame.count < 1 << 20)
        #expect(BodyCompression.text(stored) == nil)
    }

    @Test func theStoreKeepsBodiesCompressedAndEveryReaderSeesText() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try await store.apply(fetched([entry("c1", title: "Compressed", content: longBody + " okapi"),
                                       entry("c2", title: "Short", content: "<p>okapi</p>")]), toFeed: feedURL)
        // A body stored before compression existed: plain TEXT.
        try await store.writer!.write { db in
            try db.execute(sql: "UPDATE article SET content = ? WHERE dedupKey = 'id:c2'", arguments: [longBody + " okapi"])
        }
        let kinds = try await store.writer!.read { db in
            try String.fetchAll(db, sql: "SELECT typeof(content) FROM article ORDER BY dedupKey")
        }
        #expect(kinds == ["blob", "text"])
        for article in try store.articles(ArticleQuery()) { #expect(article.content == longBody + " okapi") }
        // The indexer reads both kinds (in place and through drops of a changed article).
        while try await store.indexPending() > 0 {}
        #expect(try store.search("okapi").count == 2)
        try await store.apply(fetched([entry("c1", title: "Compressed", content: longBody + " gerenuk")],
                                      at: t0.addingTimeInterval(60)), toFeed: feedURL)
        while try await store.indexPending() > 0 {}
        #expect(try store.search("okapi").map(\.article.title) == ["Short"])
        #expect(try store.search("gerenuk").map(\.article.title) == ["Compressed"])
        try await store.searchIndex!.queue.write { db in
            try db.execute(sql: "INSERT INTO article_fts (article_fts, rank) VALUES ('integrity-check', 0)")
        }
    }
}

/// The writer's statements bound through SQLite's C interface (`DirectBinding`) store
/// exactly what GRDB's binding would, and fail the way GRDB fails.
@Suite struct DirectBindingTests {
    /// Runs `body` on an in-memory database holding table `t` (`columns`), with `insert`
    /// ready to bind.
    func withTable(_ columns: String, insert: String, _ body: (Database, inout DirectBinding) throws -> Void) throws {
        try DatabaseQueue().write { db in
            try db.execute(sql: "CREATE TABLE t (\(columns))")
            var values = DirectBinding(try db.cachedStatement(sql: insert))
            try body(db, &values)
        }
    }

    @Test func valuesLandAsBoundAndTheStatementIsReusable() throws {
        try withTable("id INTEGER PRIMARY KEY, number INTEGER, text TEXT, body, real REAL",
                      insert: "INSERT INTO t (id, number, text, body, real) VALUES (?, ?, ?, ?, ?)") { db, values in
            values.bind(1 as Int64?); values.bind(Int64.min); values.bind(""); values.bind(Data([0, 1, 2]).databaseValue)
            values.bind(2.5.databaseValue)
            try values.run(in: db)
            values.bind(2 as Int64?); values.bind(nil as Int64?); values.bind(nil as String?); values.bind(DatabaseValue.null)
            values.bind("日本語".databaseValue)
            try values.run(in: db)
            values.bind(3 as Int64?); values.bind(7 as Int64?); values.bind("a\u{0}b"); values.bind(Data().databaseValue)
            values.bind(DatabaseValue.null)
            try values.run(in: db)

            let rows = try Row.fetchAll(
                db, sql: "SELECT number, text, body, typeof(body), real, typeof(text), hex(text) FROM t ORDER BY id")
            // An empty string is "" (not NULL), nil is NULL, blobs stay blobs, and text is
            // bound by its length: a NUL inside does not cut it short.
            #expect(rows[0][0] == Int64.min)
            #expect(rows[0][1] == "")
            #expect(rows[0][2] == Data([0, 1, 2]))
            #expect(rows[0][4] == 2.5)
            #expect(rows[1][0] == nil as Int64?)
            #expect(rows[1][5] == "null")
            #expect(rows[1][2] == nil as Data?)
            #expect(rows[1][4] == "日本語")
            #expect(rows[2][6] == "610062")
            #expect(rows[2][3] == "blob")
        }
    }

    /// A value SQLite refuses to bind is an error, never a NULL written in its place.
    @Test func aRefusedValueFailsTheStatementInsteadOfStoringNull() throws {
        try withTable("body TEXT", insert: "INSERT INTO t (body) VALUES (?)") { db, values in
            sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_LENGTH, 16)
            values.bind(String(repeating: "x", count: 17))
            let error = try #require(throws: DatabaseError.self) { try values.run(in: db) }
            #expect(error.resultCode == .SQLITE_TOOBIG)
            values.bind("short")
            try values.run(in: db)
            #expect(try String.fetchAll(db, sql: "SELECT body FROM t") == ["short"])
        }
    }

    @Test func aFailureIsGRDBsErrorWithItsExtendedCodeAndLeavesTheStatementReady() throws {
        try withTable("key TEXT UNIQUE", insert: "INSERT INTO t (key) VALUES (?)") { db, values in
            values.bind("a")
            try values.run(in: db)
            values.bind("a")
            let error = try #require(throws: DatabaseError.self) { try values.run(in: db) }
            #expect(error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE)
            #expect(error.sql == "INSERT INTO t (key) VALUES (?)")
            #expect(WriteCombiner.concernsOneUpdate(error))
            values.bind("b")
            try values.run(in: db)
            #expect(try String.fetchAll(db, sql: "SELECT key FROM t ORDER BY key") == ["a", "b"])
        }
    }
}
