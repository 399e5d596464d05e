import Config
import FlyingFox
import Foundation
import Logging
import TestSupport
import Testing
@testable import Daemon
@testable import Fetcher
@testable import Store

/// The store stops taking writes mid-cycle — SQLite's own page limit (`PRAGMA
/// max_page_count`) gives the same SQLITE_FULL as a full disk — and comes back: the
/// daemon says so once, pauses polling (nothing downloaded while paused), probes until
/// writes succeed, and then stores everything a fresh fetch would, without a restart.
@Suite(.serialized) struct StoreOutageTests {
    /// Log lines, kept for the test to read.
    final class LogLines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [(Logger.Level, String)] = []
        func append(_ level: Logger.Level, _ text: String) { lock.withLock { lines.append((level, text)) } }
        var all: [(Logger.Level, String)] { lock.withLock { lines } }
    }

    struct Recorder: LogHandler {
        let lines: LogLines
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lines.append(event.level, "\(event.message)") }
    }

    static let feeds = 24, items = 30

    static func document(_ feed: Int) -> Data {
        let padding = String(repeating: "words that fill pages ", count: 60)
        let items = (0..<Self.items).map { "<item><guid>f\(feed)-\($0)</guid><title>Feed \(feed) item \($0)</title>"
            + "<description>\(padding)\($0)</description></item>" }.joined()
        return Data("<rss version=\"2.0\"><channel><title>Feed \(feed)</title>\(items)</channel></rss>".utf8)
    }

    @Test func aFullStorePausesPollingOnceAndEverythingIsStoredWhenItEmpties() async throws {
        let server = try await LoopbackServer.start((0..<Self.feeds).map { feed in
            ("GET /feed/\(feed)", LoopbackServer.staticFeed(Self.document(feed), etag: "\"f\(feed)\"",
                                                            lastModified: "Sat, 31 Oct 2020 01:00:00 GMT"))
        })
        defer { Task { await server.stop() } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let feeds = (0..<Self.feeds).map { FeedConfig(url: "\(server.baseURL)/feed/\($0)", interval: 3600) }
        let configuration = Configuration(path: "feeds.conf", feeds: feeds, diagnostics: [])
        let store = try Store.openForPolling(directory: folder.path, configuration: configuration)
        // Room for about a third of the feeds: the rest fail with SQLITE_FULL.
        let pages = try await store.pageCount()
        try await store.limitPages(pages + 40)

        let socket = folder.appendingPathComponent("notify").path
        let notify = try NotifyListener(path: socket)
        defer { notify.close() }
        let lines = LogLines()
        let logger = Logger(label: "test", factory: { _ in Recorder(lines: lines) })
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let poller = FeedPoller(fetcher: fetcher, store: store, logger: logger)
        let daemon = Daemon(configuration: configuration, store: store, poller: poller,
                            notifier: SystemdNotifier(environment: ["NOTIFY_SOCKET": socket]), logger: logger)
        let run = Task { await daemon.run() }
        defer { run.cancel() }

        var statuses: [String] = []
        // Never blocks a thread: the test shares the cooperative pool with the daemon it watches.
        func waitFor(_ seconds: Double, _ condition: ([String]) -> Bool) async -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                while let message = notify.receive(timeout: 0) { statuses.append(message) }
                if condition(statuses) { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            while let message = notify.receive(timeout: 0) { statuses.append(message) }
            return condition(statuses)
        }
        #expect(await waitFor(20) { $0.contains { $0.contains("STATUS=store full: ") && $0.contains("; polling paused") } },
                "\(statuses.suffix(3))")
        // Paused: after the polls already under way, nothing is downloaded.
        try await Task.sleep(for: .milliseconds(500))
        let asked = server.requests().count
        #expect(await waitFor(3) { _ in false } == false)
        #expect(server.requests().count == asked, "downloaded while paused")
        #expect(try store.articleCount() < Self.feeds * Self.items)

        // Room again: the probe finds it and every feed's articles are stored, no restart.
        let resumed = Date()
        try await store.limitPages(nil)
        let allStored = await waitFor(20) { _ in (try? store.articleCount()) == Self.feeds * Self.items }
        #expect(allStored, "\((try? store.articleCount()) ?? -1) of \(Self.feeds * Self.items) stored")
        let full = lines.all.filter { $0.1.contains("store full") }
        #expect(full.count == 1, "\(full)")
        #expect(lines.all.contains { $0.0 == .notice && $0.1.hasPrefix("store writable again") })
        #expect(!lines.all.contains { $0.1.contains("SQLITE_FULL") || $0.1.contains("database or disk is full") },
                "a line per feed: \(lines.all.filter { $0.1.contains("full") }.prefix(3))")
        #expect(statuses.last?.hasPrefix("STATUS=polling \(Self.feeds) feeds") == true, "\(statuses.suffix(2))")
        // Feeds whose write failed were asked in full (no validators they never stored).
        let stored = try store.feeds()
        #expect(stored.allSatisfy { $0.lastSuccessAt != nil && $0.articleCount == Self.items })
        print("store outage: resumed and stored everything \(String(format: "%.1f", Date().timeIntervalSince(resumed))) s after room returned; \(lines.all.count) log lines")
    }
}
