import FlyingFox
import Foundation
import GRDB
import TestSupport
import Testing

/// The real `aggregatord` as systemd runs it: a notify socket, signals, edits to its
/// feeds.conf, a second copy on the same store, and kill -9 in the middle of ingest.
@Suite(.serialized) struct ServiceTests {
    typealias Workspace = EndToEndTests.Workspace

    /// A running aggregatord with its notify socket and log.
    final class Daemon: @unchecked Sendable {
        let process = Process()
        let notify: NotifyListener
        let log: URL
        private let lock = NSLock()
        private var received: [String] = []
        private var reader: Thread?

        /// `arguments`: instead of the workspace's `--config`/`--data` (a fleet member's `--store`).
        init(_ workspace: Workspace, arguments: [String]? = nil, environment extra: [String: String] = [:]) throws {
            let socketPath = workspace.folder.appendingPathComponent("notify-\(UUID().uuidString.prefix(8))").path
            notify = try NotifyListener(path: socketPath)
            log = workspace.folder.appendingPathComponent("daemon-\(UUID().uuidString.prefix(8)).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = EndToEndTests.daemon
            process.arguments = arguments ?? workspace.paths
            process.environment = ProcessInfo.processInfo.environment
                .merging(["NOTIFY_SOCKET": socketPath].merging(extra) { _, new in new }) { _, new in new }
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let thread = Thread { [self] in
                while process.isRunning {
                    if let message = notify.receive(timeout: 0.2) { lock.withLock { received.append(message) } }
                }
            }
            thread.start()
            reader = thread
        }

        var messages: [String] { lock.withLock { received } }
        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits (bounded) until `condition` holds; returns whether it did.
        @discardableResult
        func waitUntil(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return condition()
        }

        func count(_ prefix: String) -> Int { messages.filter { $0.hasPrefix(prefix) }.count }

        /// SIGTERM, then the exit status (or SIGKILL after 10 s).
        func stop() async -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            return await ProcessRunner.exitStatus(of: process, timeout: 10)
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            notify.close()
        }
    }

    static let item = "<item><title>T</title><guid>G</guid><description>D</description></item>"

    static func feedServer() async throws -> LoopbackServer {
        try await LoopbackServer.start([
            ("GET /feed/*", { request in
                let name = request.path.split(separator: "/").last.map(String.init) ?? "x"
                let body = "<rss version=\"2.0\"><channel><title>\(name)</title>"
                    + item.replacingOccurrences(of: "G", with: name + "-1") + "</channel></rss>"
                return HTTPResponse(statusCode: .ok, body: Data(body.utf8))
            }),
        ])
    }

    /// Replaces the file the way editors do: a new file renamed over the old one.
    static func edit(_ workspace: Workspace, _ text: String) throws {
        try text.write(toFile: workspace.config, atomically: true, encoding: .utf8)
    }

    @Test func editsToFeedsConfApplyByThemselvesAndBrokenEditsKeepTheRunningConfig() async throws {
        let server = try await Self.feedServer()
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "\(server.baseURL)/feed/a interval=1h\n")
        defer { workspace.remove() }
        let daemon = try Daemon(workspace)
        #expect(await daemon.waitUntil { daemon.count("READY=1") == 1 })
        #expect(await daemon.waitUntil { server.requests(path: "/feed/a").count == 1 })

        // Add a feed: polled within a couple of seconds, with RELOADING=1 then READY=1.
        let edited = Date()
        try Self.edit(workspace, "\(server.baseURL)/feed/a interval=1h\n\(server.baseURL)/feed/b interval=1s\n")
        #expect(await daemon.waitUntil(seconds: 5) { !server.requests(path: "/feed/b").isEmpty })
        let latency = Date().timeIntervalSince(edited)
        print("reload latency: edit to first request of the new feed \(String(format: "%.2f", latency)) s")
        #expect(latency < 3)
        #expect(daemon.count("RELOADING=1") == 1)
        #expect(await daemon.waitUntil { daemon.count("READY=1") == 2 })
        #expect(await daemon.waitUntil { server.requests(path: "/feed/b").count >= 2 })  // its 1 s interval applies

        // A broken edit: logged with file:line, the status says so, b is still polled.
        try Self.edit(workspace, "\(server.baseURL)/feed/a interval=1h\n\(server.baseURL)/feed/b interval=1s colour=red\n")
        #expect(await daemon.waitUntil(seconds: 5) { daemon.logText.contains("feeds.conf:2: unknown option 'colour'") })
        #expect(await daemon.waitUntil { daemon.messages.contains { $0.contains("feeds.conf NOT reloaded: ") && $0.contains(":2: unknown option 'colour'") } })
        let before = server.requests(path: "/feed/b").count
        #expect(await daemon.waitUntil(seconds: 4) { server.requests(path: "/feed/b").count > before })

        // Removing b stops its polls; its articles stay.
        try Self.edit(workspace, "\(server.baseURL)/feed/a interval=1h\n")
        #expect(await daemon.waitUntil(seconds: 5) { daemon.logText.contains("1 feeds (0 added, 1 removed, 0 changed)") })
        let afterRemoval = server.requests(path: "/feed/b").count
        try await Task.sleep(for: .milliseconds(2500))
        #expect(server.requests(path: "/feed/b").count <= afterRemoval + 1)  // at most one already in flight

        // SIGHUP reloads too, even without an edit.
        let reloads = daemon.count("RELOADING=1")
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(await daemon.waitUntil { daemon.count("RELOADING=1") == reloads + 1 })
        #expect(await daemon.stop() == 0)
        #expect(daemon.messages.last?.hasPrefix("STOPPING=1") == true)

