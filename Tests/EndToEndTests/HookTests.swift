import FlyingFox
import Foundation
import Testing
import TestSupport

/// Hooks through the real binaries: a webhook receiver that refuses the first deliveries,
/// hangs on one and has every signature checked by Python's hmac; an exec hook handed a
/// hostile title; deliveries that fail for good and `aggregator hooks retry`; filters.
@Suite(.serialized) struct HookTests {
    typealias Workspace = EndToEndTests.Workspace

    /// What a receiver was sent, in order.
    final class Received: @unchecked Sendable {  // `all` only under `lock`
        struct Request: Sendable {
            let delivery: String
            let event: String
            let signature: String?
            let body: Data
            let status: Int
        }
        private let lock = NSLock()
        private var all: [Request] = []
        var requests: [Request] { lock.withLock { all } }
        func add(_ request: Request) { lock.withLock { all.append(request) } }
        /// Articles delivered (answered 2xx), by the `id` in the JSON, with their delivery ids.
        var delivered: [Int64: Set<String>] {
            var out: [Int64: Set<String>] = [:]
            for request in requests where request.status == 200 {
                if let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any],
                   let id = (object["id"] as? NSNumber)?.int64Value {
                    out[id, default: []].insert(request.delivery)
                }
            }
            return out
        }
    }

    /// A webhook receiver: `answer` decides each request's fate (status, and a delay first).
    static func receiver(_ received: Received,
                         answer: @escaping @Sendable (Int, [String: Any]) -> (status: Int, delay: Double)) async throws -> LoopbackServer {
        let counter = Counter()
        return try await LoopbackServer.start([
            ("POST /hook", { request in
                let body = try await request.bodyData
                let object = (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
                let (status, delay) = answer(counter.next(), object)
                if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
                received.add(.init(delivery: request.headers[HTTPHeader("Aggregator-Delivery")] ?? "",
                                   event: request.headers[HTTPHeader("Aggregator-Event")] ?? "",
                                   signature: request.headers[HTTPHeader("X-Aggregator-Signature")],
                                   body: body, status: status))
                return HTTPResponse(statusCode: HTTPStatusCode(status, phrase: status == 200 ? "OK" : "Nope"))
            }),
        ])
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { value += 1; return value } }
    }

    static func rss(_ title: String, items: [(guid: String, title: String)]) -> String {
        "<rss version=\"2.0\"><channel><title>\(title)</title>" + items.map {
            "<item><guid>\($0.guid)</guid><title>\($0.title)</title><link>https://example.org/\($0.guid)</link></item>"
        }.joined() + "</channel></rss>"
    }

    /// HMAC-SHA256 of each body with `secret`, by Python's hmac module: not the code under test.
    static func pythonSignatures(_ bodies: [Data], secret: String, in folder: URL) async throws -> [String] {
        var files: [String] = []
        for (index, body) in bodies.enumerated() {
            let file = folder.appendingPathComponent("body-\(index)").path
            try body.write(to: URL(fileURLWithPath: file))
            files.append(file)
        }
        let script = "import hmac, hashlib, sys\nkey = sys.argv[1].encode()\n"
            + "for path in sys.argv[2:]:\n    print(hmac.new(key, open(path, 'rb').read(), hashlib.sha256).hexdigest())\n"
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, secret] + files)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func webhooksSurviveRefusalsAndAHangSignedEveryTime() async throws {
        let received = Received()
        // The first three are refused; the article titled "Hangs" hangs past the timeout (2 s) once.
        let hung = Counter()
        let server = try await Self.receiver(received) { number, object in
            if number <= 3 { return (503, 0) }
            if object["title"] as? String == "Hangs", hung.next() == 1 { return (200, 5) }
            return (200, 0)
        }
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        try "s3cret-key\n".write(to: workspace.folder.appendingPathComponent("secret"), atomically: true, encoding: .utf8)
        try workspace.write(Self.rss("A", items: [("a1", "One"), ("a2", "Hangs"), ("a3", "Three")]), to: "a.xml")
        try workspace.write(Self.rss("B", items: [("b1", "Four"), ("b2", "Five")]), to: "b.xml")
        try workspace.write("""
            default webhook=\(server.baseURL)/hook webhook-secret-file=secret hook-backlog=yes hook-timeout=2s hook-backoff=1s
            file:a.xml
            file:b.xml
            """, to: "feeds.conf")
        let daemon = try ServiceTests.Daemon(workspace)
        let started = Date()
        let everything = await daemon.waitUntil(seconds: 40) { received.delivered.count == 5 }
        #expect(everything, "delivered: \(received.delivered.count) of 5; log: \(daemon.logText)")
        let elapsed = Date().timeIntervalSince(started)
        // A receiver slowed past hook-timeout by a loaded machine has its delivery sent again
        // (same id): wait until the store has every delivery marked done.
        var settled = ""
        for _ in 0..<60 {
            settled = try await workspace.cli(["hooks"]).stdout
            if settled.hasPrefix("0 pending, 0 failed") { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(settled.hasPrefix("0 pending, 0 failed"), "\(settled)")
        #expect(await daemon.stop() == 0)

        let requests = received.requests
        #expect(requests.filter { $0.status == 503 }.count == 3)
        // Every repeat of an article carried its delivery id; every body its signature.
        #expect(received.delivered.values.allSatisfy { $0.count == 1 })
        let byDelivery = Dictionary(grouping: requests, by: \.delivery)
        #expect(byDelivery.values.allSatisfy { Set($0.compactMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] }
            .compactMap { ($0["id"] as? NSNumber)?.int64Value }).count == 1 })
        #expect(requests.allSatisfy { $0.event == "new" && $0.delivery.count == 32 })
        let expected = try await Self.pythonSignatures(requests.map(\.body), secret: "s3cret-key", in: workspace.folder)
        #expect(requests.map { $0.signature } == expected.map { "sha256=" + $0 })
        // The body is the object list --format json prints.
        let object = try #require(try JSONSerialization.jsonObject(with: requests.last!.body) as? [String: Any])
        #expect(Set(object.keys).isSuperset(of: ["id", "feed", "feed_title", "title", "link", "date", "first_seen", "read", "starred"]))
        print("webhooks: 5 articles delivered through 3 refusals and a hang in \(String(format: "%.1f", elapsed)) s")
    }

    @Test func anExecHookGetsTheArticleOnStdinAndOnlyItsOwnArguments() async throws {
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        let out = workspace.folder.appendingPathComponent("hook-out").path
        let script = workspace.folder.appendingPathComponent("hook.sh").path
        try "#!/bin/sh\n{ for a in \"$@\"; do printf 'ARG:%s\\n' \"$a\"; done; printf 'EVENT:%s\\n' \"$AGGREGATOR_EVENT\"; cat; echo; } >> \"\(out)\"\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let hostile = "$(reboot) `id` \"double\" 'single' ; rm -rf / &#10;second line"
        try workspace.write(Self.rss("Evil", items: [("e1", hostile.replacingOccurrences(of: "\"", with: "&quot;"))]), to: "evil.xml")
        try workspace.write(#"file:evil.xml exec="\#(script) --feed 'Evil feed'" hook-backlog=yes"# + "\n", to: "feeds.conf")
        let fetch = try await workspace.cli(["fetch"])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        let written = try String(contentsOfFile: out, encoding: .utf8)
        let lines = written.split(separator: "\n", maxSplits: 3).map(String.init)
        #expect(lines[0] == "ARG:--feed" && lines[1] == "ARG:Evil feed" && lines[2] == "EVENT:new")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[3].utf8)) as? [String: Any])
        #expect(object["title"] as? String == "$(reboot) `id` \"double\" 'single' ; rm -rf / \nsecond line")
    }

    @Test func deliveriesThatKeepFailingAreKeptAsFailedUntilRetried() async throws {
        let received = Received()
        let healthy = Flag()
        let server = try await Self.receiver(received) { _, _ in (healthy.isSet ? 200 : 500, 0) }
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        try workspace.write(Self.rss("A", items: [("a1", "One")]), to: "a.xml")
        try workspace.write("file:a.xml webhook=\(server.baseURL)/hook hook-backlog=yes hook-backoff=1s hook-retry=2s\n",
                            to: "feeds.conf")
        let daemon = try ServiceTests.Daemon(workspace)
        let failed = await daemon.waitUntil(seconds: 20) {
            received.requests.count >= 2 && daemon.logText.contains("kept as failed")
        }
        #expect(failed, "\(daemon.logText)")
        let hooks = try await workspace.cli(["hooks"])
        #expect(hooks.stdout.hasPrefix("0 pending, 1 failed"), "\(hooks.stdout)")
        #expect(hooks.stdout.contains("HTTP 500"))
        healthy.set()
        let retry = try await workspace.cli(["hooks", "retry"])
        #expect(retry.stdout.hasPrefix("1 failed delivery to send again"), "\(retry.stdout)\(retry.stderr)")
        #expect(await daemon.waitUntil(seconds: 10) { received.requests.last?.status == 200 })
        #expect(await daemon.stop() == 0)
        let ids = Set(received.requests.map(\.delivery))
        #expect(ids.count == 1)  // the same delivery, attempt after attempt
    }

    @Test func aStopWaitsForTheDeliveryUnderWay() async throws {
        let received = Received()
        let arrived = Flag()
        let server = try await LoopbackServer.start([
            ("POST /hook", { request in
                arrived.set()
                try await Task.sleep(for: .seconds(2))  // still answering when SIGTERM comes
                let body = try await request.bodyData
                received.add(.init(delivery: request.headers[HTTPHeader("Aggregator-Delivery")] ?? "", event: "new",
                                   signature: nil, body: body, status: 200))
                return HTTPResponse(statusCode: .ok)
            }),
        ])
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        try workspace.write(Self.rss("A", items: [("a1", "One")]), to: "a.xml")
        try workspace.write("file:a.xml webhook=\(server.baseURL)/hook hook-backlog=yes\n", to: "feeds.conf")
        let daemon = try ServiceTests.Daemon(workspace)
        #expect(await daemon.waitUntil(seconds: 10) { arrived.isSet })
        let asked = Date()
        #expect(await daemon.stop() == 0)
        #expect(Date().timeIntervalSince(asked) > 1)  // it waited for the answer…
        #expect(received.requests.count == 1)         // …which came
        #expect(try await workspace.cli(["hooks"]).stdout.hasPrefix("0 pending, 0 failed"))
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    @Test func skipAndOnlyKeepArticlesOutAndSaySo() async throws {
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        try workspace.write(Self.rss("News", items: [("n1", "Sponsored: buy now"), ("n2", "Budget vote"), ("n3", "Weather")]), to: "news.xml")
        try workspace.write(Self.rss("Sport", items: [("s1", "Match report"), ("s2", "Transfer rumours")]), to: "sport.xml")
        try workspace.write("""
            default skip=sponsored
            file:news.xml
            file:sport.xml only=title:report
            """, to: "feeds.conf")
        #expect(try await workspace.cli(["fetch"]).status == 0)
        let titles = try await workspace.cli(["list", "--format", "tsv"]).stdout.split(separator: "\n")
            .map { String($0.split(separator: "\t")[4]) }.sorted()
        #expect(titles == ["Budget vote", "Match report", "Weather"])
        let feeds = try await workspace.cli(["feeds", "--json"])
        let skipped = try feeds.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }.map { ($0["title"] as? String ?? "", $0["skipped"] as? Int ?? -1) }
        #expect(Dictionary(uniqueKeysWithValues: skipped) == ["News": 1, "Sport": 1])
        // Fetched again: still one each, not one more per poll.
        #expect(try await workspace.cli(["fetch"]).status == 0)
        #expect(try await workspace.cli(["feeds"]).stdout.contains("(1 skipped by skip=/only=)"))

        let parse = try await workspace.cli(["parse", workspace.folder.appendingPathComponent("sport.xml").path,
                                             "--config", workspace.config], withPaths: false)
        #expect(parse.stdout.contains("2 entries; 1 skipped by"))
        #expect(parse.stdout.contains("skip  (no date)            Transfer rumours"))
        #expect(parse.stdout.contains("(no only= matched (only=title:report))"))
        let json = try await workspace.cli(["parse", workspace.folder.appendingPathComponent("news.xml").path, "--json",
                                            "--config", workspace.config], withPaths: false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries.map { $0["skipped_by"] as? String } == ["skip=title:sponsored", nil, nil])

        try workspace.write("file:news.xml skip=\"title:(broken\"\n", to: "feeds.conf")
        let check = try await workspace.cli(["check-config"])
        #expect(check.status != 0)
        #expect(check.stdout.contains("feeds.conf:1: invalid skip pattern '(broken'") || check.stderr.contains("feeds.conf:1: invalid skip pattern '(broken'"))
    }
}

