import FlyingFox
import Foundation
import TestSupport
import Testing

/// The built `aggregator` and `aggregatord` against the seed feeds on a loopback server.
@Suite(.serialized) struct EndToEndTests {
    static let products = ProcessRunner.productsFolder(of: Bundle.module)
    static let cli = products.appendingPathComponent("aggregator")
    static let daemon = products.appendingPathComponent("aggregatord")
    static let september = "Autumn harvest in full swing across northern provinces"
    static let october31 = "China to keep its door open in pursuing innovation: official"
    static let october8 = "Golden Week travel figures released"

    /// A scratch folder with a feeds.conf and a data folder.
    struct Workspace {
        let folder: URL
        var config: String { folder.appendingPathComponent("feeds.conf").path }
        var data: String { folder.appendingPathComponent("data").path }
        var paths: [String] { ["--config", config, "--data", data] }

        init(feedsConf: String) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try feedsConf.write(toFile: config, atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }

        /// Writes a file into the workspace (a feed document, an OPML file).
        func write(_ text: String, to name: String) throws {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }

        /// The reading (read, starred, the --new cursor) of the person the workspace stands for.
        var state: String { folder.appendingPathComponent("state").path }

        /// Runs the built `aggregator` on this workspace (`--config`, `--data`), in UTC.
        func cli(_ arguments: [String], withPaths: Bool = true, environment: [String: String] = [:]) async throws -> ProcessResult {
            try await ProcessRunner.run(EndToEndTests.cli, arguments + (withPaths ? paths : []),
                                        environment: ["TZ": "UTC", "AGGREGATOR_STATE": state].merging(environment) { _, new in new })
        }
    }

    static func fixture(_ name: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }

    static func seedServer() async throws -> LoopbackServer {
        try await LoopbackServer.start([
            ("GET /china.rss", LoopbackServer.staticFeed(
                try fixture("xinhua-china.rss.xml"), etag: "\"china-v1\"", lastModified: "Sat, 31 Oct 2020 01:30:00 GMT",
                contentType: "application/rss+xml")),
            ("GET /scitech.atom", LoopbackServer.staticFeed(
                try fixture("xinhua-scitech.atom.xml"), etag: "\"scitech-v1\"",
                lastModified: "Sat, 31 Oct 2020 01:40:00 GMT", contentType: "application/atom+xml")),
        ])
    }

    func aggregator(_ arguments: [String]) async throws -> ProcessResult {
        try await ProcessRunner.run(Self.cli, arguments, environment: ["TZ": "UTC"])
    }

    @Test func fetchThenListShowsOctoberArticlesAndRefetchingWritesNothing() async throws {
        let server = try await Self.seedServer()
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: """
            # the seed feeds
            \(server.baseURL)/china.rss title="Xinhua | China"
            \(server.baseURL)/scitech.atom
            """)
        defer { workspace.remove() }

