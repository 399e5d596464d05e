import Foundation
import Testing
import TestSupport

/// `aggregator list`'s filters and formats, compared as exact output, over two local
/// feeds stored by `aggregator fetch`.
@Suite(.serialized) struct ListCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("list-\(UUID().uuidString)")
    var paths: [String] { ["--config", folder.appendingPathComponent("feeds.conf").path,
                           "--data", folder.appendingPathComponent("data").path] }
    let now = Date()

    static func rfc822(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    func item(_ guid: String, _ title: String, hoursAgo: Double) -> String {
        "<item><guid>\(guid)</guid><title>\(title)</title><link>https://example.org/\(guid)</link>"
            + "<pubDate>\(Self.rfc822(now.addingTimeInterval(-hoursAgo * 3600)))</pubDate></item>"
    }

    func prepare() async throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "<rss version=\"2.0\"><channel><title>World</title>\(item("w1", "World one", hoursAgo: 1))\(item("w2", "World two", hoursAgo: 30))</channel></rss>"
            .write(to: folder.appendingPathComponent("world.xml"), atomically: true, encoding: .utf8)
        try "<rss version=\"2.0\"><channel><title>Tech</title>\(item("t1", "Tech\tone", hoursAgo: 5))\(item("t2", "Tech two", hoursAgo: 24 * 8))</channel></rss>"
            .write(to: folder.appendingPathComponent("tech.xml"), atomically: true, encoding: .utf8)
        try "file:world.xml tags=news,world\nfile:tech.xml title=\"Tech desk\" tags=tech\n"
            .write(to: folder.appendingPathComponent("feeds.conf"), atomically: true, encoding: .utf8)
        let fetch = try await run(["fetch"])
        #expect(fetch.status == 0, "\(fetch.stderr)")
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
        try await ProcessRunner.run(EndToEndTests.cli, arguments + paths, environment: [
            "TZ": "UTC", "AGGREGATOR_STATE": folder.appendingPathComponent("state").path,
        ].merging(environment) { _, new in new })
    }

    func titles(_ result: ProcessResult) -> [String] {
        result.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[4]) }
    }

    @Test func formatsFiltersAndPages() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await prepare()

        let tsv = try await run(["list", "--format", "tsv"])
        #expect(tsv.status == 0)
        let rows = tsv.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.map { $0.count } == [6, 6, 6, 6])
        #expect(rows.map { String($0[4]) } == ["World one", "Tech one", "World two", "Tech two"])  // the tab became a space
        #expect(rows[1][3] == "Tech desk")
        #expect(rows[1][5] == "https://example.org/t1")

        #expect(titles(try await run(["list", "--format", "tsv", "--tag", "world"])) == ["World one", "World two"])
        #expect(titles(try await run(["list", "--format", "tsv", "--feed", "tech"])) == ["Tech one", "Tech two"])
        #expect(titles(try await run(["list", "--format", "tsv", "--since", "2d"])) == ["World one", "Tech one", "World two"])
        #expect(titles(try await run(["list", "--format", "tsv", "--since", "12h"])) == ["World one", "Tech one"])
        #expect(titles(try await run(["list", "--format", "tsv", "--until", "1w"])) == ["Tech two"])
        #expect(titles(try await run(["list", "--format", "tsv", "--limit", "2", "--offset", "1"])) == ["Tech one", "World two"])

        let json = try await run(["list", "--format", "json", "--limit", "2"])
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(array.map { $0["title"] as? String } == ["World one", "Tech\tone"])  // JSON keeps the tab, escaped
        let jsonl = try await run(["list", "--format", "jsonl"])
        #expect(jsonl.stdout.split(separator: "\n").count == 4)
        #expect(try await run(["list", "--json"]).stdout == jsonl.stdout)  // the older spelling

        let bad = try await run(["list", "--since", "soon"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("invalid date 'soon': use YYYY-MM-DD, RFC 3339"))
    }

    @Test func statsChartsDaysAndCountsFeeds() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await prepare()
        let stats = try await run(["stats", "--weeks", "2"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let lines = stats.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Articles per day (by date), 2 weeks to the newest article:")
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        var expected: [String: Int] = [:]
        for hours: Double in [1, 5, 30, 192] { expected[formatter.string(from: now.addingTimeInterval(-hours * 3600)), default: 0] += 1 }
        let chart = lines[1...14]
        // The chart ends on the newest article's day (an hour ago: yesterday, in the first
        // hour after midnight UTC).
        #expect(chart.last?.hasPrefix(formatter.string(from: now.addingTimeInterval(-3600))) == true)
        for line in chart {
            let day = String(line.prefix(10))
            if let count = expected[day] {
                #expect(line.hasSuffix(" \(count)") && line.contains("█"), "\(line)")
            } else {
                #expect(line == day)
            }
        }
        #expect(lines.contains("       2  World"))
        #expect(lines.contains("       2  Tech desk"))
        #expect(lines.last(where: { !$0.isEmpty })?.hasPrefix("4 articles in 2 feeds; store ") == true)

        let feeds = try await run(["feeds"])
        let feedLines = feeds.stdout.split(separator: "\n").map(String.init)
        #expect(feedLines[0] == "STATE            LAST SUCCESS      NEXT POLL  ARTICLES    UNREAD  FEED")
        #expect(feedLines[1].hasPrefix("ok               "))
        #expect(feedLines[1].contains("  in 2") || feedLines[1].contains("  in 3"))  // the 30m interval ± 10%
        #expect(feedLines[1].contains("       2         2  World  file://"))
    }

    @Test func colourOnlyOnATerminalAndNeverWithNO_COLOR() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await prepare()
        let piped = try await run(["list"])
        #expect(!piped.stdout.contains("\u{1B}["))
        #expect(piped.stdout.split(separator: "\n").first?.hasSuffix("World one  https://example.org/w1") == true)

        let command = ([EndToEndTests.cli.path, "list"] + paths).joined(separator: " ")
        let tty = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
                                              environment: ["TZ": "UTC", "TERM": "xterm", "NO_COLOR": ""])
        #expect(tty.stdout.contains("\u{1B}[36m"))
        let plain = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
                                                environment: ["TZ": "UTC", "TERM": "xterm", "NO_COLOR": "1"])
        #expect(!plain.stdout.contains("\u{1B}[36m"))
        #expect(plain.stdout.contains("World one"))
    }
}

