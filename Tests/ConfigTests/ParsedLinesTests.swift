import Testing
@testable import Config

/// A reload reuses what unchanged lines parsed to; whatever the edit, the result must be
/// what parsing the new file from scratch gives.
@Suite struct ParsedLinesTests {
    func parse(_ text: String, reusing previous: ParsedLines? = nil, folder: String = "/etc/aggregator") -> Configuration {
        ConfigParser.parse(text: text, path: "feeds.conf", baseDirectory: folder, reusing: previous)
    }

    /// The file, then each edit of it: parsed reusing the previous load, and from scratch.
    static let edits: [(name: String, before: String, after: String)] = [
        ("a line added at the end", "https://a.example/f\nhttps://b.example/f title=B\n",
         "https://a.example/f\nhttps://b.example/f title=B\nhttps://c.example/f\n"),
        ("a line inserted at the top moves every line", "https://a.example/f\nhttps://b.example/f tags=x\n",
         "# new comment\nhttps://z.example/f\nhttps://a.example/f\nhttps://b.example/f tags=x\n"),
        ("a line edited", "https://a.example/f interval=1h\nhttps://b.example/f\n",
         "https://a.example/f interval=2h\nhttps://b.example/f\n"),
        ("a default changed reaches every line", "default interval=1h\nhttps://a.example/f\nhttps://b.example/f interval=5m\n",
         "default interval=3h\nhttps://a.example/f\nhttps://b.example/f interval=5m\n"),
        ("a default rule added", "https://a.example/f skip=title:x\n",
         "default skip=title:ads\nhttps://a.example/f skip=title:x\n"),
        ("a bad line keeps its error on its new line", "https://a.example/f intervall=1h\nhttps://b.example/f\n",
         "\n\nhttps://a.example/f intervall=1h\nhttps://b.example/f\n"),
        ("a duplicate's first line removed: the second becomes the feed",
         "https://a.example/f title=One\nhttps://A.example/f title=Two\n", "https://A.example/f title=Two\n"),
        ("a line repeated becomes a duplicate", "https://a.example/f\n", "https://a.example/f\nhttps://a.example/f\n"),
        ("a bad URL stays an error", "htp://a.example/f\nhttps://b.example/f\n", "https://b.example/f\nhtp://a.example/f\n"),
        ("a relative file: line", "file:local.xml\n", "https://b.example/f\nfile:local.xml\n"),
    ]

    @Test(arguments: edits.indices)
    func reloadingEqualsParsingAfresh(edit: Int) {
        let (name, before, after) = Self.edits[edit]
        let first = parse(before)
        let reloaded = parse(after, reusing: first.parsedLines)
        let fresh = parse(after)
        #expect(reloaded.feeds == fresh.feeds, "\(name)")
        #expect(reloaded.diagnostics.map(\.description) == fresh.diagnostics.map(\.description), "\(name)")
        // And again from the reloaded one: what it keeps for the next load is complete.
        let again = parse(after, reusing: reloaded.parsedLines)
        #expect(again.feeds == fresh.feeds, "\(name)")
        #expect(again.diagnostics.map(\.description) == fresh.diagnostics.map(\.description), "\(name)")
    }

    @Test func unchangedLinesAreNotParsedAgain() throws {
        let first = parse("https://a.example/f title=A\n")
        // A result planted for the line shows whether the parser read it again.
        let planted = try #require(first.parsedLines)
        let line = try #require(planted.feedLines.keys.first)
        var feed = FeedConfig(url: "https://a.example/f", title: "planted")
        feed.line = 1
        let reused = ParsedLines(context: planted.context, feedLines: [line: 0], feeds: [feed], otherLines: [:])
        #expect(parse("https://a.example/f title=A\n", reusing: reused).feeds.first?.title == "planted")
        // Another folder (file: paths) or another default line: parsed again.
        #expect(parse("https://a.example/f title=A\n", reusing: reused, folder: "/srv").feeds.first?.title == "A")
        #expect(parse("default timeout=5s\nhttps://a.example/f title=A\n", reusing: reused).feeds.first?.title == "A")
    }
}
