import Foundation
import Testing
import TestSupport

/// One person's reading through the built binary: ids in `list` and `search`, `show` and
/// `read`/`unread`/`star` by id, a story two feeds carry, a second person with their own
/// state, `list --new` over three fetches, and marks that outlive `prune` and a feed's
/// switch to link identity.
@Suite(.serialized) struct ReadingCommandTests {
    static func rss(_ title: String, _ items: [(guid: String, title: String, link: String, hoursAgo: Double)],
                    now: Date = Date()) -> String {
        "<rss version=\"2.0\"><channel><title>\(title)</title>" + items.map {
            "<item><guid>\($0.guid)</guid><title>\($0.title)</title><link>\($0.link)</link>"
                + "<pubDate>\(ListCommandTests.rfc822(now.addingTimeInterval(-$0.hoursAgo * 3600)))</pubDate></item>"
        }.joined() + "</channel></rss>"
    }

    /// Two feeds; "Shared" is one story in both (the same link, tracking parameters aside).
    static func workspace() async throws -> EndToEndTests.Workspace {
        let workspace = try EndToEndTests.Workspace(feedsConf: "file:world.xml\nfile:tech.xml title=\"Tech desk\"\n")
        try workspace.write(rss("World", [("w1", "Shared", "https://news.example/shared", 1),
                                          ("w2", "World two", "https://news.example/w2", 2)]), to: "world.xml")
        try workspace.write(rss("Tech", [("t1", "Shared (tech)", "https://news.example/shared?utm_source=tech", 3),
                                         ("t2", "Tech two", "https://news.example/t2", 4)]), to: "tech.xml")
        let fetch = try await workspace.cli(["fetch"])
        #expect(fetch.status == 0, "\(fetch.stderr)")
        return workspace
    }