/// The outbox across crashes: the real aggregatord, killed with SIGKILL at random moments
/// five times while 40 feeds keep producing items with a webhook on each; then run to the
/// end. Every stored article was delivered at least once, and every repeat of one carried
/// the same delivery id.
@Suite(.serialized) struct HookCrashTests {
    @Test func killedFiveTimesEveryStoredArticleIsDeliveredWithOneDeliveryID() async throws {
        let received = HookTests.Received()
        let receiver = try await HookTests.receiver(received) { _, _ in (200, 0) }
        defer { Task { await receiver.stop() } }
        // Each feed grows by an item every 0.4 s, up to 25: production stops after 10 s.
        let start = Date()
        let feeds = try await LoopbackServer.start([
            ("GET /feed/*", { request in
                let feed = request.path.split(separator: "/").last.map(String.init) ?? "x"
                let count = min(25, Int(Date().timeIntervalSince(start) / 0.4) + 1)
                let items = (0..<count).map { "<item><guid>f\(feed)-\($0)</guid><title>Feed \(feed) item \($0)</title></item>" }
                let body = "<rss version=\"2.0\"><channel><title>Feed \(feed)</title>\(items.joined())</channel></rss>"
                return HTTPResponse(statusCode: .ok, body: Data(body.utf8))
            }),
        ])
        defer { Task { await feeds.stop() } }
        let workspace = try HookTests.Workspace(feedsConf: "")
        defer { workspace.remove() }
        try workspace.write("default webhook=\(receiver.baseURL)/hook hook-backlog=yes hook-backoff=1s interval=1s\n"
            + (0..<40).map { "\(feeds.baseURL)/feed/\($0)\n" }.joined(), to: "feeds.conf")

        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let daemon = try ServiceTests.Daemon(workspace)
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...2000, using: &generator)))
            kill(daemon.process.processIdentifier, SIGKILL)
            _ = await ProcessRunner.exitStatus(of: daemon.process, timeout: 5)
        }
        // Production is over by now or soon; the last run delivers what is left.
        let daemon = try ServiceTests.Daemon(workspace)
        func storedIDs() async throws -> Set<Int64> {
            let tsv = try await workspace.cli(["list", "--all", "--format", "tsv"])
            return Set(tsv.stdout.split(separator: "\n").compactMap { Int64($0.split(separator: "\t")[0]) })
        }
        let everything = await daemon.waitUntil(seconds: 60) {
            Date().timeIntervalSince(start) > 11 && received.delivered.count >= 40 * 25
        }
        #expect(await daemon.stop() == 0)
        let stored = try await storedIDs()
        let delivered = received.delivered
        #expect(everything, "\(delivered.count) delivered, \(stored.count) stored")
        #expect(stored.count == 40 * 25)
        #expect(stored.subtracting(delivered.keys).isEmpty, "never delivered: \(stored.subtracting(delivered.keys).count)")
        #expect(delivered.values.allSatisfy { $0.count == 1 }, "an article delivered under two ids")
        let repeats = received.requests.count - delivered.count
        print("crash test: \(stored.count) articles stored and delivered across 5 SIGKILLs; \(repeats) repeated deliveries, "
            + "each with its first delivery id")
        #expect(try await workspace.cli(["hooks"]).stdout.hasPrefix("0 pending, 0 failed"))
    }
}
