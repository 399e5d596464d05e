import FlyingFox
import Foundation
import Logging
import TestSupport
import Testing
@testable import Config
@testable import Daemon
@testable import Fetcher
@testable import Store

@Suite struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z

    @Test(arguments: [
        ("120", 120.0), (" 30 ", 30.0), ("0", 1.0), ("-5", 1.0), ("999999", 86_400.0),
        ("Fri, 15 Jan 2027 08:10:00 GMT", 600.0), ("Fri, 15 Jan 2027 07:00:00 GMT", 1.0),
        ("soon", 600.0), ("", 600.0),
    ])
    func readsSecondsAndHTTPDates(header: String, seconds: Double) {
        #expect(RetryAfter.delay(header: header, now: now) == seconds)
    }

    @Test func aMissingHeaderMeansTheDefaultPause() {
        #expect(RetryAfter.delay(header: nil, now: now) == RetryAfter.defaultDelay)
    }

    @Test func pausesApplyPerHostAndOnlyGrow() {
        let pauses = HostPauses()
        pauses.pause(host: "a.example", until: now.addingTimeInterval(60))
        pauses.pause(host: "a.example", until: now.addingTimeInterval(30))
        #expect(pauses.pausedUntil(host: "a.example", now: now) == now.addingTimeInterval(60))
        #expect(pauses.pausedUntil(host: "b.example", now: now) == nil)
        #expect(pauses.pausedUntil(host: "a.example", now: now.addingTimeInterval(61)) == nil)
        #expect(HostPauses.host(of: "https://A.Example:8443/feed") == "a.example")
    }
}

@Suite(.serialized) struct HostPauseEndToEndTests {
    @Test func a429PausesEveryFeedOnThatHost() async throws {
        let body = Data("<rss version=\"2.0\"><channel><item><guid>1</guid></item></channel></rss>".utf8)
        let server = try await LoopbackServer.start([
            ("GET /busy", { _ in HTTPResponse(statusCode: .tooManyRequests, headers: HTTPHeaders([HTTPHeader("Retry-After"): "120"])) }),
            ("GET /fine", { _ in HTTPResponse(statusCode: .ok, body: body) }),
            ("GET /down", { _ in HTTPResponse(statusCode: .serviceUnavailable) }),
        ])
        defer { Task { await server.stop() } }
        let fixture = try PollerFixture()
        defer { fixture.close() }
        let (store, fetcher, poller) = (fixture.store, fixture.fetcher, fixture.poller)

        let started = Date()
        let busy = await poller.poll(FeedConfig(url: server.baseURL + "/busy", interval: 60))
        #expect(busy.outcome == .failed("HTTP 429, host asked to wait 2m"))
        #expect(busy.nextDue >= started.addingTimeInterval(119))
        let fine = await poller.poll(FeedConfig(url: server.baseURL + "/fine", interval: 60))
        guard case .deferred(let until) = fine.outcome else {
            Issue.record("expected the host's other feed to wait, got \(fine.outcome)")
            return
        }
        #expect(until >= started.addingTimeInterval(119))
        #expect(server.requests(path: "/fine").isEmpty)  // never asked while the host is paused

        // Another poller on the same store (a later run, a restarted daemon) waits too:
        // the pause is kept in the store, with the host's every feed.
        let later = FeedPoller(fetcher: fetcher, store: store, logger: Logger(label: "test"))
        let waiting = await later.poll(FeedConfig(url: server.baseURL + "/down", interval: 60))
        #expect(waiting.outcome == .deferred(until: try #require(try store.hostPause(host: "127.0.0.1")?.until)))
        #expect(server.requests(path: "/down").isEmpty)

        // On a store that knows no pause, a 503 without Retry-After pauses for the default.
        let other = try PollerFixture()
        defer { other.close() }
        let down = await other.poller.poll(FeedConfig(url: server.baseURL + "/down", interval: 60))
        #expect(down.outcome == .failed("HTTP 503, host asked to wait 10m"))
        #expect(try other.store.feed(url: server.baseURL + "/down")?.errorCount == 1)
        let pause = try #require(try other.store.hostPause(host: "127.0.0.1"))
        #expect(pause.status == 503)
        #expect(abs(pause.until.timeIntervalSinceNow - 600) < 5)
    }
}