        let list = try await ProcessRunner.run(EndToEndTests.cli, ["list"] + workspace.paths)
        #expect(list.stdout.contains("T"))
        #expect(list.status == 0)
    }

    @Test func aSecondDaemonOnTheSameStoreExitsAtOnce() async throws {
        let server = try await Self.feedServer()
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "\(server.baseURL)/feed/a interval=1h\n")
        defer { workspace.remove() }
        let first = try Daemon(workspace)
        #expect(await first.waitUntil { first.count("READY=1") == 1 })

        let started = Date()
        let second = try await ProcessRunner.run(EndToEndTests.daemon, workspace.paths)
        #expect(second.status == 75)
        #expect(second.stderr.contains("another aggregatord (pid \(first.process.processIdentifier)) is already using"))
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(await first.stop() == 0)
    }

    /// systemd may stop a service at any moment of its start. A SIGTERM that arrived while
    /// libdispatch was still registering its signal source was once lost, and the daemon
    /// ran on until killed; now it is caught from the first line of main.
    @Test func aSIGTERMAtAnyMomentOfTheStartStopsTheDaemon() async throws {
        let workspace = try Workspace(feedsConf: "# nothing to poll\n")
        defer { workspace.remove() }
        for delay in [0, 20, 40, 60, 80, 120, 160, 250, 400] {
            let process = Process()
            process.executableURL = EndToEndTests.daemon
            process.arguments = workspace.paths
            process.standardError = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .milliseconds(delay))
            let sent = Date()
            kill(process.processIdentifier, SIGTERM)
            let status = await ProcessRunner.exitStatus(of: process, timeout: 8)
            // Ended by the signal itself (before main caught it) or cleanly; never left running.
            #expect(status == 0 || (process.terminationReason == .uncaughtSignal && status == SIGTERM),
                    "SIGTERM after \(delay) ms: status \(status)")
            #expect(Date().timeIntervalSince(sent) < 6, "SIGTERM after \(delay) ms took \(Date().timeIntervalSince(sent)) s")
        }
    }

    @Test func theWatchdogIsPettedAtHalfItsInterval() async throws {
        let workspace = try Workspace(feedsConf: "# nothing to poll\n")
        defer { workspace.remove() }
        let daemon = try Daemon(workspace, environment: ["WATCHDOG_USEC": "400000"])
        #expect(await daemon.waitUntil { daemon.count("READY=1") == 1 })
        let started = Date()
        #expect(await daemon.waitUntil(seconds: 5) { daemon.count("WATCHDOG=1") >= 5 })
        // Every 200 ms: five keep-alives take about 0.8 s (the first is sent at once).
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(await daemon.stop() == 0)
    }
}

/// kill -9 at random moments of heavy ingest: nothing committed is lost, nothing is
/// duplicated, and the next start needs no repair. 5 kills by default; set
/// AGGREGATOR_LONG_TESTS=1 for 20.
@Suite(.serialized) struct CrashTests {
    /// Feeds that grow on every request: 60 items, 20 of them new each time.
    final class GrowingFeeds: @unchecked Sendable {
        let lock = NSLock()
        var requests: [String: Int] = [:]

        func body(for name: String) -> Data {
            let round = lock.withLock { () -> Int in requests[name, default: 0] += 1; return requests[name]! }
            var text = "<rss version=\"2.0\"><channel><title>\(name)</title>"
            let padding = String(repeating: "lorem ipsum dolor sit amet ", count: 20)
            for i in (round * 20)..<(round * 20 + 60) {
                text += "<item><title>\(name) \(i)</title><guid>\(name)-\(i)</guid><description>\(padding)\(i)</description></item>"
            }
            return Data((text + "</channel></rss>").utf8)
        }
    }

    @Test func killingTheDaemonAnywhereLosesAndDuplicatesNothing() async throws {
        let feeds = GrowingFeeds()
        let server = try await LoopbackServer.start([
            ("GET /feed/*", { request in
                HTTPResponse(statusCode: .ok, body: feeds.body(for: request.path.split(separator: "/").last.map(String.init) ?? "x"))
            }),
        ])
        defer { Task { await server.stop() } }
        let conf = (0..<40).map { "\(server.baseURL)/feed/f\($0) interval=1s" }.joined(separator: "\n") + "\n"
        let workspace = try EndToEndTests.Workspace(feedsConf: conf)
        defer { workspace.remove() }
        let kills = ProcessInfo.processInfo.environment["AGGREGATOR_LONG_TESTS"] == nil ? 5 : 20
        var generator = SystemRandomNumberGenerator()
        var committed = 0

        for round in 0..<kills {
            let daemon = try ServiceTests.Daemon(workspace)
            // Starting needs no repair, whatever the last kill interrupted.
            #expect(await daemon.waitUntil { daemon.count("READY=1") == 1 }, "round \(round): no READY=1")
            try await Task.sleep(for: .milliseconds(Int.random(in: 100...1200, using: &generator)))
            kill(daemon.process.processIdentifier, SIGKILL)
            _ = await ProcessRunner.exitStatus(of: daemon.process, timeout: 10)

            let database = try DatabaseQueue(path: workspace.data + "/aggregator.sqlite")
            let (integrity, rows, keys, guids) = try await database.read { db in
                (try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM article") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT DISTINCT feedId, dedupKey FROM article)") ?? 0,
                 try Int.fetchOne(db, sql: "SELECT count(DISTINCT guid) FROM article") ?? 0)
            }
            try database.close()
            #expect(integrity == "ok", "round \(round)")
            #expect(rows == keys && rows == guids, "round \(round): duplicates")
            #expect(rows >= committed, "round \(round): \(committed - rows) committed articles lost")
            committed = rows
        }
        print("crash test: \(kills) kills with SIGKILL, \(committed) articles stored, integrity ok after each")
        #expect(committed > 0)
    }
}
