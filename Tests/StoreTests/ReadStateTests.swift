import FeedParser
import Foundation
import Testing
@testable import Store

/// One person's reading (ReadState) as the store's queries see it: marks by story or
/// guid, watermarks, the `--new` cursor — and what must not move them: copies in other
/// feeds, pruning, a feed's switch to link identity, another store holding the same feeds.
@Suite struct ReadStateTests {
    let feedA = "http://a.example/feed"
    let feedB = "http://b.example/feed"
    let hour = 3600.0

    /// A store with feed A (a story B also carries, and two of its own) and feed B; the
    /// person's state file in its own folder; a reader with that state attached.
    final class Reading {
        let temp: TemporaryStore
        let stateFolder: String
        let state: ReadState
        let reader: Store

        init() throws {
            temp = try TemporaryStore()
            stateFolder = temp.folder + "-state"
            state = try ReadState(directory: stateFolder)
            reader = try Store(directory: temp.folder, writable: false, readState: state)
        }

        deinit { try? FileManager.default.removeItem(atPath: stateFolder) }

        var position: StorePosition { get throws { try reader.position() } }

        func titles(_ query: ArticleQuery) throws -> [String] { try reader.articles(query).compactMap(\.title) }

        func unread(feed: String? = nil) throws -> [String] {
            var query = ArticleQuery(feed: feed)
            query.unreadOnly = true
            return try titles(query)
        }

        func article(_ title: String) throws -> StoredArticle {
            try #require(try reader.articles(ArticleQuery(allCopies: true)).first { $0.title == title })
        }
    }

    func fill(_ store: Store) async throws {
        try await store.apply(fetched([
            entry("a-shared", title: "Shared", link: "https://news.example/story?utm_source=a", published: t0),
            entry("a1", title: "A one", link: "https://a.example/1", published: t0.addingTimeInterval(-hour)),
            entry("a2", title: "A two", link: "https://a.example/2", published: t0.addingTimeInterval(-2 * hour)),
        ]), toFeed: feedA)
        try await store.apply(fetched([
            entry("b-shared", title: "Shared, from B", link: "https://news.example/story", published: t0.addingTimeInterval(60)),
            entry("b1", title: "B one", link: "https://b.example/1", published: t0.addingTimeInterval(-3 * hour)),
        ]), toFeed: feedB)
    }

    @Test func readingOneCopyReadsTheStoryInEveryFeed() async throws {
        let reading = try Reading()
        try await fill(reading.temp.store)
        #expect(try reading.unread() == ["Shared, from B", "A one", "A two", "B one"])
        #expect(try reading.reader.unreadCounts() == [feedA: 3, feedB: 2])

        try reading.state.setRead([try reading.article("Shared")], true, in: try reading.position)
        #expect(try reading.unread() == ["A one", "A two", "B one"])
        #expect(try reading.article("Shared, from B").isRead == true)
        #expect(try reading.article("A one").isRead == false)
        #expect(try reading.reader.unreadCounts() == [feedA: 2, feedB: 1])

        try reading.state.setRead([try reading.article("Shared, from B")], false, in: try reading.position)
        #expect(try reading.unread().first == "Shared, from B")
    }

    @Test func watermarksReadEverythingUpToThemAndTheLaterWordCounts() async throws {
        let reading = try Reading()
        try await fill(reading.temp.store)
        // Feed A up to an hour before t0: "A one" and "A two".
        try reading.state.markRead(feed: feedA, until: t0.addingTimeInterval(-hour), in: try reading.position)
        #expect(try reading.unread() == ["Shared, from B", "B one"])

        try reading.state.markRead(feed: nil, until: nil, in: try reading.position)
        #expect(try reading.unread().isEmpty)
        #expect(try reading.reader.unreadCounts().isEmpty)

        // What arrives later is unread, whatever its date.
        try await reading.temp.store.apply(fetched([
            entry("b0", title: "B old but new here", link: "https://b.example/0", published: t0.addingTimeInterval(-9 * hour)),
        ], at: t0.addingTimeInterval(600)), toFeed: feedB)
        #expect(try reading.unread() == ["B old but new here"])

        // Marked unread again over the watermark; then `read --all` again takes it back.
        try reading.state.setRead([try reading.article("A two")], false, in: try reading.position)
        #expect(try reading.unread() == ["A two", "B old but new here"])
        #expect(try reading.reader.unreadCounts() == [feedA: 1, feedB: 1])
        try reading.state.markRead(feed: nil, until: nil, in: try reading.position)
        #expect(try reading.unread().isEmpty)
    }