@Suite(.serialized) struct ValidatorAgeTests {
    @Test func validatorsOlderThanAWeekAreNotSent() async throws {
        let body = Data("<rss version=\"2.0\"><channel><item><guid>1</guid></item></channel></rss>".utf8)
        let server = try await LoopbackServer.start([
            ("GET /feed", LoopbackServer.staticFeed(body, etag: "\"v1\"", lastModified: "Sat, 31 Oct 2020 01:00:00 GMT")),
        ])
        defer { Task { await server.stop() } }
        let fixture = try PollerFixture()
        defer { fixture.close() }
        let (store, poller) = (fixture.store, fixture.poller)
        let url = server.baseURL + "/feed"

        // Validators from a full response eight days ago.
        try await store.apply(FeedUpdate(result: .fetched(title: nil, siteLink: nil, entries: []),
                                         fetchedAt: Date().addingTimeInterval(-8 * 86_400), nextDueAt: Date(),
                                         etag: .some("\"v1\""), lastModified: .some("Sat, 31 Oct 2020 01:00:00 GMT")),
                              toFeed: url)
        let stale = await poller.poll(FeedConfig(url: url, interval: 60))
        #expect(stale.outcome == .fetched(inserted: 1, updated: 0))
        #expect(server.requests(path: "/feed").last?.header("If-None-Match") == nil)

        // The 200 refreshed them: now they are sent, and answered 304.
        let fresh = await poller.poll(FeedConfig(url: url, interval: 60))
        #expect(fresh.outcome == .notModified)
        #expect(server.requests(path: "/feed").last?.header("If-None-Match") == "\"v1\"")
    }
}

@Suite(.serialized) struct RefreshHintPollTests {
    @Test func publisherHintsStretchTheNextPoll() async throws {
        let body = Data("<rss version=\"2.0\"><channel><ttl>120</ttl><item><guid>1</guid></item></channel></rss>".utf8)
        let server = try await LoopbackServer.start([
            ("GET /ttl", LoopbackServer.staticFeed(body, etag: "\"t\"", lastModified: "Sat, 31 Oct 2020 01:00:00 GMT")),
            ("GET /cached", { _ in
                HTTPResponse(statusCode: .ok, headers: HTTPHeaders([HTTPHeader("Cache-Control"): "max-age=10800"]),
                             body: Data("<rss version=\"2.0\"><channel></channel></rss>".utf8))
            }),
        ])
        defer { Task { await server.stop() } }
        let fixture = try PollerFixture()
        defer { fixture.close() }
        let poller = fixture.poller

        let ttl = await poller.poll(FeedConfig(url: server.baseURL + "/ttl", interval: 600))
        #expect(ttl.nextDue.timeIntervalSinceNow > 7200 * 0.89)  // ttl 2 h beats the 10 min interval
        // A 304 still honours the document's ttl, kept in the store.
        let again = await poller.poll(FeedConfig(url: server.baseURL + "/ttl", interval: 600))
        #expect(again.outcome == .notModified)
        #expect(again.nextDue.timeIntervalSinceNow > 7200 * 0.89)

        let cached = await poller.poll(FeedConfig(url: server.baseURL + "/cached", interval: 600))
        #expect(cached.nextDue.timeIntervalSinceNow > 10_800 * 0.89)
        #expect(cached.nextDue.timeIntervalSinceNow < 10_800 * 1.11)
    }
}

@Suite(.serialized) struct AdaptivePollTests {
    @Test func adaptiveFeedsArePolledAtTheirPostingRate() async throws {
        // Five posts, one every two hours up to now: about every 1.6 h.
        let items = (0..<5).map { i in
            "<item><guid>\(i)</guid><pubDate>\(DateFormatter.rfc822.string(from: Date().addingTimeInterval(-Double(i) * 7200)))</pubDate></item>"
        }.joined()
        let body = Data("<rss version=\"2.0\"><channel>\(items)</channel></rss>".utf8)
        let server = try await LoopbackServer.start([("GET /busy", { _ in HTTPResponse(statusCode: .ok, body: body) })])
        defer { Task { await server.stop() } }
        let fixture = try PollerFixture()
        defer { fixture.close() }

        var adaptive = FeedConfig(url: server.baseURL + "/busy", interval: 600)
        adaptive.adaptive = true
        let report = await fixture.poller.poll(adaptive)
        #expect(report.nextDue.timeIntervalSinceNow > 8 * 3600 / 5 * 0.89)
        #expect(report.nextDue.timeIntervalSinceNow < 8 * 3600 / 5 * 1.11)

        // Without adaptive=yes the configured interval stands.
        let plain = await fixture.poller.poll(FeedConfig(url: server.baseURL + "/busy?plain", interval: 600))
        #expect(plain.nextDue.timeIntervalSinceNow < 600 * 1.11)
    }
}

extension DateFormatter {
    static let rfc822: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()
}

/// A store in a temporary folder, a fetcher and a poller over them, for loopback tests.
final class PollerFixture {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("poller-\(UUID().uuidString)")
    let store: Store
    let fetcher = Fetcher()
    let poller: FeedPoller

    init() throws {
        store = try Store(directory: folder.path, writable: true)
        poller = FeedPoller(fetcher: fetcher, store: store, logger: Logger(label: "test"))
    }

    func close() {
        fetcher.shutdown()
        try? FileManager.default.removeItem(at: folder)
    }
}
