import Config
import FeedParser
import Foundation
import Testing
@testable import Daemon

/// skip=/only= as the poller applies them: which entry each rule keeps out.
@Suite struct ArticleFilterTests {
    func rules(_ text: String) -> [FilterRule] {
        ConfigParser.parse(text: "https://x.example/feed " + text, path: "feeds.conf", baseDirectory: "/").feeds[0].filters
    }

    let entries = [
        ParsedEntry(id: "1", title: "Sponsored: win a phone", link: "https://x.example/promo/1"),
        ParsedEntry(id: "2", title: "Budget vote tonight", link: "https://x.example/news/2", authors: [ParsedPerson(name: "Newsbot")],
                    summary: "<p>The vote…</p>", categories: ["Politics"]),
        ParsedEntry(id: "3", title: "Match report", link: "https://x.example/sport/3", content: "Goals: 3 — 50% off tickets",
                    categories: ["Sport", "Football"]),
        ParsedEntry(id: "4", title: "SPONSORED content", link: "https://x.example/news/4"),
    ]

    @Test(arguments: [
        ("skip=sponsored", [0: "skip=title:sponsored", 3: "skip=title:sponsored"]),
        (#"skip="title:(?-i)Sponsored""#, [0: "skip=title:(?-i)Sponsored"]),
        ("skip=author:bot$", [1: "skip=author:bot$"]),
        ("skip=category:^football$", [2: "skip=category:^football$"]),
        ("skip=link:/promo/", [0: "skip=link:/promo/"]),
        (#"skip="content:\d+% off""#, [2: #"skip=content:\d+% off"#]),
        ("skip=content:vote", [1: "skip=content:vote"]),  // the summary counts as content
    ])
    func skipRules(_ line: String, _ expected: [Int: String]) {
        #expect(ArticleFilter(rules(line)).skipped(entries) == expected)
    }

    @Test func onlyKeepsWhatAnyOnlyMatchesAndSkipStillWins() {
        let filter = ArticleFilter(rules("only=category:politics only=category:sport skip=title:match"))
        let skipped = filter.skipped(entries)
        #expect(Set(skipped.keys) == [0, 2, 3])
        #expect(skipped[2] == "skip=title:match")
        #expect(skipped[0] == "no only= matched (only=category:politics, only=category:sport)")
        #expect(ArticleFilter([]).skipped(entries).isEmpty)
    }
}

/// When a failed delivery is tried again.
@Suite struct DeliveryRetryTests {
    let queued = Date(timeIntervalSince1970: 1_000_000)

    @Test(arguments: [
        (1, 0.0, 10.0), (2, 0.0, 20.0), (3, 0.0, 40.0), (10, 0.0, 3600.0), (40, 0.0, 3600.0),
        (1, 1.0, 12.0), (1, -1.0, 8.0), (3, 0.5, 44.0),
    ])
    func backsOffDoublingWithJitterUpToAnHour(_ attempts: Int, _ jitter: Double, _ delay: Double) throws {
        let now = queued.addingTimeInterval(60)
        let next = try #require(DeliveryRetry.next(afterAttempts: attempts, queuedAt: queued, now: now, retryFor: 86_400, jitter: jitter))
        #expect(abs(next.timeIntervalSince(now) - delay) < 0.001)
    }

    @Test func stopsAtTheBoundAndNeverPlansPastIt() throws {
        let bound = 3600.0
        #expect(DeliveryRetry.next(afterAttempts: 5, queuedAt: queued, now: queued.addingTimeInterval(bound), retryFor: bound,
                                   jitter: 0) == nil)
        let late = try #require(DeliveryRetry.next(afterAttempts: 9, queuedAt: queued, now: queued.addingTimeInterval(bound - 30),
                                                   retryFor: bound, jitter: 0))
        #expect(late == queued.addingTimeInterval(bound))
    }
}
