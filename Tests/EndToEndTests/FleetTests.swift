import FlyingFox
import Foundation
import TestSupport
import Testing

/// Several real aggregatord processes sharing one PostgreSQL store (a fleet), against a
/// loopback server that counts what it is asked: every feed polled once per cycle by one
/// of them, a killed member's feeds taken over once its lease runs out, an older
/// feeds.conf never bringing back a removed feed, and the store going away and coming back.
@Suite(.serialized) struct FleetTests {
    typealias Workspace = EndToEndTests.Workspace
    typealias Daemon = ServiceTests.Daemon

    /// Feeds `/feed/N`, two items each (the second a story every feed shares), answered
    /// after `delay` so that polls overlap.
    static func server(delay: Duration = .milliseconds(20)) async throws -> LoopbackServer {
        try await LoopbackServer.start([
            ("GET /feed/*", { request in
                try? await Task.sleep(for: delay)
                let name = request.path.split(separator: "/").last.map(String.init) ?? "x"
                let body = "<rss version=\"2.0\"><channel><title>Feed \(name)</title>"
                    + "<item><guid>\(name)-1</guid><title>Only in \(name)</title><link>https://e.example/\(name)</link></item>"
                    + "<item><guid>\(name)-2</guid><title>Everywhere</title><link>https://shared.example/story</link></item>"
                    + "</channel></rss>"
                return HTTPResponse(statusCode: .ok, body: Data(body.utf8))
            }),
        ])
    }

    static func feedsConf(_ server: LoopbackServer, _ range: ClosedRange<Int>, options: String = "") -> String {
        "default interval=1h fleet-lease=5s \(options)\n" + range.map { "\(server.baseURL)/feed/\($0)\n" }.joined()
    }

    static func member(_ workspace: Workspace, _ url: String, config: String? = nil,
                       environment: [String: String] = [:]) throws -> Daemon {
        try Daemon(workspace, arguments: ["--config", config ?? workspace.config, "--store", url], environment: environment)
    }

    /// A count from the store; -1 while the first member has not made the tables yet.
    static func scalar(_ url: String, _ sql: String) throws -> Int {
        do {
            return Int(try ThrowawayPostgres.psql(url, sql)) ?? -1
        } catch where "\(error)".contains("does not exist") {
            return -1
        }
    }

