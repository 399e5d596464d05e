import Foundation
import GRDB
import Testing
@testable import Store

/// `memory=` reaches the store as `Store.MemoryLimits`: each bound holds under a burst.
@Suite struct StoreMemoryLimitsTests {
    func small() -> Store.MemoryLimits {
        var limits = Store.MemoryLimits()
        limits.writerCacheKiB = 1000
        limits.readerCacheKiB = 300
        limits.writesQueued = 2
        limits.indexBatch = 3
        return limits
    }

    @Test func eachConnectionHasTheCacheItIsGiven() throws {
        let temp = try TemporaryStore(limits: small())
        let writer = try temp.store.writer!.write { try Int.fetchOne($0, sql: "PRAGMA cache_size") }
        let reader = try temp.store.reader.read { try Int.fetchOne($0, sql: "PRAGMA cache_size") }
        #expect(writer == -1000)
        #expect(reader == -300)
    }

    @Test func theIndexerTakesNoMoreThanItsBatch() async throws {
        let temp = try TemporaryStore(limits: small())
        let store = temp.store
        try store.syncFeeds([FeedSubscription(url: feedURL, title: nil, tags: [], intervalSeconds: 1800, configKey: "k")])
        let entries = (0..<10).map { entry("id\($0)", title: "story \($0)", content: "words of story \($0)") }
        _ = try await store.apply(fetched(entries), toFeed: feedURL)
        // Ten queued, a burst: taken three at a time (the last one alone).
        var taken: [Int] = []
        while true {
            let count = try await store.indexPending()
            if count == 0 { break }
            taken.append(count)
        }
        #expect(taken == [3, 3, 3, 1])
        #expect(try store.search("story").count == 10)
    }

    @Test func aPollWaitsWhileTheBoundOfParsedFeedsWaitsForTheWriter() async throws {
        let temp = try TemporaryStore(limits: small())
        let store = temp.store
        let urls = (0..<4).map { "http://example.org/\($0).xml" }
        try store.syncFeeds(urls.map { FeedSubscription(url: $0, title: nil, tags: [], intervalSeconds: 1800, configKey: $0) })
        // The writer busy (a long transaction): what polls hand it queues up.
        let release = DispatchSemaphore(value: 0)
        let busy = Task.detached { try await store.writer!.write { _ in release.wait() } }
        try await Task.sleep(nanoseconds: 100_000_000)
        func apply(_ url: String) -> Task<ApplySummary, any Error> {
            Task { try await store.apply(fetched([entry(url, title: url)]), toFeed: url) }
        }
        // The first taken into a batch that waits for the writer, then three more queued.
        var applies = [apply(urls[0])]
        try await Task.sleep(nanoseconds: 200_000_000)
        applies += urls.dropFirst().map(apply)
        try await Task.sleep(nanoseconds: 200_000_000)
        // Three queued, and two is the bound: the next poll waits before parsing.
        let waited = Task { await store.waitForWriter(); return Date() }
        try await Task.sleep(nanoseconds: 300_000_000)
        let released = Date()
        release.signal()
        #expect(try await waited.value >= released)
        try await busy.value
        for apply in applies { _ = try await apply.value }
        #expect(try store.feeds().count == 4)
    }
}
