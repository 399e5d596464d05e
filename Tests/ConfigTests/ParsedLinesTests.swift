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
        ("a line removed from the middle", "https://a.example/f\nhttps://b.example/f\nhttps://c.example/f tags=x\n",
         "https://a.example/f\nhttps://c.example/f tags=x\n"),
        ("a line moved", "https://a.example/f\nhttps://b.example/f\nhttps://c.example/f\n",
         "https://b.example/f\nhttps://c.example/f\nhttps://a.example/f\n"),
        ("the last line, without a line break, edited", "https://a.example/f\nhttps://b.example/f",
         "https://a.example/f\nhttps://b.example/f title=B"),
        ("a line added after a last line without a line break", "https://a.example/f", "https://a.example/f\nhttps://b.example/f"),
        ("everything removed", "https://a.example/f\n", ""),
        ("a warning below the edit moves with its line", "https://a.example/f\nhttps://b.example/f\nhttps://b.example/f\n",
         "https://z.example/f\nhttps://a.example/f\nhttps://b.example/f\nhttps://b.example/f\n"),
        ("a default set twice below the edit: its warning moves", "https://a.example/f\ndefault interval=1h\ndefault interval=2h\n",
         "https://z.example/f\nhttps://a.example/f\ndefault interval=1h\ndefault interval=2h\n"),
        ("the store line below the edit moves", "https://a.example/f\ndefault store=/srv/news\n",
         "# top\nhttps://a.example/f\ndefault store=/srv/news\n"),
        ("a new line repeats a feed below it", "https://a.example/f\nhttps://b.example/f\n",
         "https://B.example/f\nhttps://a.example/f\nhttps://b.example/f\n"),
        ("a new line repeats a feed above it", "https://a.example/f\nhttps://b.example/f\n",
         "https://a.example/f\nhttps://b.example/f\nhttps://a.example/f title=Again\n"),
        ("a repeated feed's second line edited away", "https://a.example/f\nhttps://a.example/f\n",
         "https://a.example/f\nhttps://c.example/f\n"),
        ("an error fixed", "https://a.example/f\nhttps://b.example/f interval=soon\n",
         "https://a.example/f\nhttps://b.example/f interval=1h\n"),
        ("an error made", "https://a.example/f\nhttps://b.example/f\n", "https://a.example/f\nhttps://b.example/f keep=x\n"),
        ("a default line moved below the feeds", "default interval=2h\nhttps://a.example/f\n",
         "https://a.example/f\ndefault interval=2h\n"),
        ("lines ending in CR LF", "https://a.example/f\r\nhttps://b.example/f\r\n",
         "https://a.example/f\r\nhttps://c.example/f\r\nhttps://b.example/f\r\n"),
        ("an indented default line added", "https://a.example/f\n", "  default interval=3h\nhttps://a.example/f\n"),
    ]

    @Test(arguments: edits.indices)
    func reloadingEqualsParsingAfresh(edit: Int) {
        let (name, before, after) = Self.edits[edit]
        let first = parse(before)
        let reloaded = parse(after, reusing: first.parsedLines)
        let fresh = parse(after)
        Self.expectSame(reloaded, fresh, name)
        // And again from the reloaded one: what it keeps for the next load is complete.
        Self.expectSame(parse(after, reusing: reloaded.parsedLines), fresh, name)
        Self.expectSame(parse(before, reusing: reloaded.parsedLines), first, name + ", undone")
    }

    static func expectSame(_ reloaded: Configuration, _ fresh: Configuration, _ name: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reloaded.feeds == fresh.feeds, "\(name)", sourceLocation: sourceLocation)
        #expect(reloaded.diagnostics.map(\.description) == fresh.diagnostics.map(\.description), "\(name)",
                sourceLocation: sourceLocation)
        #expect(reloaded.store == fresh.store && reloaded.storeLine == fresh.storeLine, "\(name)", sourceLocation: sourceLocation)
        #expect(reloaded.network == fresh.network, "\(name)", sourceLocation: sourceLocation)
    }

    /// Random files of many kinds of line, edited at random (lines inserted, removed,
    /// replaced, a few at a time), reloaded one edit after another: always what parsing
    /// the file afresh gives.
    @Test func randomEditsReloadAsParsingAfresh() {
        let kinds = [
            "https://a.example/f", "https://b.example/f title=B", "https://c.example/f interval=1h", "https://C.example/f",
            "# a comment", "", "  ", "https://d.example/f tags=x,y", "https://e.example/f intervall=1h", "https://f.example/f keep=7",
            "file:local.xml", "htp://bad.example/f", "https://g.example/f skip=title:ads", "https://h.example/f \"unterminated",
            "default interval=2h", "default skip=title:x", "https://i.example/f adaptive=yes", "https://j.example/f title=\"J J\"",
        ]
        var seed: UInt64 = 20261208
        func next(_ bound: Int) -> Int {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            return Int(seed % UInt64(bound))
        }
        // Mostly feed lines, as in a real file: the rare kinds stay rare.
        func line() -> String {
            next(10) == 0 ? kinds[next(kinds.count)] : "https://n\(next(100_000)).example/feed\(next(3) == 0 ? " interval=\(next(5) + 1)h" : "")"
        }
        var spliced = 0
        for _ in 0..<40 {
            var lines = (0..<(5 + next(30))).map { _ in line() }
            var loaded = parse(lines.joined(separator: "\n"))
            for step in 0..<15 {
                let at = next(lines.count + 1)
                switch next(3) {
                case 0: lines.insert(contentsOf: (0..<(1 + next(3))).map { _ in line() }, at: at)
                case 1: if at < lines.count { lines.removeSubrange(at..<min(lines.count, at + 1 + next(3))) }
                default: if at < lines.count { lines[at] = line() }
                }
                let text = lines.joined(separator: "\n") + (next(2) == 0 ? "\n" : "")
                let reloaded = parse(text, reusing: loaded.parsedLines)
                Self.expectSame(reloaded, parse(text), "step \(step) of \(text.debugDescription)")
                if reloaded.splice != nil { spliced += 1 }
                loaded = reloaded
            }
        }
        #expect(spliced > 250)  // of 600: the rest have messages (errors, duplicates), and are parsed whole
    }

    @Test func onlyTheEditedLinesAreParsedAgain() throws {
        let first = parse("https://a.example/f title=A\nhttps://b.example/f title=B\n")
        // Results planted for the lines show which lines the parser read again.
        let kept = try #require(first.parsedLines)
        let planted = ParsedLines(
            path: kept.path, baseDirectory: kept.baseDirectory, bytes: kept.bytes, defaultLines: kept.defaultLines,
            lineFeeds: kept.lineFeeds, feeds: kept.feeds.map { var feed = $0; feed.title = "planted"; return feed },
            identities: kept.identities, network: kept.network, store: kept.store,
            storeLine: kept.storeLine, canSplice: true)
        let edited = parse("https://a.example/f title=A\nhttps://b.example/f title=Bee\n", reusing: planted)
        #expect(edited.feeds.map(\.title) == ["planted", "Bee"])
        #expect(edited.splice == FeedSplice(replaced: 1..<2, by: 1..<2))
        // A line inserted at the top: every feed kept, one line lower.
        let moved = parse("# new\nhttps://a.example/f title=A\nhttps://b.example/f title=B\n", reusing: planted)
        #expect(moved.feeds.map(\.title) == ["planted", "planted"])
        #expect(moved.feeds.map(\.line) == [2, 3])
        #expect(moved.splice == FeedSplice(replaced: 0..<0, by: 0..<0))
        // Another folder (file: paths), a default line added, or a load with errors: all parsed again.
        #expect(parse("https://a.example/f title=A\n", reusing: planted, folder: "/srv").feeds.first?.title == "A")
        #expect(parse("default timeout=5s\nhttps://a.example/f title=A\n", reusing: planted).feeds.first?.title == "A")
        let withError = parse("https://a.example/f title=A\nnot a url\n")
        #expect(parse("https://a.example/f title=A\n", reusing: withError.parsedLines).splice == nil)
    }
}
