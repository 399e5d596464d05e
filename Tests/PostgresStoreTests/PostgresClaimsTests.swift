import Config
import FeedParser
import Foundation
import PostgresStore
import Store
import TestSupport
import Testing

/// A fleet's claims on a real PostgreSQL: every due feed to exactly one daemon, however
/// many ask at once; a dead daemon's feeds to another once its lease ends; a daemon that
/// lost a feed cannot give it back as its own.
@Suite struct PostgresClaimsTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A PostgreSQL store holding `count` feeds, all due (never polled).
    func storeWithFeeds(_ count: Int) async throws -> PostgresAddress {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("claims-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try Store(directory: folder, writable: true)
        try store.syncFeeds((1...count).map { FeedSubscription(url: "http://h\($0 % 7).example/feed/\($0)", intervalSeconds: 1800) })
        let address = try PostgresAddress.parse(try ThrowawayPostgres.newDatabase())
        _ = try await PostgresStore.open(address, create: true).closing { try await $0.copy(from: store) }
        store.finishWriting()
        return address
    }

    @Test func threeDaemonsAskingAtOnceGetEveryDueFeedOnce() async throws {
        let address = try await storeWithFeeds(1000)
        let now = t0
        let claimed = try await withThrowingTaskGroup(of: (daemon: String, ids: [Int64]).self) { group in
            for daemon in ["a:1", "b:2", "c:3"] {
                group.addTask {
                    try await PostgresStore.open(address, create: false).closing { store in
                        var mine: [Int64] = []
                        while true {
                            let batch = try await store.claimDueFeeds(daemon: daemon, now: now, lease: 60, limit: 37)
                            if batch.isEmpty { return (daemon, mine) }
                            mine += batch.map(\.feedID)
                        }
                    }
                }
            }
            var all: [(daemon: String, ids: [Int64])] = []
            for try await mine in group { all.append(mine) }
            return all
        }
        let every = claimed.flatMap(\.ids)
        #expect(every.count == 1000)
        #expect(Set(every).count == 1000)
        try await PostgresStore.open(address, create: false).closing { store in
            let total = try await store.claimCount(daemon: "a:1", now: now) + store.claimCount(daemon: "b:2", now: now)
                + store.claimCount(daemon: "c:3", now: now)
            #expect(total == 1000)
            // Given back with their next due time: nothing is due until then.
            for (daemon, ids) in claimed {
                for id in ids { #expect(try await store.releaseClaim(daemon: daemon, feedID: id, nextDue: now.addingTimeInterval(1800))) }
            }
            #expect(try await store.claimDueFeeds(daemon: "a:1", now: now.addingTimeInterval(60), lease: 60, limit: 10).isEmpty)
            #expect(try await store.claimDueFeeds(daemon: "a:1", now: now.addingTimeInterval(1800), lease: 60, limit: 2000).count == 1000)
        }
    }

    @Test func aDeadDaemonsFeedsPassToAnotherWhenItsLeaseEnds() async throws {
        let address = try await storeWithFeeds(10)
        try await PostgresStore.open(address, create: false).closing { store in
            let a = try await store.claimDueFeeds(daemon: "a:1", now: t0, lease: 60, limit: 100)
            #expect(a.count == 10)
            // Still held: nobody else gets them, however often they ask.
            #expect(try await store.claimDueFeeds(daemon: "b:2", now: t0.addingTimeInterval(59), lease: 60, limit: 100).isEmpty)
            // A renews half (its other polls hang, say), then dies.
            let half = Array(a.prefix(5).map(\.feedID))
            #expect(try await store.renewClaims(daemon: "a:1", feedIDs: half, now: t0.addingTimeInterval(50), lease: 60).isEmpty)
            // The unrenewed half passes to B once its lease ran out; the renewed half later.
            let b1 = try await store.claimDueFeeds(daemon: "b:2", now: t0.addingTimeInterval(61), lease: 60, limit: 100)
            #expect(Set(b1.map(\.feedID)) == Set(a.suffix(5).map(\.feedID)))
            let b2 = try await store.claimDueFeeds(daemon: "b:2", now: t0.addingTimeInterval(111), lease: 60, limit: 100)
            #expect(Set(b2.map(\.feedID)) == Set(half))
            // A, back from the dead, holds nothing: it cannot renew or give them back.
            #expect(try await store.renewClaims(daemon: "a:1", feedIDs: a.map(\.feedID), now: t0.addingTimeInterval(112), lease: 60)
                == Set(a.map(\.feedID)))
            #expect(try await store.releaseClaim(daemon: "a:1", feedID: half[0], nextDue: t0.addingTimeInterval(3600)) == false)
            #expect(try await store.releaseClaim(daemon: "b:2", feedID: half[0], nextDue: t0.addingTimeInterval(3600)))
            let polledBy = try await store.lastPolledBy()
            #expect(polledBy.count == 1 && polledBy.values.first == "b:2")
            #expect(try await store.claimCount(daemon: "b:2", now: t0.addingTimeInterval(112)) == 9)
        }
    }

    /// A store whose feeds came from a fleet member's feeds.conf (so each knows its host).
    func fleetStore(_ urls: [String]) async throws -> PostgresAddress {
        let address = try PostgresAddress.parse(try ThrowawayPostgres.newDatabase())
        let subscriptions = urls.map { FeedSubscription(url: $0, intervalSeconds: 1800, configKey: $0) }
        _ = try await PostgresStore.open(address, create: true).closing {
            try await $0.syncFleetFeeds(subscriptions, stamp: .init(subscriptions: subscriptions, fileTime: 1), daemon: "a:1",
                                        host: { URLComponents(string: $0)?.host })
        }
        return address
    }

    @Test func maxPerHostAndHostSpacingHoldAcrossDaemons() async throws {
        let address = try await fleetStore((1...12).map { "http://a.example/\($0)" } + (1...12).map { "http://b.example/\($0)" })
        // a.example: a request every 1.5 s fleet-wide; b.example: no spacing.
        let rules = PostgresStore.ClaimRules(lease: 60, limit: 100, maximumPerHost: 2,
                                             spacing: { $0 == "a.example" ? 1.5 : 0 })
        var held: [PostgresStore.Claim] = []
        try await PostgresStore.open(address, create: false).closing { store in
            for daemon in ["a:1", "b:2", "c:3"] {
                held += try await store.claimDueFeeds(daemon: daemon, now: t0, rules: rules).claims
            }
            // Two at most per host, whoever holds them.
            #expect(held.filter { $0.host == "b.example" }.count == 2)
            // Spacing 1.5 s within a 2 s horizon: the second start 1.5 s after the first,
            // and the third (t0 + 3 s) beyond the horizon, so not claimed.
            let starts = held.filter { $0.host == "a.example" }.compactMap(\.startAt).sorted()
            #expect(starts == [t0, t0.addingTimeInterval(1.5)], "\(starts)")
            // One given back: its host has room for one more, at the next slot.
            let first = try #require(held.first { $0.host == "a.example" })
            _ = try await store.releaseClaim(daemon: "a:1", feedID: first.feedID, nextDue: t0.addingTimeInterval(1800))
            let next = try await store.claimDueFeeds(daemon: "b:2", now: t0.addingTimeInterval(1.5), rules: rules).claims
            #expect(next.filter { $0.host == "a.example" }.compactMap(\.startAt) == [t0.addingTimeInterval(3)])
            #expect(next.filter { $0.host == "b.example" }.isEmpty)
        }
    }

    @Test func aHostThatAskedToWaitIsNotClaimedByAnyDaemon() async throws {
        let address = try await fleetStore(["http://a.example/1", "http://b.example/1", "http://b.example/2"])
        try await PostgresStore.open(address, create: false).closing { store in
            var busy = FeedUpdate(result: .failed(message: "HTTP 429"), fetchedAt: t0, nextDueAt: t0)
            busy.hostPause = HostPause(host: "b.example", until: t0.addingTimeInterval(600), status: 429)
            try await store.apply(busy, toFeed: "http://a.example/1")
            let claims = try await store.claimDueFeeds(daemon: "b:2", now: t0.addingTimeInterval(1), lease: 60, limit: 10)
            #expect(claims.map(\.url) == ["http://a.example/1"])
            let later = try await store.claimDueFeeds(daemon: "c:3", now: t0.addingTimeInterval(601), lease: 60, limit: 10)
            #expect(Set(later.map(\.url)).isSuperset(of: ["http://b.example/1", "http://b.example/2"]))
        }
    }

    /// Two writers storing the same document for the same feed at the same moment (claims
    /// keep this from happening; the constraints must not depend on it): each article once.
    @Test func twoWritersOfTheSameArticlesAtOnceStoreThemOnce() async throws {
        let address = try await fleetStore(["http://a.example/1"])
        let entries = (1...50).map { ParsedEntry(id: "g\($0)", title: "Item \($0)", link: "https://a.example/\($0)") }
        for round in 0..<5 {
            let update = FeedUpdate(result: .fetched(title: "A", siteLink: nil, entries: entries + [ParsedEntry(id: "r\(round)")]),
                                    fetchedAt: t0.addingTimeInterval(Double(round)), nextDueAt: t0.addingTimeInterval(1800))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        _ = try await PostgresStore.open(address, create: false).closing { try await $0.apply(update, toFeed: "http://a.example/1") }
                    }
                }
                try await group.waitForAll()
            }
        }
        try await PostgresStore.open(address, create: false).closing { store in
            let count = try await store.articleCount()
            #expect(count == 55)
        }
    }
}
