import FlyingFox
import Foundation
import TestSupport
import Testing

/// A host's Retry-After outlives the process that heard it: a later `fetch` (cron) and a
/// restarted daemon leave every feed on that host alone until it ends; `fetch --force`
/// asks anyway and says so; `feeds` shows the feeds as paused.
@Suite(.serialized) struct HostPauseTests {
    typealias Workspace = EndToEndTests.Workspace

    static let document = "<rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>One</title></item></channel></rss>"

    @Test func aRetryAfterBindsLaterRunsAndEveryFeedOnTheHost() async throws {
        let server = try await LoopbackServer.start([
            ("GET /busy", { _ in HTTPResponse(statusCode: .tooManyRequests, headers: HTTPHeaders([HTTPHeader("Retry-After"): "3600"])) }),
            ("GET /other", { _ in HTTPResponse(statusCode: .ok, body: Data(Self.document.utf8)) }),
        ])
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: "\(server.baseURL)/busy\n")
        defer { workspace.remove() }

        let first = try await workspace.cli(["fetch"])
        #expect(first.stdout.contains("\(server.baseURL)/busy: HTTP 429, host asked to wait 1h"), "\(first.stdout)")

        // cron, a minute later: the same host, another feed on it too — nobody is asked.
        try "\(server.baseURL)/busy\n\(server.baseURL)/other\n".write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let second = try await workspace.cli(["fetch"])
        #expect(server.requests().count == 1, "asked again: \(server.requests().map(\.path))")
        #expect(second.stdout.contains("\(server.baseURL)/other: not fetched, its host asked to wait until"), "\(second.stdout)")

        let feeds = try await workspace.cli(["feeds"])
        #expect(feeds.stdout.split(separator: "\n").filter { $0.hasPrefix("paused until ") }.count == 2, "\(feeds.stdout)")
        let json = try await workspace.cli(["feeds", "--json"])
        #expect(json.stdout.split(separator: "\n").allSatisfy { $0.contains("\"paused_until\":\"") }, "\(json.stdout)")

        // A daemon started now (as after a restart) waits as well.
        let daemon = try ServiceTests.Daemon(workspace)
        #expect(await daemon.waitUntil { daemon.count("READY=1") == 1 })
        try await Task.sleep(for: .milliseconds(1500))
        #expect(server.requests().count == 1, "the daemon asked: \(server.requests().map(\.path))")
        #expect(await daemon.stop() == 0)

        // --force asks anyway, and says whom it asks although they asked to wait.
        let forced = try await workspace.cli(["fetch", "--force"])
        #expect(forced.stderr.contains("--force: asking 127.0.0.1 although it asked to wait until"), "\(forced.stderr)")
        #expect(server.requests(path: "/other").count == 1)
        #expect(forced.stdout.contains("\(server.baseURL)/other: 200, 1 new"), "\(forced.stdout)")
    }
}
