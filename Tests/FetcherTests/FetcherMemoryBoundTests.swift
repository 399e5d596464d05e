import FlyingFox
import Foundation
import TestSupport
import Testing
@testable import Fetcher

/// `memory=` bounds the bodies downloaded but not yet parsed: under a burst of requests
/// the fetcher starts no transfer while that many responses are held.
@Suite struct FetcherMemoryBoundTests {
    final class Held: @unchecked Sendable {
        let lock = NSLock()
        var responses: [FetchResponse] = []
        func keep(_ response: FetchResponse) { lock.withLock { responses.append(response) } }
        var count: Int { lock.withLock { responses.count } }
        func dropAll() { lock.withLock { responses.removeAll() } }
    }

    @Test(arguments: [1, 3, 8])
    func noMoreBodiesWaitThanTheBoundWhateverArrivesAtOnce(bound: Int) async throws {
        let body = Data(String(repeating: "<item>x</item>", count: 2000).utf8)
        let server = try await LoopbackServer.start([("GET /feed", { _ in .init(statusCode: .ok, body: body) })])
        defer { Task { await server.stop() } }
        let fetcher = Fetcher(maximumConcurrentTransfers: 32, maximumTransfersPerHost: 32, maximumBodies: bound)
        defer { fetcher.shutdown() }
        let held = Held()
        let burst = 40
        let requests = Task {
            await withTaskGroup(of: Void.self) { group in
                for number in 0..<burst {
                    group.addTask {
                        if let response = try? await fetcher.fetch(FetchRequest(url: server.baseURL + "/feed?n=\(number)")) {
                            held.keep(response)  // not parsed yet: its body stays
                        }
                    }
                }
            }
        }
        // The bound reached, nothing more is asked for, however long the callers hold on.
        for _ in 0..<200 where held.count < bound { try await Task.sleep(nanoseconds: 10_000_000) }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(held.count == bound)
        #expect(server.requests(path: "/feed").count == bound)
        // Dropped (parsed), room again: the rest arrive, still no more than the bound at once.
        for _ in 0..<400 where !requests.isCancelled {
            held.dropAll()
            if server.requests(path: "/feed").count == burst { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        await requests.value
        #expect(server.requests(path: "/feed").count == burst)
    }
}
