import Foundation
import Testing
@testable import Config

/// `skip=`/`only=` rules and the hook options (`exec=`, `webhook=`, `on=`, …): their
/// grammar, as tables, and how feeds.conf reports what it cannot read.
@Suite struct FilterAndHookOptionsTests {
    func parse(_ text: String) -> Configuration {
        ConfigParser.parse(text: text, path: "feeds.conf", baseDirectory: "/etc/aggregator")
    }

    @Test(arguments: [
        ("Sponsored", FilterRule.Field.title, "Sponsored"),
        ("title:^Ad:", .title, "^Ad:"),
        ("author:(?-i)Bot$", .author, "(?-i)Bot$"),
        ("CATEGORY:sport|football", .category, "sport|football"),
        ("link:/promo/", .link, "/promo/"),
        ("content:\\bgiveaway\\b", .content, "\\bgiveaway\\b"),
        ("Breaking: news", .title, "Breaking: news"),  // not a field name: all of it is the pattern
    ])
    func rulesNameAFieldOrMeanTheTitle(_ value: String, _ field: FilterRule.Field, _ pattern: String) throws {
        let rule = try FilterRule.parse(.skip, value).get()
        #expect(rule.field == field)
        #expect(rule.pattern == pattern)
    }

    @Test func badPatternsAreReportedWithTheirLine() {
        let config = parse("""
            https://a.example/feed skip="title:(unclosed"
            https://b.example/feed only=author:
            https://c.example/feed skip=ok
            """)
        #expect(config.errors.map(\.line) == [1, 2])
        #expect(config.errors[0].description.hasPrefix("feeds.conf:1: invalid skip pattern '(unclosed'"))
        #expect(config.errors[1].description.contains("only=author:: empty pattern"))
        #expect(config.feeds.map(\.url) == ["https://c.example/feed"])
    }

    @Test func rulesRepeatAndDefaultLinesAddTheirs() {
        let config = parse(#"""
            default skip=title:sponsored
            https://a.example/feed skip=author:bot skip="content:\d+% off" only=category:tech
            https://b.example/feed
            """#)
        #expect(config.diagnostics.isEmpty)
        #expect(config.feeds[0].filters.map(\.text) == [
            "skip=title:sponsored", "skip=author:bot", #"skip=content:\d+% off"#, "only=category:tech",
        ])
        #expect(config.feeds[1].filters.map(\.text) == ["skip=title:sponsored"])
    }

    @Test(arguments: [
        (#"/usr/bin/notify --title "a b" 'c d' e\ f"#, ["/usr/bin/notify", "--title", "a b", "c d", "e f"]),
        (#"/bin/echo "$(reboot)" `id` ;rm"#, ["/bin/echo", "$(reboot)", "`id`", ";rm"]),
        (#"/bin/prog 'it''s'"#, ["/bin/prog", "its"]),
        (#"/bin/prog "quote \" inside""#, ["/bin/prog", "quote \" inside"]),
    ])
    func execSplitsLikeSystemdAndNeverThroughAShell(_ line: String, _ words: [String]) throws {
        #expect(try CommandLineSplitter.split(line).get() == words)
    }

    @Test func execNeedsAnAbsolutePathAndClosedQuotes() {
        #expect(throws: ConfigProblem.self) { try CommandLineSplitter.split("notify-send hi").get() }
        #expect(throws: ConfigProblem.self) { try CommandLineSplitter.split("/bin/x 'open").get() }
        #expect(throws: ConfigProblem.self) { try CommandLineSplitter.split("").get() }
    }

    @Test func hookOptionsReadAndCheck() {
        let config = parse("""
            default webhook=https://hooks.example/in webhook-secret-file=secret hook-timeout=10s
            https://a.example/feed exec="/usr/local/bin/tell --quiet" on=new,updated hook-backlog=yes
            https://b.example/feed webhook=http://127.0.0.1:9/x hook-retry=2h
            https://c.example/feed exec=tell
            https://d.example/feed on=deleted webhook=ftp://x
            """)
        let a = config.feeds[0], b = config.feeds[1]
        #expect(a.hooks.map(\.summary) == ["exec /usr/local/bin/tell --quiet", "webhook https://hooks.example/in"])
        #expect(a.hooks.allSatisfy { $0.events == [.new, .updated] })
        #expect(a.hookBacklog && a.hookTimeout == 10)
        #expect(a.webhookSecretFile == "/etc/aggregator/secret")
        #expect(b.hooks.map(\.summary) == ["webhook http://127.0.0.1:9/x"])
        #expect(b.hookRetry == 7200 && !b.hookBacklog)
        #expect(config.errors.map(\.line) == [4, 5, 5])
        #expect(config.errors[0].message.contains("must be an absolute path"))
        #expect(config.errors[1].message.hasPrefix("invalid on 'deleted'"))
        #expect(config.errors[2].message.hasPrefix("invalid webhook 'ftp://x'"))
    }

    @Test func aQuotedBackslashStaysUnlessItEscapesAQuote() throws {
        #expect(try LineTokenizer.words(in: #"x title="a \"b\" \\ c\d""#) == ["x", #"title=a "b" \ c\d"#])
    }
}
