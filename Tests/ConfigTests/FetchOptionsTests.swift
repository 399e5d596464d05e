import Testing
@testable import Config

/// The fetch and scheduling options of feeds.conf: per feed, inherited from `default`,
/// and the fetcher's own settings that only `default` lines may set.
@Suite struct FetchOptionsTests {
    func parse(_ text: String) -> Configuration {
        ConfigParser.parse(text: text, path: "feeds.conf", baseDirectory: "/etc/aggregator")
    }

    @Test func adaptiveAndUserAgentAreInheritedUnlessAFeedSetsItsOwn() {
        let config = parse("""
            default adaptive=yes user-agent="reader/2.0 (+mailto:me@example.org)"
            https://a.example/feed
            https://b.example/feed adaptive=no user-agent=special/1
            """)
        #expect(config.diagnostics.isEmpty)
        #expect(config.feeds.map(\.adaptive) == [true, false])
        #expect(config.feeds.map(\.userAgent) == ["reader/2.0 (+mailto:me@example.org)", "special/1"])
    }

    @Test func fetcherSettingsComeFromDefaultLinesOnly() {
        let config = parse("""
            default max-transfers=8 max-per-host=1 host-spacing=500ms
            https://a.example/feed
            """)
        #expect(config.diagnostics.isEmpty)
        #expect(config.network.maximumTransfers == 8)
        #expect(config.network.maximumPerHost == 1)
        #expect(config.network.hostSpacing == 0.5)

        let misplaced = parse("https://a.example/feed host-spacing=1s\n")
        #expect(misplaced.errors.map(\.description)
            == ["feeds.conf:1: unknown option 'host-spacing' (known: title, tags, interval, timeout, adaptive, user-agent, keep, skip, only, exec, webhook, webhook-secret-file, on, hook-backlog, hook-timeout, hook-retry, hook-backoff)"])
    }

    @Test func aFleetLeaseIsADurationFromFiveSecondsToAnHour() {
        #expect(parse("https://a.example/feed\n").network.fleetLease == 60)
        #expect(parse("default fleet-lease=2m\nhttps://a.example/feed\n").network.fleetLease == 120)
        let bad = parse("default fleet-lease=1s\ndefault fleet-lease=soon\nhttps://a.example/feed fleet-lease=1m\n")
        #expect(bad.errors.map(\.description).prefix(2) == [
            "feeds.conf:1: invalid fleet-lease '1s': use a duration from 5s to 1h, such as 60s",
            "feeds.conf:2: invalid fleet-lease 'soon': use a duration from 5s to 1h, such as 60s",
        ])
        #expect(bad.errors.count == 3)  // and not on a feed's own line
    }

    @Test func aMemoryProfileSetsEveryBoundAndTheTransfersUnlessMaxTransfersDoes() {
        #expect(parse("https://a.example/feed\n").network.memory == .normal)
        let small = parse("default memory=small\nhttps://a.example/feed\n").network
        #expect(small.memory == .small)
        #expect(small.maximumTransfers == 8)
        #expect(small.memory.bodiesHeld < MemoryProfile.normal.bodiesHeld)
        // max-transfers= wins, wherever it is written.
        #expect(parse("default max-transfers=20\ndefault memory=small\nhttps://a.example/feed\n").network.maximumTransfers == 20)
        let bad = parse("default memory=tiny\nhttps://a.example/feed memory=small\n")
        #expect(bad.errors.map(\.description).first == "feeds.conf:1: invalid memory 'tiny': use normal or small")
        #expect(bad.errors.count == 2)  // and not on a feed's own line
    }

    @Test func withoutSettingsTheFetcherDefaultsApply() {
        let config = parse("https://a.example/feed\n")
        #expect(config.network == NetworkSettings())
        #expect(config.network.maximumTransfers == 32)
        #expect(config.network.maximumPerHost == 2)
        #expect(config.network.hostSpacing == nil)
        #expect(config.feeds[0].adaptive == false)
        #expect(config.feeds[0].userAgent == nil)
    }

    @Test func badValuesAreReportedWithTheirLine() {
        let config = parse("""
            default max-per-host=0 host-spacing=fast
            default max-transfers=1000
            https://a.example/feed adaptive=maybe
            """)
        #expect(config.errors.map(\.description) == [
            "feeds.conf:1: invalid max-per-host '0': use a whole number from 1 to 256",
            "feeds.conf:1: invalid host-spacing 'fast': use 0 or a duration such as 250ms, 2s, 1m",
            "feeds.conf:2: invalid max-transfers '1000': use a whole number from 1 to 256",
            "feeds.conf:3: invalid adaptive 'maybe': use yes or no",
        ])
    }

    @Test(arguments: [("0", 0.0), ("250ms", 0.25), ("2s", 2.0), ("1m", 60.0)])
    func spacingsParse(text: String, seconds: Double) {
        #expect(Interval.fractionalSeconds(from: text) == seconds)
    }

    @Test(arguments: ["", "ms", "-1s", "1.5s", "0ms0"])
    func badSpacingsDoNot(text: String) {
        #expect(Interval.fractionalSeconds(from: text) == nil)
    }
}

@Suite struct RetentionOptionTests {
    @Test(arguments: [("90d", Retention(days: 90)), ("500", Retention(count: 500)), ("30d,1000", Retention(days: 30, count: 1000)),
                      ("1000,30d", Retention(days: 30, count: 1000))])
    func keepValuesParse(text: String, retention: Retention) {
        #expect(Retention.parse(text) == retention)
    }

    @Test(arguments: ["", "0", "0d", "5w", "30d,40d", "1,2", "-3", "30d,"])
    func badKeepValuesDoNot(text: String) {
        #expect(Retention.parse(text) == nil)
    }

    @Test func keepIsInheritedAndAllKeepsEverything() {
        let config = ConfigParser.parse(text: """
            default keep=90d
            https://a.example/feed
            https://b.example/feed keep=all
            https://c.example/feed keep=forever
            """, path: "feeds.conf", baseDirectory: "/")
        #expect(config.feeds.map(\.retention) == [Retention(days: 90), nil])
        #expect(config.errors.map(\.description)
            == ["feeds.conf:4: invalid keep 'forever': use days (90d), a count (500), both (90d,500) or all"])
    }
}