    /// Title → id, from `list --all --format tsv` (its first column).
    static func ids(_ workspace: EndToEndTests.Workspace) async throws -> [String: String] {
        let tsv = try await workspace.cli(["list", "--all", "--format", "tsv"])
        return Dictionary(uniqueKeysWithValues: tsv.stdout.split(separator: "\n").map {
            let fields = $0.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(fields[4]), String(fields[0]))
        })
    }

    static func titles(_ result: ProcessResult) -> [String] {
        result.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[4]) }
    }

    @Test func idsAreShownAndTakenAndReadingFollowsTheStory() async throws {
        let workspace = try await Self.workspace()
        defer { workspace.remove() }
        let ids = try await Self.ids(workspace)
        let shared = try #require(ids["Shared"]), worldTwo = try #require(ids["World two"]), techTwo = try #require(ids["Tech two"])

        // The id leads every text line, right-aligned.
        let list = try await workspace.cli(["list"])
        let first = try #require(list.stdout.split(separator: "\n").first)
        #expect(first.hasPrefix(shared + "  "))

        // show takes several ids and marks them read; the story's copy in the other feed too.
        let show = try await workspace.cli(["show", shared, worldTwo])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("Shared") && show.stdout.contains("World two"))
        #expect(Self.titles(try await workspace.cli(["list", "--unread", "--format", "tsv"])) == ["Tech two"])
        #expect(Self.titles(try await workspace.cli(["list", "--unread", "--all", "--format", "tsv"])) == ["Tech two"])

        // Unread again; starred; --keep-unread leaves it be.
        #expect(try await workspace.cli(["unread", shared]).stdout == "1 marked unread\n")
        #expect(Self.titles(try await workspace.cli(["list", "--unread", "--format", "tsv"])) == ["Shared", "Tech two"])
        #expect(try await workspace.cli(["show", "--keep-unread", techTwo]).status == 0)
        #expect(try await workspace.cli(["star", techTwo]).status == 0)
        #expect(Self.titles(try await workspace.cli(["list", "--starred", "--format", "tsv"])) == ["Tech two"])
        let json = try await workspace.cli(["list", "--format", "jsonl"])
        let objects = try json.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let techTwoJSON = try #require(objects.first { $0["title"] as? String == "Tech two" })
        #expect(techTwoJSON["starred"] as? Bool == true && techTwoJSON["read"] as? Bool == false)
        #expect(objects.first { $0["title"] as? String == "World two" }?["read"] as? Bool == true)

        // feeds counts what this person has not read.
        let feeds = try await workspace.cli(["feeds", "--json"])
        let unread = Dictionary(uniqueKeysWithValues: try feeds.stdout.split(separator: "\n").map {
            let object = try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            return (object["title"] as? String ?? "", object["unread"] as? Int ?? -1)
        })
        #expect(unread == ["World": 1, "Tech desk": 2])

        // Someone else (their own state folder) has read nothing.
        let other = workspace.folder.appendingPathComponent("other-state").path
        let theirs = try await workspace.cli(["list", "--unread", "--format", "tsv"], environment: ["AGGREGATOR_STATE": other])
        #expect(Self.titles(theirs).count == 4 - 1)  // the shared story once

        // read --feed reads that feed's; the story marked unread stays so (its World copy is
        // not in that feed); read --all reads everything.
        #expect(try await workspace.cli(["read", "--feed", "Tech desk"]).stdout == "marked read: the feed 'Tech desk'\n")
        #expect(Self.titles(try await workspace.cli(["list", "--unread", "--format", "tsv"])) == ["Shared"])
        #expect(try await workspace.cli(["read", "--all"]).status == 0)
        #expect(Self.titles(try await workspace.cli(["list", "--unread", "--format", "tsv"])).isEmpty)
        // An unknown id changes nothing and says so.
        let missing = try await workspace.cli(["read", "999999", worldTwo])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no article 999999"))
        let none = try await workspace.cli(["list", "--unread"])
        #expect(none.stderr.contains("nothing unread"))
    }

    @Test func newShowsWhatArrivedSinceTheLastLook() async throws {
        let workspace = try await Self.workspace()
        defer { workspace.remove() }
        // First look: everything that arrived in the last day.
        let first = try await workspace.cli(["list", "--new"])
        #expect(first.status == 0, "\(first.stderr)")
        // Stories, as shown: the one both feeds carry counts once.
        #expect(first.stdout.split(separator: "\n").last == "3 new in 2 feeds in the last day (your first --new)")
        let again = try await workspace.cli(["list", "--new"])
        #expect(again.stdout.hasPrefix("nothing new since "))

        // Second fetch: one new article in World (dated long ago: what counts is its arrival).
        try workspace.write(Self.rss("World", [("w3", "World three", "https://news.example/w3", 48),
                                               ("w1", "Shared", "https://news.example/shared", 1),
                                               ("w2", "World two", "https://news.example/w2", 2)]), to: "world.xml")
        #expect(try await workspace.cli(["fetch"]).status == 0)
        let peek = try await workspace.cli(["list", "--new", "--peek"])
        #expect(peek.stdout.contains("World three"))
        #expect(peek.stdout.split(separator: "\n").last?.hasSuffix("; --peek: your place is kept") == true)
        let second = try await workspace.cli(["list", "--new", "--format", "tsv"])
        #expect(Self.titles(second) == ["World three"])
        #expect(second.stderr.hasPrefix("1 new in 1 feed since "))  // the summary is on stderr for tsv

        // Third fetch: two new, in both feeds; --limit cuts what is shown, not what is counted.
        try workspace.write(Self.rss("Tech", [("t3", "Tech three", "https://news.example/t3", 0.5),
                                              ("t1", "Shared (tech)", "https://news.example/shared?utm_source=tech", 3),
                                              ("t2", "Tech two", "https://news.example/t2", 4)]), to: "tech.xml")
        try workspace.write(Self.rss("World", [("w4", "World four", "https://news.example/w4", 0.2),
                                               ("w3", "World three", "https://news.example/w3", 48)]), to: "world.xml")
        #expect(try await workspace.cli(["fetch"]).status == 0)
        let third = try await workspace.cli(["list", "--new", "--limit", "1"])
        let lines = third.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("World four"))
        #expect(lines[1].hasPrefix("2 new in 2 feeds since ") && lines[1].hasSuffix("; 1 shown"))
        #expect(try await workspace.cli(["list", "--new"]).stdout.hasPrefix("nothing new"))
    }

    @Test func readingOutlivesPruneAndTheSwitchToLinkIdentity() async throws {
        let workspace = try EndToEndTests.Workspace(feedsConf: "file:site.xml keep=3\n")
        defer { workspace.remove() }
        func items(_ numbers: [Int], guid: (Int) -> String) -> [(guid: String, title: String, link: String, hoursAgo: Double)] {
            numbers.map { (guid($0), "Item \($0)", "https://site.example/\($0)", Double(10 - $0)) }
        }
        try workspace.write(Self.rss("Site", items([3, 2, 1]) { "g\($0)" }), to: "site.xml")
        #expect(try await workspace.cli(["fetch"]).status == 0)
        let ids = try await Self.ids(workspace)
        #expect(try await workspace.cli(["read", try #require(ids["Item 2"])]).status == 0)

        // The publisher breaks its guids: the feed switches to identity by link.
        try workspace.write(Self.rss("Site", items([4, 3, 2, 1]) { _ in "same" }), to: "site.xml")
        #expect(try await workspace.cli(["fetch"]).status == 0)
        #expect(Self.titles(try await workspace.cli(["list", "--unread", "--format", "tsv"])) == ["Item 4", "Item 3", "Item 1"])

        // Only the newest three are kept: item 1 goes, item 2 stays read.
        try workspace.write(Self.rss("Site", items([4]) { _ in "same" }), to: "site.xml")
        #expect(try await workspace.cli(["fetch"]).status == 0)
        let prune = try await workspace.cli(["prune"])
        #expect(prune.stdout.hasPrefix("pruned 1 article"), "\(prune.stdout)")
        #expect(Self.titles(try await workspace.cli(["list", "--unread", "--format", "tsv"])) == ["Item 4", "Item 3"])
    }

    @Test func onATerminalIdsAreDimAndUnreadTitlesBold() async throws {
        let workspace = try await Self.workspace()
        defer { workspace.remove() }
        let ids = try await Self.ids(workspace)
        #expect(try await workspace.cli(["read", try #require(ids["Tech two"])]).status == 0)
        let command = ([EndToEndTests.cli.path, "list"] + workspace.paths).joined(separator: " ")
        let tty = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
                                              environment: ["TZ": "UTC", "TERM": "xterm", "NO_COLOR": "",
                                                            "AGGREGATOR_STATE": workspace.state, "COLUMNS": "120"])
        let lines = tty.stdout.split(separator: "\n").map(String.init)
        let techTwo = try #require(lines.first { $0.contains("Tech two") })
        let worldTwo = try #require(lines.first { $0.contains("World two") })
        #expect(techTwo.hasPrefix("\u{1B}[2m"))  // the id, dim
        #expect(!techTwo.contains("\u{1B}[1mTech two"))  // read: not bold
        #expect(worldTwo.contains("\u{1B}[1mWorld two"))  // unread: bold
    }
}
