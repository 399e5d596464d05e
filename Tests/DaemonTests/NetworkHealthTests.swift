import Config
import Fetcher
import FlyingFox
import Foundation
import Logging
import Store
import TestSupport
import Testing
@testable import Daemon

@Suite struct NetworkHealthTests {
    @Test func withoutADefaultRouteEveryFailureIsTheNetworks() async {
        let health = NetworkHealth(evidenceWait: 0.2, hasDefaultRoute: { false })
        #expect(await health.isOffline(failedHost: "a.example"))
    }

    @Test func oneHostFailingAloneIsThatFeedsProblem() async {
        let health = NetworkHealth(evidenceWait: 0.2, hasDefaultRoute: { true })
        #expect(await health.isOffline(failedHost: "a.example") == false)
    }

    @Test func manyHostsFailingWithNoAnswerMeansOffline() async {
        let health = NetworkHealth(evidenceWait: 0.3, hasDefaultRoute: { true })
        async let first = health.isOffline(failedHost: "a.example")
        async let second = health.isOffline(failedHost: "b.example")
        #expect(await first == true)
        #expect(await second == true)
    }

    @Test func aServerAnsweringMeansTheFailureCounts() async {
        let health = NetworkHealth(evidenceWait: 0.5, hasDefaultRoute: { true })
        async let first = health.isOffline(failedHost: "a.example")
        async let second = health.isOffline(failedHost: "b.example")
        try? await Task.sleep(for: .milliseconds(50))
        health.reached(host: "c.example")
        #expect(await first == false)
        #expect(await second == false)
    }

    static let ipv4Header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"

    @Test func readsDefaultRoutesFromTheKernelsTables() {
        let viaEth0 = Self.ipv4Header + "\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
            + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        #expect(NetworkHealth.hasDefaultRoute(ipv4Table: viaEth0, ipv6Table: ""))
        // Only a local subnet: no way out.
        let localOnly = Self.ipv4Header + "\neth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        #expect(!NetworkHealth.hasDefaultRoute(ipv4Table: localOnly, ipv6Table: ""))
        // IPv6: ::/0 through eth0 counts; the kernel's unreachable ::/0 on lo does not.
        let zero = String(repeating: "0", count: 32)
        let v6 = "\(zero) 00 \(zero) 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0\n"
        let v6lo = "\(zero) 00 \(zero) 00 \(zero) ffffffff 00000001 00000000 00200200       lo\n"
        #expect(NetworkHealth.hasDefaultRoute(ipv4Table: localOnly, ipv6Table: v6))
        #expect(!NetworkHealth.hasDefaultRoute(ipv4Table: localOnly, ipv6Table: v6lo))
        #expect(!NetworkHealth.hasDefaultRoute(ipv4Table: "", ipv6Table: ""))
    }
}

/// Through the poller: refused connections on several hosts at once (the machine
/// "offline") do not push feeds into backoff; one dead host among live ones does.
@Suite(.serialized) struct OfflinePollTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("offline-\(UUID().uuidString)")

    @Test func failuresOfEveryHostDoNotCountAgainstFeeds() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Store(directory: folder.path, writable: true)
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let poller = FeedPoller(fetcher: fetcher, store: store, logger: Logger(label: "test"),
                                networkHealth: NetworkHealth(evidenceWait: 1, hasDefaultRoute: { true }))
        // Port 1 on distinct loopback addresses: refused at once, like an unplugged network.
        let feeds = (2...4).map { FeedConfig(url: "http://127.0.0.\($0):1/feed.xml", interval: 3600) }
        let started = Date()
        let reports = await poller.pollAll(feeds)
        for report in reports {
            guard case .failed(let message) = report.outcome else {
                Issue.record("expected a failure, got \(report.outcome)")
                continue
            }
            #expect(message.hasPrefix("offline: connect:"))
            #expect(report.nextDue < started.addingTimeInterval(400))  // retried within minutes
        }
        for feed in feeds {
            let state = try #require(try store.feed(url: feed.url))
            #expect(state.errorCount == 0)
            #expect(state.lastOutcome == .error)
        }
    }

    @Test func aDeadHostAmongLiveOnesIsCounted() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await LoopbackServer.start([
            ("GET /feed.xml", { _ in HTTPResponse(statusCode: .ok, body: Data("<rss version=\"2.0\"><channel><title>t</title></channel></rss>".utf8)) }),
        ])
        defer { Task { await server.stop() } }
        let store = try Store(directory: folder.path, writable: true)
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let poller = FeedPoller(fetcher: fetcher, store: store, logger: Logger(label: "test"),
                                // Long enough for the live server's answer on a CI machine busy
                                // with other tests (1 s was not, once); it ends when that answer comes.
                                networkHealth: NetworkHealth(evidenceWait: 10, hasDefaultRoute: { true }))
        let dead = FeedConfig(url: "http://127.0.0.2:1/feed.xml", interval: 3600)
        let reports = await poller.pollAll([dead, FeedConfig(url: server.baseURL + "/feed.xml", interval: 3600),
                                            FeedConfig(url: "http://127.0.0.3:1/feed.xml", interval: 3600)])
        #expect(reports[1].failed == false)
        #expect(try store.feed(url: dead.url)?.errorCount == 1)
    }
}

@Suite(.serialized) struct UserAgentPollTests {
    @Test func aFeedsOwnUserAgentIsSentElseTheDefault() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ua-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let body = Data("<rss version=\"2.0\"><channel><title>t</title></channel></rss>".utf8)
        let server = try await LoopbackServer.start([
            ("GET /a.xml", { _ in HTTPResponse(statusCode: .ok, body: body) }),
            ("GET /b.xml", { _ in HTTPResponse(statusCode: .ok, body: body) }),
        ])
        defer { Task { await server.stop() } }
        let store = try Store(directory: folder.path, writable: true)
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let poller = FeedPoller(fetcher: fetcher, store: store, logger: Logger(label: "test"))
        var custom = FeedConfig(url: server.baseURL + "/a.xml")
        custom.userAgent = "my-reader/3.1"
        _ = await poller.pollAll([custom, FeedConfig(url: server.baseURL + "/b.xml")])
        #expect(server.requests(path: "/a.xml").first?.header("user-agent") == "my-reader/3.1")
        #expect(server.requests(path: "/b.xml").first?.header("user-agent") == UserAgent.default)
    }
}