    /// Waits (bounded) until `condition` holds.
    static func waitUntil(seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    @Test func twoMembersPollEveryFeedOnceAndSayWhoPolledIt() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        try workspace.write(Self.feedsConf(server, 1...40), to: "feeds.conf")
        let url = try ThrowawayPostgres.newDatabase()
        let first = try Self.member(workspace, url), second = try Self.member(workspace, url)
        let polled = try await Self.waitUntil(seconds: 30) {
            try Self.scalar(url, "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL") == 40
        }
        #expect(polled)
        // A few seconds more: nothing is asked twice within the hour's interval.
        try await Task.sleep(for: .seconds(2))
        let counts = Dictionary(grouping: server.requests(), by: \.path).mapValues(\.count)
        #expect(counts.count == 40 && counts.values.allSatisfy { $0 == 1 }, "\(counts.filter { $0.value != 1 })")
        #expect(try Self.scalar(url, "SELECT count(*) FROM article") == 80)
        #expect(try Self.scalar(url, "SELECT count(DISTINCT lastPolledBy) FROM feed") == 2)
        // `feeds` names the member; each member's STATUS says how many feeds it holds.
        let feeds = try await workspace.cli(["feeds", "--json", "--config", workspace.config, "--store", url], withPaths: false)
        #expect(feeds.status == 0, "\(feeds.stderr)")
        let names = Set([ProcessInfo.processInfo.hostName].flatMap { host in
            [first, second].map { "\(host):\($0.process.processIdentifier)" }
        })
        let polledBy = feeds.stdout.split(separator: "\n").compactMap { line -> String? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["polled_by"] as? String
        }
        #expect(polledBy.count == 40 && polledBy.allSatisfy(names.contains), "\(polledBy.prefix(3)) not in \(names)")
        for member in [first, second] {
            #expect(member.messages.contains { $0.contains("STATUS=fleet member") && $0.contains("holding") },
                    "\(member.messages.suffix(3))")
        }
        let list = try await workspace.cli(["list", "--format", "tsv", "--limit", "500", "--config", workspace.config,
                                            "--store", url], withPaths: false)
        #expect(list.stdout.split(separator: "\n").count == 41, "the shared story once, with each feed's own")
        #expect(await first.stop() == 0)
        #expect(await second.stop() == 0)
    }

    /// Requests under way at once, at most, as the server saw them.
    final class Concurrency: @unchecked Sendable {  // under `lock`
        private let lock = NSLock()
        private var now = 0
        private(set) var most = 0
        private(set) var times: [(path: String, at: Date)] = []
        func begin(_ path: String) { lock.withLock { now += 1; most = max(most, now); times.append((path, Date())) } }
        func end() { lock.withLock { now -= 1 } }
        var requests: [(path: String, at: Date)] { lock.withLock { times } }
    }

    @Test func politenessIsTheFleetsNotEachMembers() async throws {
        let seen = Concurrency()
        let server = try await LoopbackServer.start([
            ("GET /feed/*", { request in
                seen.begin(request.path)
                defer { seen.end() }
                try? await Task.sleep(for: .milliseconds(100))
                if request.path == "/feed/busy" {
                    return HTTPResponse(statusCode: .tooManyRequests, headers: [HTTPHeader("Retry-After"): "30"], body: Data())
                }
                let body = "<rss version=\"2.0\"><channel><title>F</title><item><guid>\(request.path)</guid></item></channel></rss>"
                return HTTPResponse(statusCode: .ok, body: Data(body.utf8))
            }),
        ])
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        // max-per-host=2 for the fleet; three members, each running one transfer at a time
        // (max-transfers=1): only the fleet-wide count keeps them from asking three at once.
        try workspace.write(Self.feedsConf(server, 1...30, options: "max-per-host=2 max-transfers=1"), to: "feeds.conf")
        let url = try ThrowawayPostgres.newDatabase()
        let members = try (0..<3).map { _ in try Self.member(workspace, url) }
        #expect(try await Self.waitUntil(seconds: 30) {
            try Self.scalar(url, "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL") == 30
        })
        #expect(seen.most == 2, "\(seen.most) requests at once on one host")
        #expect(try Self.scalar(url, "SELECT count(DISTINCT lastPolledBy) FROM feed") >= 2)

        // A 429 with Retry-After to one member pauses the host for every member.
        try workspace.write(Self.feedsConf(server, 1...30, options: "max-per-host=2 max-transfers=1")
            + "\(server.baseURL)/feed/busy\n" + (31...40).map { "\(server.baseURL)/feed/\($0)\n" }.joined(), to: "feeds.conf")
        #expect(try await Self.waitUntil(seconds: 15) {
            try Self.scalar(url, "SELECT count(*) FROM host_pause WHERE untilAt > extract(epoch FROM now())") == 1
        })
        let paused = Date()
        try await Task.sleep(for: .seconds(3))
        // What was already under way when the 429 came may finish; nothing starts after.
        let after = seen.requests.filter { $0.at > paused.addingTimeInterval(0.3) }
        #expect(after.isEmpty, "\(after.map(\.path)) asked while the host asked the fleet to wait")
        #expect(try Self.scalar(url, "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL") < 40)
        for member in members { #expect(await member.stop() == 0) }
    }

    @Test func aKilledMembersFeedsAreTakenOverWithinTwiceTheLease() async throws {
        // 60 feeds at 0.3 s each, at most 2 at once on the host fleet-wide: a cycle of ~9 s.
        let server = try await Self.server(delay: .milliseconds(300))
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        try workspace.write(Self.feedsConf(server, 1...60), to: "feeds.conf")
        let url = try ThrowawayPostgres.newDatabase()
        let members = try (0..<3).map { _ in try Self.member(workspace, url) }
        let victim = members[0]
        let victimName = "%:\(victim.process.processIdentifier)"
        // Killed while it holds feeds.
        let holding = try await Self.waitUntil(seconds: 20) {
            try Self.scalar(url, "SELECT count(*) FROM feed WHERE claimedBy LIKE '\(victimName)'") > 0
        }
        #expect(holding)
        kill(victim.process.processIdentifier, SIGKILL)
        let killedAt = Date()
        _ = await ProcessRunner.exitStatus(of: victim.process, timeout: 5)
        let orphaned = try ThrowawayPostgres.psql(url, "SELECT id FROM feed WHERE claimedBy LIKE '\(victimName)'")
            .split(separator: "\n").map(String.init)
        #expect(!orphaned.isEmpty)
        // Taken over once the 5 s lease runs out: polled by another within twice the lease.
        let takenOver = try await Self.waitUntil(seconds: 10) {
            try Self.scalar(url, """
                SELECT count(*) FROM feed WHERE id IN (\(orphaned.joined(separator: ",")))
                  AND lastSuccessAt IS NOT NULL AND lastPolledBy NOT LIKE '\(victimName)'
                """) == orphaned.count
        }
        #expect(takenOver, "taken over after \(Date().timeIntervalSince(killedAt)) s")
        let all = try await Self.waitUntil(seconds: 30) {
            try Self.scalar(url, "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL") == 60
        }
        #expect(all)
        // Nothing lost, nothing twice: every feed's two items once.
        #expect(try Self.scalar(url, "SELECT count(*) FROM article") == 120)
        #expect(try Self.scalar(url, "SELECT count(DISTINCT (feedId, dedupKey)) FROM article") == 120)
        let counts = Dictionary(grouping: server.requests(), by: \.path).mapValues(\.count)
        // Only what the victim was asking when it died is asked again.
        #expect(counts.count == 60 && counts.values.allSatisfy { $0 <= 2 })
        #expect(counts.values.filter { $0 == 2 }.count <= orphaned.count)
        for member in members.dropFirst() { #expect(await member.stop() == 0) }
    }

    @Test func anOlderFeedsConfNeverBringsBackARemovedFeed() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        let url = try ThrowawayPostgres.newDatabase()
        // Host B's copy still lists feed 4, and was last edited an hour before host A's.
        let older = workspace.folder.appendingPathComponent("older.conf").path
        try Self.feedsConf(server, 1...4).write(toFile: older, atomically: true, encoding: .utf8)
        var times = [timeval(tv_sec: time(nil) - 3600, tv_usec: 0), timeval(tv_sec: time(nil) - 3600, tv_usec: 0)]
        #expect(utimes(older, &times) == 0)
        try workspace.write(Self.feedsConf(server, 1...3), to: "feeds.conf")
        let a = try Self.member(workspace, url)
        #expect(try await Self.waitUntil(seconds: 20) {
            try Self.scalar(url, "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL") == 3
        })
        let b = try Self.member(workspace, url, config: older)
        #expect(await b.waitUntil(seconds: 10) { b.messages.contains { $0.contains("older than the fleet's") } },
                "\(b.messages.suffix(2))")
        try await Task.sleep(for: .seconds(1))
        #expect(server.requests(path: "/feed/4").isEmpty)
        #expect(try Self.scalar(url, "SELECT count(*) FROM feed WHERE inConfig = 1") == 3)
        // B's file edited now (feed 5 added): it is the newest, so the fleet's, feed 4 with
        // it; A's copy is now the older one. (An edit is a change of content: the file
        // watcher reloads on that; after a mere `touch`, SIGHUP.)
        try Self.feedsConf(server, 1...5).write(toFile: older, atomically: true, encoding: .utf8)
        #expect(try await Self.waitUntil(seconds: 15) {
            !server.requests(path: "/feed/4").isEmpty && !server.requests(path: "/feed/5").isEmpty
        }, "\(b.logText)")
        #expect(await a.waitUntil(seconds: 10) { a.messages.contains { $0.contains("older than the fleet's") } },
                "\(a.messages.suffix(2))")
        #expect(await a.stop() == 0)
        #expect(await b.stop() == 0)
    }

    @Test func aStoreThatGoesAwayIsWaitedForAndTheFeedsArePolledWhenItReturns() async throws {
        let server = try await Self.server(delay: .milliseconds(200))
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "")
        defer { workspace.remove() }
        try workspace.write(Self.feedsConf(server, 1...30), to: "feeds.conf")
        let cluster = try ThrowawayPostgres.Dedicated()
        defer { cluster.stop() }
        let member = try Self.member(workspace, cluster.url, environment: ["WATCHDOG_USEC": "1000000"])
        #expect(try await Self.waitUntil(seconds: 20) {
            try Self.scalar(cluster.url, "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL") >= 3
        })
        try cluster.pause()
        #expect(await member.waitUntil(seconds: 15) { member.messages.contains { $0.contains("STATUS=store unreachable") } },
                "\(member.messages.suffix(3))")
        // The loop itself is alive: keep-alives go on while the store is away.
        let petted = member.count("WATCHDOG=1")
        try await Task.sleep(for: .seconds(2))
        #expect(member.count("WATCHDOG=1") > petted)
        #expect(member.process.isRunning)
        try cluster.resume()
        // Every feed stored once the store is back (those whose results were lost when it
        // went are polled again when their claims run out). Bounded by the reconnection
        // backoff (1 s doubling to 30 s, for the claims' connection and the polls' one in
        // turn) plus the 5 s lease: 45 s failed twice in loaded CI runs, 90 s covers both.
        #expect(try await Self.waitUntil(seconds: 90) {
            (try? Self.scalar(cluster.url, "SELECT count(*) FROM feed WHERE lastSuccessAt IS NOT NULL")) == 30
        }, "\(member.messages.suffix(3))")
        #expect(try Self.scalar(cluster.url, "SELECT count(*) FROM article") == 60)
        #expect(member.messages.last { $0.contains("STATUS=") }?.contains("fleet member") == true)
        #expect(await member.stop() == 0)
    }
}
