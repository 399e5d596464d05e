import FeedParser
import Foundation
import Testing
@testable import Store

/// The outbox: a delivery per hook queued with the article it is about, in the same
/// write; not for a new feed's backlog unless asked; taken, failed, retried, removed.
/// And what skip=/only= kept out, counted once per item.
@Suite struct OutboxTests {
    let hook = HookSubscription(target: "webhook:http://127.0.0.1:9/in", events: ["new"])
    let both = HookSubscription(target: "exec:/bin/true", events: ["new", "updated"])

    func subscribe(_ store: Store, hooks: [HookSubscription], backlog: Bool = false) throws {
        var subscription = FeedSubscription(url: feedURL, intervalSeconds: 1800)
        subscription.hooks = hooks
        subscription.hookBacklog = backlog
        try store.syncFeeds([subscription])
    }

    @Test func aNewFeedsBacklogFiresNothingThenEachNewArticleFiresEachHook() async throws {
        let temp = try TemporaryStore()
        try subscribe(temp.store, hooks: [hook, both])
        let first = try await temp.store.apply(fetched([entry("a", title: "A"), entry("b", title: "B")]), toFeed: feedURL)
        #expect(first.inserted == 2 && first.deliveries == 0)

        let second = try await temp.store.apply(fetched([entry("a", title: "A, changed"), entry("b", title: "B"),
                                                         entry("c", title: "C")], at: t0.addingTimeInterval(60)), toFeed: feedURL)
        #expect(second == ApplySummary(inserted: 1, updated: 1, unchanged: 1, deliveries: 3))
        let due = try temp.store.dueDeliveries(now: t0.addingTimeInterval(60), limit: 10)
        #expect(due.map(\.event).sorted() == ["new", "new", "updated"])
        #expect(Set(due.map(\.id)).count == 3 && due.allSatisfy { $0.id.count == 32 })
        #expect(due.filter { $0.event == "new" }.map(\.target).sorted() == [both.target, hook.target])
        #expect(due.allSatisfy { $0.feedURL == feedURL && $0.state == .pending && $0.attempts == 0 })
    }

    @Test func hookBacklogYesFiresForTheFirstPollToo() async throws {
        let temp = try TemporaryStore()
        try subscribe(temp.store, hooks: [hook], backlog: true)
        let first = try await temp.store.apply(fetched([entry("a", title: "A"), entry("b", title: "B")]), toFeed: feedURL)
        #expect(first.deliveries == 2)
    }

    @Test func failedDeliveriesWaitThenFailForGoodAndRetryMakesThemPendingAgain() async throws {
        let temp = try TemporaryStore()
        try subscribe(temp.store, hooks: [hook], backlog: true)
        try await temp.store.apply(fetched([entry("a", title: "A"), entry("b", title: "B")]), toFeed: feedURL)
        let due = try temp.store.dueDeliveries(now: t0, limit: 10)
        #expect(due.count == 2)
        try await temp.store.deliveryDone(due[0].seq)
        try await temp.store.deliveryFailed(due[1].seq, error: "HTTP 503", retryAt: t0.addingTimeInterval(10))
        #expect(try temp.store.dueDeliveries(now: t0.addingTimeInterval(5), limit: 10).isEmpty)
        #expect(try temp.store.nextDeliveryDue() == t0.addingTimeInterval(10))
        let again = try #require(try temp.store.dueDeliveries(now: t0.addingTimeInterval(10), limit: 10).first)
        #expect(again.id == due[1].id && again.attempts == 1 && again.lastError == "HTTP 503")
        // Taken already: not handed out twice.
        #expect(try temp.store.dueDeliveries(now: t0.addingTimeInterval(10), limit: 10, excluding: [again.seq]).isEmpty)

        try await temp.store.deliveryFailed(again.seq, error: "HTTP 404", retryAt: nil)
        #expect(try temp.store.deliveryCounts() == (pending: 0, failed: 1))
        #expect(try temp.store.nextDeliveryDue() == nil)
        #expect(try await temp.store.retryFailedDeliveries(now: t0.addingTimeInterval(100)) == 1)
        let retried = try #require(try temp.store.dueDeliveries(now: t0.addingTimeInterval(100), limit: 10).first)
        #expect(retried.id == due[1].id && retried.attempts == 0 && retried.state == .pending)
    }

    @Test func aPrunedArticleTakesItsDeliveriesWithIt() async throws {
        let temp = try TemporaryStore()
        var subscription = FeedSubscription(url: feedURL, intervalSeconds: 1800)
        subscription.hooks = [hook]
        subscription.hookBacklog = true
        subscription.keepCount = 1
        try temp.store.syncFeeds([subscription])
        try await temp.store.apply(fetched([entry("a", title: "A", published: t0)]), toFeed: feedURL)
        try await temp.store.apply(fetched([entry("b", title: "B", published: t0.addingTimeInterval(60))],
                                           at: t0.addingTimeInterval(60)), toFeed: feedURL)
        #expect(try temp.store.deliveryCounts().pending == 2)
        #expect(try await temp.store.prune(now: t0.addingTimeInterval(120)).articles == 1)
        #expect(try temp.store.deliveries().map(\.articleTitle) == ["B"])
    }

    @Test func skippedItemsAreCountedOnceAndStoredWhenTheRuleGoes() async throws {
        let temp = try TemporaryStore()
        try subscribe(temp.store, hooks: [])
        let entries = [entry("a", title: "Keep"), entry("b", title: "Ad"), entry("c", title: "Ad too")]
        var update = fetched(entries)
        update.skipped = [1: "skip=title:ad", 2: "skip=title:ad"]
        #expect(try await temp.store.apply(update, toFeed: feedURL) == ApplySummary(inserted: 1, skipped: 2))
        update.fetchedAt = t0.addingTimeInterval(60)
        _ = try await temp.store.apply(update, toFeed: feedURL)
        #expect(try temp.store.skippedCounts() == [feedURL: 2])
        #expect(try temp.store.articles(ArticleQuery(allCopies: true)).map(\.title) == ["Keep"])

        // The rule is gone: they are stored from the next fetch on, and no longer counted.
        let summary = try await temp.store.apply(fetched(entries, at: t0.addingTimeInterval(120)), toFeed: feedURL)
        #expect(summary.inserted == 2)
        #expect(try temp.store.skippedCounts().isEmpty)
    }
}
