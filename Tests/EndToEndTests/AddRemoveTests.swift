import FlyingFox
import Foundation
import Testing
import TestSupport

/// `aggregator add` and `remove` through the built binary, against a loopback site: pages
/// with and without `<link rel=alternate>`, relative hrefs, several candidates, a page
/// that is itself a feed, a 404, a non-feed at every usual path; feeds.conf kept byte
/// for byte; a feeds.conf the person may not write; a running aggregatord polling the
/// added feed by itself.
@Suite(.serialized) struct AddRemoveTests {
    static func rss(_ title: String, items: Int) -> String {
        "<rss version=\"2.0\"><channel><title>\(title)</title>"
            + (0..<items).map { "<item><guid>\(title)-\($0)</guid><title>\(title) \($0)</title></item>" }.joined()
            + "</channel></rss>"
    }

    static func page(_ head: String) -> String {
        "<!DOCTYPE html><html><head><title>A site</title>\(head)</head><body><p>Hello</body></html>"
    }

    static func site() async throws -> LoopbackServer {
        func ok(_ body: String, _ type: String) -> LoopbackServer.Handler {
            { _ in HTTPResponse(statusCode: .ok, headers: [HTTPHeader("Content-Type"): type], body: Data(body.utf8)) }
        }
        let html = "text/html; charset=utf-8", xml = "application/rss+xml"
        var routes: [(String, LoopbackServer.Handler)] = [
            ("GET /blog/", ok(page(#"<link rel="alternate" type="application/rss+xml" title="Posts" href="feed.xml">"#), html)),
            ("GET /blog/feed.xml", ok(rss("The Blog", items: 2), xml)),
            ("GET /multi/", ok(page(#"<link rel="alternate" type="application/rss+xml" href="/multi/rss.xml">"#
                                    + #"<link rel="alternate" type="application/atom+xml" href="/multi/atom.xml">"#), html)),
            ("GET /multi/rss.xml", ok(rss("Multi RSS", items: 1), xml)),
            ("GET /multi/atom.xml", ok("""
                <feed xmlns="http://www.w3.org/2005/Atom"><title>Multi Atom</title><id>urn:m</id>
                <entry><id>urn:m:1</id><title>One</title><updated>2020-10-31T08:00:00Z</updated></entry></feed>
                """, "application/atom+xml")),
            ("GET /quiet/", ok(page(""), html)),
            ("GET /quiet/rss.xml", ok(rss("Quiet", items: 3), xml)),
            ("GET /direct.xml", ok(rss("Direct", items: 4), xml)),
            ("GET /nofeeds/", ok(page(#"<link rel="alternate" type="application/rss+xml" href="/broken.xml">"#), html)),
            ("GET /broken.xml", ok("<html><body>Not a feed</body></html>", html)),
        ]
        // Every usual place at the root answers with a web page, not a feed.
        for name in ["feed", "rss", "rss.xml", "atom.xml", "feed.xml", "index.xml"] {
            routes.append(("GET /\(name)", ok(page(""), html)))
        }
        return try await LoopbackServer.start(routes)
    }

    static let original = "# my feeds, by hand\n\n  # an indented note\t\nfile:local.xml   title=\"Local\"   \n# last line, no newline"

    @Test func addFindsChecksAndAppendsKeepingEveryByte() async throws {
        let server = try await Self.site()
        defer { Task { await server.stop() } }
        let workspace = try EndToEndTests.Workspace(feedsConf: Self.original)
        defer { workspace.remove() }
        try workspace.write(Self.rss("Local", items: 1), to: "local.xml")
        func conf() throws -> String { try String(contentsOfFile: workspace.config, encoding: .utf8) }

        // A page announcing its feed with a relative href.
        let blog = try await workspace.cli(["add", "\(server.baseURL)/blog/", "--tags", "news,tech", "--interval", "2h"])
        #expect(blog.status == 0, "\(blog.stderr)")
        #expect(blog.stdout.contains("following The Blog (\(server.baseURL)/blog/feed.xml): rss2.0, 2 articles now"))
        #expect(try conf() == Self.original + "\n\(server.baseURL)/blog/feed.xml tags=\"news,tech\" interval=2h\n")

        // Again: already followed, nothing written.
        let again = try await workspace.cli(["add", "\(server.baseURL)/blog/feed.xml"])
        #expect(again.stdout.hasPrefix("already following"))

        // A page that is itself a feed; a title of one's own.
        let direct = try await workspace.cli(["add", "\(server.baseURL)/direct.xml", "--title", "My \"direct\" one"])
        #expect(direct.status == 0, "\(direct.stderr)")
        #expect(try conf().hasSuffix("\(server.baseURL)/direct.xml title=\"My \\\"direct\\\" one\"\n"))

        // No link on the page: found at a usual place in the page's folder.
        let quiet = try await workspace.cli(["add", "\(server.baseURL)/quiet/"])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(try conf().hasSuffix("\(server.baseURL)/quiet/rss.xml\n"))

        // Several: listed, none added without --pick (not a terminal); --pick 2 takes the Atom one.
        let multi = try await workspace.cli(["add", "\(server.baseURL)/multi/"])
        #expect(multi.status == 1)
        #expect(multi.stderr.contains("1  Multi RSS  \(server.baseURL)/multi/rss.xml  (rss2.0, 1 article; announced by the page)"))
        #expect(multi.stderr.contains("2  Multi Atom  \(server.baseURL)/multi/atom.xml"))
        #expect(multi.stderr.contains("choose one with --pick N"))
        #expect(try await workspace.cli(["add", "\(server.baseURL)/multi/", "--pick", "2"]).status == 0)
        #expect(try conf().hasSuffix("\(server.baseURL)/multi/atom.xml\n"))

        // A 404; a page whose link and every usual place are not feeds.
        let missing = try await workspace.cli(["add", "\(server.baseURL)/gone/"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no feed found: \(server.baseURL)/gone/: HTTP 404"))
        let none = try await workspace.cli(["add", "\(server.baseURL)/nofeeds/"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("names no feed, and none is at the usual places"))
        #expect(none.stderr.contains("\(server.baseURL)/broken.xml") && none.stderr.contains("\(server.baseURL)/index.xml"))

        // What was there is untouched, and the whole file reads back.
        #expect(try conf().hasPrefix(Self.original + "\n"))
        #expect(try await workspace.cli(["check-config"]).status == 0)

        // remove comments the line out by title; --delete removes another by URL.
        let removed = try await workspace.cli(["remove", "The Blog"])  // the feed's own title, from the store
        #expect(removed.status == 1)  // not fetched yet: its own title is not known, and no title= was given
        #expect(try await workspace.cli(["fetch"]).status == 0)
        let byTitle = try await workspace.cli(["remove", "the blog"])
        #expect(byTitle.status == 0, "\(byTitle.stderr)")
        #expect(try conf().contains("\n# \(server.baseURL)/blog/feed.xml tags=\"news,tech\" interval=2h  # removed by aggregator remove on "))
        #expect(try await workspace.cli(["remove", "\(server.baseURL)/quiet/rss.xml", "--delete"]).status == 0)
        #expect(try !conf().contains("quiet"))
        #expect(try conf().hasPrefix(Self.original + "\n"))
        let feeds = try await workspace.cli(["check-config"])
        #expect(feeds.status == 0, "\(feeds.stderr)")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run the CLI as another account"))
    func aFeedsConfThePersonMayNotWriteIsLeftAloneWithTheFix() async throws {
        let server = try await Self.site()
        defer { Task { await server.stop() } }
        let workspace = try EndToEndTests.Workspace(feedsConf: Self.original)
        defer { workspace.remove() }
        chmod(workspace.folder.path, 0o755)
        chmod(workspace.config, 0o644)
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                                 ["--reuid=4241", "--regid=4241", "--clear-groups", EndToEndTests.cli.path,
                                                  "add", "\(server.baseURL)/direct.xml", "--config", workspace.config],
                                                 environment: ["HOME": "/nonexistent"])
        #expect(result.status == 77)
        #expect(result.stderr.contains("cannot change \(workspace.config): permission denied (it belongs to root)"))
        #expect(result.stderr.contains("sudo aggregator add \(server.baseURL)/direct.xml --config \(workspace.config)"))
        #expect(server.requests(path: "/direct.xml").isEmpty)  // refused before fetching anything
        #expect(try String(contentsOfFile: workspace.config, encoding: .utf8) == Self.original)
    }

    @Test func aRunningDaemonPollsTheAddedFeedWithinASecond() async throws {
        let server = try await Self.site()
        defer { Task { await server.stop() } }
        let workspace = try EndToEndTests.Workspace(feedsConf: "")
        defer { workspace.remove() }
        let daemon = try ServiceTests.Daemon(workspace)
        #expect(await daemon.waitUntil { daemon.count("READY=1") > 0 })
        let added = try await workspace.cli(["add", "\(server.baseURL)/direct.xml"])
        #expect(added.status == 0, "\(added.stderr)")
        let checked = server.requests(path: "/direct.xml").count  // add's own check
        let start = Date()
        #expect(await daemon.waitUntil(seconds: 5) { server.requests(path: "/direct.xml").count > checked })
        let waited = Date().timeIntervalSince(start)
        #expect(waited < 1.5, "the daemon took \(waited) s to poll the added feed")
        #expect(await daemon.stop() == 0)
    }
}
