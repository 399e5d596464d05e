import Config
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
}
