import Config
import Fetcher
import Foundation
import Logging
import FlyingFox
import Testing
import TestSupport
@testable import Daemon
@testable import Store

/// The whole chain for one feed — fetch, parse, store — over a `file:` URL.
@Suite struct FeedPollerTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("poller-\(UUID().uuidString)")

    func write(_ text: String, to name: String) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.absoluteString
    }

    func feed(items: [(String, String)]) -> String {
        let body = items.map { "<item><guid>\($0.0)</guid><title>\($0.1)</title></item>" }.joined()
        return "<rss version=\"2.0\"><channel><title>Local</title>\(body)</channel></rss>"
    }

    @Test func pollsParsesAndStoresThenWritesNothingTheSecondTime() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write(feed(items: [("1", "One"), ("2", "Two")]), to: "feed.xml")
        let store = try Store(directory: folder.appendingPathComponent("data").path, writable: true)
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let poller = FeedPoller(fetcher: fetcher, store: store, logger: Logger(label: "test"))
        let config = FeedConfig(url: url, interval: 60)

        let first = await poller.poll(config)
        #expect(first.outcome == .fetched(inserted: 2, updated: 0))
        #expect(first.nextDue > Date().addingTimeInterval(50))
        // pollAll reads every state up front: the stored body hash is what it compares with.
        let second = await poller.pollAll([config])
        #expect(second.map(\.outcome) == [.unchanged])  // byte-identical body: not even parsed

        _ = try write(feed(items: [("1", "One, corrected"), ("2", "Two"), ("3", "Three")]), to: "feed.xml")
        let third = await poller.poll(config)
        #expect(third.outcome == .fetched(inserted: 1, updated: 1))
        #expect(try store.feed(url: url)?.title == "Local")
    }

    @Test func failuresAreRecordedWithTheirReasonAndBackOff() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let notAFeed = try write("<html><body>nope</body></html>", to: "page.html")
        let missing = folder.appendingPathComponent("missing.xml").absoluteString
        let store = try Store(directory: folder.appendingPathComponent("data").path, writable: true)
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let poller = FeedPoller(fetcher: fetcher, store: store, logger: Logger(label: "test"))

        let reports = await poller.pollAll([FeedConfig(url: notAFeed, interval: 60), FeedConfig(url: missing, interval: 60)])
        #expect(reports.map(\.url) == [notAFeed, missing])
        #expect(reports[0].outcome == .failed("not a feed: HTML document"))
        guard case .failed(let message) = reports[1].outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(message.hasPrefix("file: "))
        let state = try #require(try store.feed(url: missing))
        #expect(state.errorCount == 1)
        #expect(state.lastOutcome == .error)

        // Second failure: twice the interval, the error count coming from the state pollAll read.
        let again = await poller.pollAll([FeedConfig(url: missing, interval: 60)])
        #expect(again.allSatisfy { $0.nextDue > Date().addingTimeInterval(110) } && again.count == 1)
    }

    /// A first fetch downloads while the store is created: here the store is created
    /// only once the server has answered every feed, which would never happen if polls
    /// waited for it. Every article still lands, and nothing was sent conditionally.
    @Test func feedsDownloadWhileANewStoreIsCreated() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = (0..<6).map { "/feed\($0)" }
        let server = try await LoopbackServer.start(paths.map { path in
            ("GET \(path)", { _ in HTTPResponse(statusCode: .ok, body: Data(feed(items: [("\(path)-1", "One"), ("\(path)-2", "Two")]).utf8)) })
        })
        defer { Task { await server.stop() } }
        let directory = folder.appendingPathComponent("data").path
        let storeSource = StoreSource(creating: {
            // At most 30 s: a CI machine busy compiling took more than 5 s to send six requests.
            for _ in 0..<3000 where server.requests().count < paths.count { usleep(10_000) }
            guard server.requests().count == paths.count else { throw CocoaError(.featureUnsupported) }
            return try Store(directory: directory, writable: true)
        })
        #expect(storeSource.ifOpen == nil)
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let poller = FeedPoller(fetcher: fetcher, storeSource: storeSource, logger: Logger(label: "test"))

        let reports = await poller.pollAll(paths.map { FeedConfig(url: server.baseURL + $0, interval: 60) })
        #expect(reports.map(\.outcome) == Array(repeating: .fetched(inserted: 2, updated: 0), count: paths.count))
        #expect(server.requests().allSatisfy { $0.header("If-None-Match") == nil && $0.header("If-Modified-Since") == nil })
        let store = try #require(storeSource.sqliteIfOpen)
        #expect(try store.articleCount() == 2 * paths.count)
    }

    /// A store that cannot be created fails each poll with the reason.
    @Test func aStoreThatCannotBeCreatedFailsThePollsWithItsReason() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try write(feed(items: [("1", "One")]), to: "feed.xml")
        let blocker = try write("a file where the data directory should be", to: "data")
        let storeSource = StoreSource(creating: { try Store(directory: URL(string: blocker)!.path, writable: true) })
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let poller = FeedPoller(fetcher: fetcher, storeSource: storeSource, logger: Logger(label: "test"))
        let reports = await poller.pollAll([FeedConfig(url: url, interval: 60)])
        guard case .notStored(let message, nil) = reports.first?.outcome else {
            Issue.record("expected the poll not to be stored, got \(reports)")
            return
        }
        #expect(message.contains(blocker.replacingOccurrences(of: "file://", with: "")), "\(message)")
        await #expect(throws: Store.OpenError.self) { try await storeSource.store() }
    }
}