/// What `list` and `stats` look like where it shows: columns that line up whatever the
/// titles' scripts, on a terminal of a given width; a chart over the days that hold articles.
@Suite(.serialized) struct TextLayoutTests {
    /// Terminal columns, as a terminal counts them for these titles (CJK wide, the rest one).
    static func columns(_ text: Substring) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            total + ((0x3000...0x9FFF).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value) ? 2 : 1)
        }
    }

    @Test func wideTitlesAndFeedNamesKeepTheColumnsAndTheWidth() async throws {
        let workspace = try EndToEndTests.Workspace(feedsConf: "file:cjk.xml\nfile:long.xml\n")
        defer { workspace.remove() }
        try workspace.write(ReadingCommandTests.rss("新华网", [
            ("c1", "中国将继续坚持对外开放，推动创新发展与国际合作，共同应对全球挑战", "https://example.cn/1", 1),
            ("c2", "短标题", "https://example.cn/2", 3),
        ]), to: "cjk.xml")
        try workspace.write(ReadingCommandTests.rss("World", [
            ("w1", String(repeating: "A very long English headline ", count: 6), "https://example.org/" + String(repeating: "x", count: 80), 2),
        ]), to: "long.xml")
        #expect(try await workspace.cli(["fetch"]).status == 0)
        let command = "stty cols 80 rows 24; " + ([EndToEndTests.cli.path, "list"] + workspace.paths).joined(separator: " ")
        let tty = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
                                              environment: ["TZ": "UTC", "TERM": "xterm", "NO_COLOR": "1",
                                                            "AGGREGATOR_STATE": workspace.state])
        let lines = tty.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n")
        #expect(lines.count == 3, "\(tty.stdout)")
        for line in lines {
            #expect(Self.columns(line) <= 80, "\(line) is \(Self.columns(line)) columns")
        }
        // The title starts at the same column on every line: after id, date and the feed,
        // padded to the widest feed name (新华网 takes six columns, World five).
        let titleColumns = lines.map { line -> Int in
            let feedEnd = line.range(of: "新华网  ") ?? line.range(of: "World   ")
            return Self.columns(line[..<(feedEnd?.upperBound ?? line.startIndex)])
        }
        #expect(Set(titleColumns).count == 1, "\(lines)")
        #expect(lines.contains { $0.contains("…") })  // the long ones were cut, with an ellipsis
    }

    @Test func statsChartsTheDaysThatHoldArticlesAndNamesNewestAndOldest() async throws {
        let workspace = try EndToEndTests.Workspace(feedsConf: "file:old.xml\n")
        defer { workspace.remove() }
        try workspace.write("""
            <rss version="2.0"><channel><title>Archive</title>
            <item><guid>1</guid><title>Last one</title><pubDate>Sat, 31 Oct 2020 08:21:00 GMT</pubDate></item>
            <item><guid>2</guid><title>Same day</title><pubDate>Sat, 31 Oct 2020 06:00:00 GMT</pubDate></item>
            <item><guid>3</guid><title>First one</title><pubDate>Wed, 28 Oct 2020 10:00:00 GMT</pubDate></item>
            </channel></rss>
            """, to: "old.xml")
        #expect(try await workspace.cli(["fetch"]).status == 0)
        let stats = try await workspace.cli(["stats"])
        let lines = stats.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Articles per day (by date), 4 days to the newest article:")
        #expect(lines[1].hasPrefix("2020-10-28 ") && lines[1].hasSuffix(" 1"))
        #expect(lines[2] == "2020-10-29" && lines[3] == "2020-10-30")
        #expect(lines[4].hasPrefix("2020-10-31 ███") && lines[4].hasSuffix(" 2"))
        #expect(lines[5] == "Newest: 2020-10-31 08:21  Archive: Last one")
        #expect(lines[6] == "Oldest: 2020-10-28 10:00  Archive: First one")
    }
}