        let fetch = try await aggregator(["fetch"] + workspace.paths)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stdout.contains("\(server.baseURL)/china.rss: 200, 3 new, 0 updated"))
        #expect(fetch.stdout.contains("\(server.baseURL)/scitech.atom: 200, 1 new, 0 updated"))

        let list = try await aggregator(["list", "--since", "2020-10-01"] + workspace.paths)
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        // Newest first; both feeds carry the 31 Oct story: shown once, naming the other feed.
        #expect(lines[0].contains(Self.october31))
        #expect(lines[0].hasSuffix("(also in Xinhua | China)") || lines[0].hasSuffix("(also in Xinhua | Sci-Tech)"))
        #expect(lines[1].contains(Self.october8))
        // The id first, then the date.
        #expect(lines[1].contains(/^ *[0-9]+  2020-10-08 13:45  X/))
        #expect(lines[1].contains("Xinhua | China"))
        #expect(lines[1].hasSuffix("http://www.xinhuanet.com/english/2020-10/08/c_139426371.htm"))
        #expect(!list.stdout.contains(Self.september))
        let everyCopy = try await aggregator(["list", "--since", "2020-10-01", "--all"] + workspace.paths)
        let copies = everyCopy.stdout.split(separator: "\n")
        #expect(copies.count == 3)
        #expect(copies.filter { $0.contains(Self.october31) }.count == 2)
        #expect(!everyCopy.stdout.contains("(also in"))

        let json = try await aggregator(["list", "--json"] + workspace.paths)
        let objects = try json.stdout.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 3)
        #expect((objects.first?["also_in"] as? [String])?.count == 1)
        #expect(objects.last?["title"] as? String == Self.september)
        #expect(objects.last?["published"] as? String == "2020-09-28T10:02:40Z")

        // Polling again: conditional requests, answered 304, and no new rows.
        let again = try await aggregator(["fetch"] + workspace.paths)
        #expect(again.status == 0)
        #expect(again.stdout.contains("\(server.baseURL)/china.rss: not modified"))
        #expect(again.stdout.contains("0 new and 0 updated articles"))
        let requests = server.requests(path: "/china.rss")
        #expect(requests.count == 2)
        #expect(requests[1].header("If-None-Match") == "\"china-v1\"")
        #expect(requests[1].header("If-Modified-Since") == "Sat, 31 Oct 2020 01:30:00 GMT")
        let after = try await aggregator(["list", "--json", "--all"] + workspace.paths)
        #expect(after.stdout.split(separator: "\n").count == 4)

        let feeds = try await aggregator(["feeds"] + workspace.paths)
        #expect(feeds.stdout.contains("not-modified"))
        #expect(feeds.stdout.contains("Xinhua | China"))
        #expect(feeds.stdout.contains("Xinhua | Sci-Tech"))  // the document's own title

        let filtered = try await aggregator(["list", "--feed", "Xinhua | China", "--until", "2020-10-08", "--limit", "5"]
            + workspace.paths)
        #expect(filtered.stdout.split(separator: "\n").map { $0.contains(Self.october8) || $0.contains(Self.september) }
            == [true, true])
    }

    @Test func theDaemonPollsAtItsIntervalTellsSystemdAndStopsOnSIGTERM() async throws {
        let server = try await Self.seedServer()
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "\(server.baseURL)/china.rss interval=1s\n")
        defer { workspace.remove() }
        let socketPath = workspace.folder.appendingPathComponent("notify").path
        let notify = try NotifyListener(path: socketPath)
        defer { notify.close() }

        let process = Process()
        process.executableURL = Self.daemon
        process.arguments = workspace.paths
        process.environment = ProcessInfo.processInfo.environment.merging(["NOTIFY_SOCKET": socketPath]) { _, new in new }
        let logFile = workspace.folder.appendingPathComponent("daemon.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardOutput = FileHandle.nullDevice
        let exit = Task { try await ProcessRunner.wait(for: process, timeout: 60) }

        // READY=1 comes once the config is loaded and the store open.
        var messages: [String] = []
        for _ in 0..<20 where !messages.contains(where: { $0.hasPrefix("READY=1") }) {
            if let message = await Task.detached(operation: { notify.receive(timeout: 0.5) }).value {
                messages.append(message)
            }
        }
        #expect(messages.contains { $0.hasPrefix("READY=1") })

        // With a 1 s interval the feed is polled again and again (and answered 304).
        for _ in 0..<100 where server.requests(path: "/china.rss").count < 3 {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(server.requests(path: "/china.rss").count >= 3)
        #expect(server.requests(path: "/china.rss").last?.header("If-None-Match") == "\"china-v1\"")

        let list = try await aggregator(["list", "--since", "2020-10-01"] + workspace.paths)
        #expect(list.stdout.contains(Self.october31))

        let stopping = Date()
        kill(process.processIdentifier, SIGTERM)
        let status = try await exit.value
        #expect(status == 0)
        #expect(Date().timeIntervalSince(stopping) < 5)
        let log = try String(contentsOf: logFile, encoding: .utf8)
        #expect(log.contains("received SIGTERM, stopping"))
        #expect(log.contains("stopped"))
        #expect(log.contains("\(server.baseURL)/china.rss: 200, 3 new, 0 updated"))
    }

    @Test func goneFeedsStopBeingPolledUntilTheirLineChanges() async throws {
        let server = try await LoopbackServer.start([
            ("GET /gone.rss", { _ in HTTPResponse(statusCode: .gone) }),
            ("GET /same.rss", { _ in  // no validators, same bytes every time
                HTTPResponse(statusCode: .ok, body: Data("<rss version=\"2.0\"><channel><item><guid>1</guid></item></channel></rss>".utf8))
            }),
        ])
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "\(server.baseURL)/gone.rss\n\(server.baseURL)/same.rss\n")
        defer { workspace.remove() }

        let first = try await aggregator(["fetch"] + workspace.paths)
        #expect(first.stdout.contains("\(server.baseURL)/gone.rss: gone (HTTP 410)"))
        #expect(first.stdout.contains("\(server.baseURL)/same.rss: 200, 1 new"))
        let second = try await aggregator(["fetch"] + workspace.paths)
        #expect(second.stdout.contains("\(server.baseURL)/same.rss: unchanged"))
        #expect(server.requests(path: "/gone.rss").count == 1)  // not asked again
        let feeds = try await aggregator(["feeds"] + workspace.paths)
        #expect(feeds.stdout.contains("gone"))

        // Editing the line is the user saying "try again".
        try "\(server.baseURL)/gone.rss title=\"Back?\"\n\(server.baseURL)/same.rss\n"
            .write(toFile: workspace.config, atomically: true, encoding: .utf8)
        _ = try await aggregator(["fetch"] + workspace.paths)
        #expect(server.requests(path: "/gone.rss").count == 2)
    }

    @Test func aPermanentRedirectIsFollowedFromThenOn() async throws {
        let body = try Self.fixture("xinhua-china.rss.xml")
        let server = try await LoopbackServer.start([
            ("GET /old.rss", { _ in HTTPResponse(statusCode: .movedPermanently, headers: HTTPHeaders([.location: "/new.rss"])) }),
            ("GET /new.rss", LoopbackServer.staticFeed(body, etag: "\"n1\"", lastModified: "Sat, 31 Oct 2020 01:30:00 GMT")),
        ])
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "\(server.baseURL)/old.rss\n")
        defer { workspace.remove() }
        let first = try await aggregator(["fetch"] + workspace.paths)
        #expect(first.stdout.contains("\(server.baseURL)/old.rss: 200, 3 new"))
        let second = try await aggregator(["fetch"] + workspace.paths)
        #expect(second.stdout.contains("\(server.baseURL)/old.rss: not modified"))
        #expect(server.requests(path: "/old.rss").count == 1)  // the old URL is not asked again
        #expect(server.requests(path: "/new.rss").count == 2)
        let feeds = try await aggregator(["feeds"] + workspace.paths)
        #expect(feeds.stdout.contains("moved permanently to \(server.baseURL)/new.rss"))
        let list = try await aggregator(["list"] + workspace.paths)
        #expect(list.stdout.split(separator: "\n").count == 3)  // same feed, same articles
    }

    @Test func withNoFeedsTheDaemonIdlesUntilStopped() async throws {
        let workspace = try Workspace(feedsConf: "# nothing yet\n")
        defer { workspace.remove() }
        let process = Process()
        process.executableURL = Self.daemon
        process.arguments = workspace.paths
        process.standardError = FileHandle.nullDevice
        let exit = Task { try await ProcessRunner.wait(for: process, timeout: 30) }
        try await Task.sleep(for: .seconds(1))
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGTERM)
        #expect(try await exit.value == 0)
    }

    /// A first fetch starts downloading while the store is created; when it cannot be
    /// created, fetch still ends at once with the reason and EX_CANTCREAT, as it did when
    /// it created the store first.
    @Test func aFetchWhoseStoreCannotBeCreatedSaysWhyAndExitsEX_CANTCREAT() async throws {
        let workspace = try Workspace(feedsConf: "file:///nonexistent/feed.xml\n")
        defer { workspace.remove() }
        try workspace.write("not a directory", to: "data")
        let fetch = try await workspace.cli(["fetch"])
        #expect(fetch.status == 73)
        #expect(fetch.stderr.hasPrefix("aggregator: \(workspace.data)"), "\(fetch.stderr)")
        #expect(fetch.stdout.isEmpty, "\(fetch.stdout)")
    }

    @Test func aBrokenConfigStopsTheDaemonWithEX_CONFIGAndCheckConfigListsEveryProblem() async throws {
        let workspace = try Workspace(feedsConf: """
            http://127.0.0.1:1/ok.xml
            http://127.0.0.1:1/feed.xml intervall=15m
            gopher://example.org/feed
            """)
        defer { workspace.remove() }
        let daemon = try await ProcessRunner.run(Self.daemon, workspace.paths, timeout: 20)
        #expect(daemon.status == 78)
        #expect(daemon.stderr.contains("\(workspace.config):2: unknown option 'intervall' (did you mean 'interval'?)"))
        #expect(daemon.stderr.contains("\(workspace.config):3: unsupported URL scheme 'gopher'"))

        let check = try await aggregator(["check-config", "--config", workspace.config])
        #expect(check.status == 1)
        #expect(check.stdout.contains("\(workspace.config):2: unknown option 'intervall'"))
        #expect(check.stdout.contains("\(workspace.config):3: unsupported URL scheme"))
        #expect(check.stdout.contains("2 errors"))

        try "http://127.0.0.1:1/ok.xml\n".write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let fixed = try await aggregator(["check-config", "--config", workspace.config])
        #expect(fixed.status == 0)
        #expect(fixed.stdout.contains("1 feeds, no errors"))
    }

    @Test func badArgumentsGiveUsageAndANonZeroExit() async throws {
        let badDate = try await aggregator(["list", "--since", "last tuesday", "--data", "/nonexistent"])
        #expect(badDate.status != 0)
        #expect(badDate.stderr.contains("invalid date 'last tuesday'"))
        #expect(badDate.stderr.contains("Usage: aggregator list"))

        let unknown = try await aggregator(["frobnicate"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("Usage:"))
    }

    @Test func parsePrintsTheContractJSONAndRefusesNonFeeds() async throws {
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        let feedFile = workspace.folder.appendingPathComponent("china.rss").path
        try Self.fixture("xinhua-china.rss.xml").write(to: URL(fileURLWithPath: feedFile))
        let parsed = try await aggregator(["parse", feedFile, "--json"])
        #expect(parsed.status == 0)
        let object = try #require(JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "rss2.0")
        #expect((object["entries"] as? [[String: Any]])?.count == 3)

        let pageFile = workspace.folder.appendingPathComponent("page.html").path
        try "<html><body>hello</body></html>".write(toFile: pageFile, atomically: true, encoding: .utf8)
        let page = try await aggregator(["parse", pageFile, "--json"])
        #expect(page.status == 1)
        #expect(page.stderr.contains("not a feed: HTML document"))
        let error = try #require(JSONSerialization.jsonObject(with: Data(page.stdout.utf8)) as? [String: Any])
        #expect(error["error"] as? String == "not a feed: HTML document")
    }

    @Test func theHTTPCharsetReachesTheParser() async throws {
        // KOI8-R bytes for "Новости", with no XML declaration: only the header says so.
        let koi8: [UInt8] = [0xEE, 0xCF, 0xD7, 0xCF, 0xD3, 0xD4, 0xC9]
        let body = Data("<rss version=\"2.0\"><channel><title>t</title><item><guid>1</guid><title>".utf8) + Data(koi8)
            + Data("</title><pubDate>Sat, 31 Oct 2020 00:21:15 +0800</pubDate></item></channel></rss>".utf8)
        let server = try await LoopbackServer.start([
            ("GET /koi8.rss", { _ in
                HTTPResponse(statusCode: .ok, headers: [HTTPHeader("Content-Type"): "text/xml; charset=KOI8-R"], body: body)
            }),
        ])
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "\(server.baseURL)/koi8.rss\n")
        defer { workspace.remove() }
        let fetch = try await aggregator(["fetch"] + workspace.paths)
        #expect(fetch.status == 0, "\(fetch.stdout) \(fetch.stderr)")
        let list = try await aggregator(["list", "--json"] + workspace.paths)
        let object = try #require(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        #expect(object["title"] as? String == "Новости")
    }

    @Test func listWithoutAStoreSaysSo() async throws {
        let result = try await aggregator(["list", "--data", "/nonexistent/aggregator"])
        #expect(result.status == 66)  // EX_NOINPUT
        #expect(result.stderr.contains("nothing collected yet: no store in /nonexistent/aggregator (--data)"), "\(result.stderr)")
    }
}