    @Test func starsAreKeptApartFromReading() async throws {
        let reading = try Reading()
        try await fill(reading.temp.store)
        try reading.state.setStarred([try reading.article("A two"), try reading.article("B one")], true, in: try reading.position)
        var starred = ArticleQuery()
        starred.starredOnly = true
        #expect(try reading.titles(starred) == ["A two", "B one"])
        #expect(try reading.article("A two").isStarred == true)
        #expect(try reading.article("A two").isRead == false)  // a star does not read it
        try reading.state.setStarred([try reading.article("A two")], false, in: try reading.position)
        #expect(try reading.titles(starred) == ["B one"])
    }

    @Test func marksOutlivePruningAndTheSwitchToLinkIdentity() async throws {
        let reading = try Reading()
        let store = reading.temp.store
        func item(_ n: Int, guid: String?) -> ParsedEntry {
            entry(guid, title: "Item \(n)", link: "https://site.example/\(n)", published: t0.addingTimeInterval(Double(n) * 60))
        }
        try await store.apply(fetched([3, 2, 1].map { item($0, guid: "g\($0)") }), toFeed: feedA)
        try reading.state.setRead([try reading.article("Item 2")], true, in: try reading.position)
        // The guids break: the feed is identified by link from now on (its keys change).
        let broken = [4, 3, 2, 1].map { item($0, guid: "same") }
        try await store.apply(fetched(broken, at: t0.addingTimeInterval(60)), toFeed: feedA)
        #expect(try reading.unread() == ["Item 4", "Item 3", "Item 1"])

        // Item 1 pruned; item 2 is still read, and nothing else became read.
        var subscription = FeedSubscription(url: feedA, intervalSeconds: 1800)
        subscription.keepCount = 3
        try store.syncFeeds([subscription])
        try await store.apply(fetched([item(4, guid: "same")], at: t0.addingTimeInterval(120)), toFeed: feedA)
        #expect(try await store.prune(now: t0.addingTimeInterval(180)).articles == 1)
        #expect(try reading.unread() == ["Item 4", "Item 3"])
    }

    @Test func anotherStoreWithTheSameFeedsSeesTheSameReading() async throws {
        let reading = try Reading()
        try await fill(reading.temp.store)
        try reading.state.setRead([try reading.article("A one")], true, in: try reading.position)
        try reading.state.markRead(feed: feedB, until: nil, in: try reading.position)

        // A second store, filled from the same documents later: other row ids, another epoch.
        let other = try TemporaryStore()
        try await fill(other.store)
        let otherReader = try Store(directory: other.folder, writable: false, readState: reading.state)
        var unread = ArticleQuery()
        unread.unreadOnly = true
        #expect(try otherReader.position().epoch != reading.position.epoch)
        // B's watermark holds by first-seen time there; A one by its story.
        #expect(try otherReader.articles(unread).compactMap(\.title) == ["Shared", "A two"])
    }

    @Test func theNewCursorTakesWhatArrivedAfterIt() async throws {
        let reading = try Reading()
        try await fill(reading.temp.store)
        #expect(try reading.state.cursor(store: reading.temp.folder) == nil)
        try reading.state.moveCursor(store: reading.temp.folder, to: try reading.position, now: t0)
        let cursor = try #require(try reading.state.cursor(store: reading.temp.folder))
        #expect(cursor.at == t0)

        try await reading.temp.store.apply(fetched([
            entry("a3", title: "A three", link: "https://a.example/3", published: t0.addingTimeInterval(-5 * hour)),
        ], at: t0.addingTimeInterval(60)), toFeed: feedA)
        var new = ArticleQuery()
        new.arrivedAfter = cursor
        #expect(try reading.titles(new) == ["A three"])
        // Another store's cursor is taken by time.
        var foreign = cursor
        foreign.epoch = "elsewhere"
        new.arrivedAfter = foreign
        #expect(try reading.titles(new) == ["A three"])
    }
}