/// Text from feeds never reaches a terminal as control sequences: `list` and `feeds` drop
/// ESC, BEL and C1 codes (a JSON Feed can carry them legally); JSON output escapes them.
@Suite(.serialized) struct TerminalSafetyTests {
    @Test func controlCharactersFromFeedsAreRemovedOrEscaped() async throws {
        let workspace = try EndToEndTests.Workspace(feedsConf: "")
        defer { workspace.remove() }
        try #"""
            {"version": "https://jsonfeed.org/version/1.1", "title": "Desk \u001b[2J\u0007",
             "items": [{"id": "1", "title": "Evil \u001b]0;pwned\u0007 and \u009b31m red",
                        "url": "https://example.org/1", "date_published": "2020-10-31T08:21:00Z"}]}
            """#.write(to: workspace.folder.appendingPathComponent("evil.json"), atomically: true, encoding: .utf8)
        try workspace.write("file:evil.json\n", to: "feeds.conf")
        #expect(try await workspace.cli(["fetch"]).status == 0)

        let controls: (Unicode.Scalar) -> Bool = { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) }
        for command in [["list"], ["list", "--format", "tsv"], ["feeds"]] {
            let result = try await workspace.cli(command)
            #expect(result.status == 0)
            #expect(result.stdout.contains("Evil ]0;pwned and 31m red") || command == ["feeds"], "\(command)")
            let tabsAllowed = command.contains("tsv")
            #expect(!result.stdout.unicodeScalars.contains { controls($0) && !(tabsAllowed && $0 == "\t") }, "\(command)")
        }
        let json = try await workspace.cli(["list", "--format", "json"])
        #expect(json.stdout.contains(#"\u001b]0;pwned\u0007"#))
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(decoded.first?["title"] as? String == "Evil \u{1B}]0;pwned\u{07} and \u{9B}31m red")
    }
}

@Suite(.serialized) struct ShowCommandTests {
    @Test func showsReadableTextHTMLAndJSON() async throws {
        let workspace = try EndToEndTests.Workspace(feedsConf: "")
        defer { workspace.remove() }
        let folder = workspace.folder
        let html = "<p>A first paragraph with <a href=\"https://example.org/more\">a link</a>, long enough that it "
            + "has to wrap at forty columns.</p><ul><li>one</li><li>two</li></ul><p>Line<br>break \u{1B}[31mred</p>"
        try """
            <rss version="2.0"><channel><title>Desk</title><item><guid>s1</guid><title>The story</title>
            <link>https://example.org/story</link><author>Ann</author><pubDate>Sat, 31 Oct 2020 08:21:00 GMT</pubDate>
            <description><![CDATA[\(html)]]></description></item></channel></rss>
            """.write(to: folder.appendingPathComponent("desk.xml"), atomically: true, encoding: .utf8)
        try workspace.write("file:desk.xml\n", to: "feeds.conf")
        #expect(try await workspace.cli(["fetch"]).status == 0)

        let show = try await workspace.cli(["show", "1"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout == """
            The story
            Desk · 2020-10-31 08:21 · Ann
            https://example.org/story

            A first paragraph with a link [1], long enough that it has to wrap at forty
            columns.

              • one
              • two

            Line
            break [31mred

            Links:
            [1] https://example.org/more

            """)
        #expect(!show.stdout.contains("\u{1B}"))

        let json = try await workspace.cli(["show", "1", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["title"] as? String == "The story")
        #expect((object["summary"] as? String)?.contains("<a href=\"https://example.org/more\">") == true)

        let raw = try await workspace.cli(["show", "1", "--html"])
        #expect(raw.stdout.hasPrefix("<p>A first paragraph"))

        let missing = try await workspace.cli(["show", "99"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no article 99"))
    }
}

@Suite(.serialized) struct OPMLCommandTests {
    @Test func importAppendsKeepingCommentsAndExportReadsBack() async throws {
        let workspace = try EndToEndTests.Workspace(feedsConf: "")
        defer { workspace.remove() }
        let folder = workspace.folder
        let config = folder.appendingPathComponent("feeds.conf")
        try "# my feeds\nhttps://a.example/feed title=\"A\"   # keep this comment\n".write(to: config, atomically: true, encoding: .utf8)
        let opml = folder.appendingPathComponent("subs.opml")
        try """
            <opml version="2.0"><body>
              <outline text="World News"><outline text="Say hi" title="B &quot;quoted&quot; feed" xmlUrl="https://b.example/rss"/></outline>
              <outline text="A again" xmlUrl="https://a.example/feed"/>
              <outline text="Local" xmlUrl="file:///etc/passwd"/>
              <outline text="C" xmlUrl="https://c.example/atom.xml"/>
            </body></opml>
            """.write(to: opml, atomically: true, encoding: .utf8)

        let dry = try await workspace.cli(["import-opml", opml.path, "--dry-run"])
        #expect(dry.stdout == """
            https://b.example/rss title="B \\"quoted\\" feed" tags="World News"
            https://c.example/atom.xml title="C"
            2 feeds to add, 1 already in \(config.path)

            """)
        #expect(dry.stderr.contains("skipped file:///etc/passwd: not an http(s) URL"))

        let imported = try await workspace.cli(["import-opml", opml.path])
        #expect(imported.stdout == "added 2 feeds to \(config.path) (1 already there)\n")
        let lines = try String(contentsOf: config, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "# my feeds")
        #expect(lines[1] == "https://a.example/feed title=\"A\"   # keep this comment")
        #expect(lines[3].hasPrefix("# imported from subs.opml on "))
        #expect(Array(lines[4...]) == ["https://b.example/rss title=\"B \\\"quoted\\\" feed\" tags=\"World News\"",
                                       "https://c.example/atom.xml title=\"C\"", ""])
        let check = try await workspace.cli(["check-config"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let export = try await workspace.cli(["export-opml"])
        #expect(export.status == 0)
        #expect(export.stdout.contains("<outline text=\"World News\" title=\"World News\">"))
        #expect(export.stdout.contains("xmlUrl=\"https://b.example/rss\""))
        #expect(export.stdout.contains("text=\"B &quot;quoted&quot; feed\""))
        // Importing our own export again adds nothing.
        let again = folder.appendingPathComponent("again.opml")
        try export.stdout.write(to: again, atomically: true, encoding: .utf8)
        #expect(try await workspace.cli(["import-opml", again.path]).stdout == "0 feeds to add, 3 already in \(config.path)\n")
    }
}

@Suite(.serialized) struct ExportCommandTests {
    @Test func atomAndJSONFeedExportsParseBackToTheSameArticles() async throws {
        let workspace = try EndToEndTests.Workspace(feedsConf: "")
        defer { workspace.remove() }
        let folder = workspace.folder
        try """
            <rss version="2.0"><channel><title>Desk &amp; Co</title>
            <item><guid>https://example.org/a</guid><title>A &lt;b&gt; story</title><link>https://example.org/a</link>
              <author>ann@example.org (Ann)</author><category>world</category>
              <pubDate>Sat, 31 Oct 2020 08:21:00 GMT</pubDate>
              <description><![CDATA[<p>Summary with <a href="https://example.org/x">a link</a> &amp; more.</p>]]></description></item>
            <item><guid isPermaLink="false">42</guid><title>B</title><link>https://example.org/b</link>
              <pubDate>Fri, 30 Oct 2020 10:00:00 GMT</pubDate><description>Plain</description></item>
            </channel></rss>
            """.write(to: folder.appendingPathComponent("desk.xml"), atomically: true, encoding: .utf8)
        try workspace.write("file:desk.xml\n", to: "feeds.conf")
        #expect(try await workspace.cli(["fetch"]).status == 0)
        let stored = try await workspace.cli(["list", "--format", "json"])
        let articles = try #require(try JSONSerialization.jsonObject(with: Data(stored.stdout.utf8)) as? [[String: Any]])

        for format in ["atom", "json"] {
            let export = try await workspace.cli(["export", "--format", format])
            #expect(export.status == 0, "\(export.stderr)")
            let file = folder.appendingPathComponent("export.\(format)")
            try export.stdout.write(to: file, atomically: true, encoding: .utf8)
            let parsed = try await workspace.cli(["parse", file.path, "--json"], withPaths: false)
            #expect(parsed.status == 0, "\(parsed.stderr)")
            let feed = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any])
            #expect(feed["format"] as? String == (format == "atom" ? "atom1.0" : "json1.1"), "\(feed["format"] ?? "")")
            let entries = try #require(feed["entries"] as? [[String: Any]])
            #expect(entries.count == articles.count)
            for (entry, article) in zip(entries, articles) {
                for key in ["title", "link", "published"] {
                    #expect(entry[key] as? String == article[key] as? String, "\(format) \(key)")
                }
                #expect(entry["updated"] as? String == (article["updated"] as? String ?? article["date"] as? String))
                #expect((entry["categories"] as? [String]) == (article["categories"] as? [String]), "\(format)")
            }
            // HTML comes back as HTML: Atom as summary, JSON Feed as content_html.
            let html = (entries[0]["summary"] as? String ?? "") + (entries[0]["content"] as? String ?? "")
            #expect(html.contains("<a href=\"https://example.org/x\">a link</a> &amp; more."), "\(format): \(html)")
        }
        let atom = try await workspace.cli(["export"])
        #expect(atom.stdout.contains("<id>https://example.org/b</id>"))  // guid 42 is not an IRI: the link stands in
        #expect(atom.stdout.contains("<source><id>file://"))
    }
}

@Suite(.serialized) struct PruneCommandTests {
    @Test func pruneDeletesBeyondKeepAndPrunedArticlesStayGone() async throws {
        let workspace = try EndToEndTests.Workspace(feedsConf: "")
        defer { workspace.remove() }
        let folder = workspace.folder
        let feed = folder.appendingPathComponent("feed.xml")
        func write(_ ids: [Int]) throws {
            let items = ids.map { "<item><guid>g\($0)</guid><title>Item \($0)</title><pubDate>Sat, 0\($0) Oct 2020 08:00:00 GMT</pubDate></item>" }
            try "<rss version=\"2.0\"><channel><title>F</title>\(items.joined())</channel></rss>".write(to: feed, atomically: true, encoding: .utf8)
        }
        try workspace.write("file:feed.xml keep=2\n", to: "feeds.conf")
        try write([1, 2, 3, 4])
        #expect(try await workspace.cli(["fetch"]).stdout.contains("4 new"))
        try write([5])
        #expect(try await workspace.cli(["fetch"]).stdout.contains("1 new"))

        let prune = try await workspace.cli(["prune"])
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(prune.stdout.hasPrefix("pruned 3 articles from 1 feeds; "))
        let titles = try await workspace.cli(["list", "--format", "tsv"])
        #expect(titles.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[4]) } == ["Item 5", "Item 4"])

        // The publisher re-lists a pruned article: it is not new again.
        try write([1, 5])
        #expect(try await workspace.cli(["fetch"]).stdout.contains("0 new"))
        #expect(try await workspace.cli(["prune"]).stdout.hasPrefix("pruned 0 articles"))
    }
}

@Suite(.serialized) struct SearchCommandTests {
    @Test func searchIndexesWhatFetchStoredAndShowsSnippets() async throws {
        let workspace = try EndToEndTests.Workspace(feedsConf: "")
        defer { workspace.remove() }
        let folder = workspace.folder
        try """
            <rss version="2.0"><channel><title>Desk</title>
            <item><guid>1</guid><title>Harvest report</title><pubDate>Sat, 31 Oct 2020 08:00:00 GMT</pubDate>
              <description>Farmers brought in a record wheat harvest this autumn.</description></item>
            <item><guid>2</guid><title>Wheat prices</title><pubDate>Fri, 30 Oct 2020 08:00:00 GMT</pubDate>
              <description>Markets moved: wheat, barley.</description></item>
            <item><guid>3</guid><title>Other</title><pubDate>Thu, 29 Oct 2020 08:00:00 GMT</pubDate>
              <description>Nothing to see.</description></item>
            </channel></rss>
            """.write(to: folder.appendingPathComponent("desk.xml"), atomically: true, encoding: .utf8)
        try workspace.write("file:desk.xml\n", to: "feeds.conf")
        #expect(try await workspace.cli(["fetch"]).status == 0)

        let search = try await workspace.cli(["search", "wheat"])
        #expect(search.status == 0, "\(search.stderr)")
        // Ids first, aligned; the highlight covers the word, not the comma after it.
        #expect(search.stdout == """
            2  2020-10-30 08:00  Desk  Wheat prices
                Markets moved: **wheat**, barley.
            1  2020-10-31 08:00  Desk  Harvest report
                Farmers brought in a record **wheat** harvest this autumn.

            """)
        let jsonl = try await workspace.cli(["search", "harvest", "--format", "jsonl"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(jsonl.stdout.utf8)) as? [String: Any])
        #expect(object["title"] as? String == "Harvest report")
        #expect((object["snippet"] as? String)?.contains("**harvest**") == true)

        let listed = try await workspace.cli(["list", "--search", "wheat", "--format", "tsv"])
        #expect(listed.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[4]) } == ["Harvest report", "Wheat prices"])
        let none = try await workspace.cli(["search", "nothingatall"])
        #expect(none.stdout.isEmpty)
        #expect(none.stderr.contains("no matches for nothingatall"))
    }
}
