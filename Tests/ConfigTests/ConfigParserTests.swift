import Foundation
import Testing
@testable import Config

@Suite struct ConfigParserTests {
    func parse(_ text: String) -> Configuration {
        ConfigParser.parse(text: text, path: "feeds.conf", baseDirectory: "/etc/aggregator")
    }

    @Test func readsFeedsWithOptionsCommentsAndBlankLines() {
        let config = parse("""
            # news
            https://example.org/feed.xml title="Example News" tags=news,world interval=15m

            http://example.com/rss#section   # a fragment is not a comment
            """)
        #expect(config.diagnostics.isEmpty)
        #expect(config.feeds.count == 2)
        #expect(config.feeds[0] == FeedConfig(url: "https://example.org/feed.xml", title: "Example News",
                                              tags: ["news", "world"], interval: 900, line: 2))
        #expect(config.feeds[1].url == "http://example.com/rss#section")
        #expect(config.feeds[1].interval == Defaults.interval)
        #expect(config.feeds[1].line == 4)
    }

    @Test func defaultsApplyToFeedsThatDoNotSetTheirOwn() {
        let config = parse("""
            https://a.example/feed interval=2h
            https://b.example/feed
            default interval=1d timeout=30s
            """)
        #expect(config.feeds.map(\.interval) == [7200, 86400])
        #expect(config.feeds.map(\.timeout) == [30, 30])
    }

    @Test func unknownOptionNamesFileLineAndSuggestion() {
        let config = parse("\n\nhttps://example.org/feed intervall=15m\n")
        #expect(config.errors.map(\.description)
            == ["feeds.conf:3: unknown option 'intervall' (did you mean 'interval'?)"])
        #expect(config.feeds.isEmpty)
    }

    @Test func everyProblemIsReportedNotJustTheFirst() {
        let config = parse("""
            example.org/feed
            ftp://example.org/feed
            https://example.org/a interval=5x
            https://example.org/b title=
            https://example.org/c title="unterminated
            https://example.org/d junk
            default colour=red
            file://otherhost/feed.xml
            """)
        #expect(config.errors.map(\.line) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(config.errors[0].message.hasPrefix("not a URL: 'example.org/feed'"))
        #expect(config.errors[1].message.hasPrefix("unsupported URL scheme 'ftp'"))
        #expect(config.errors[2].message.hasPrefix("invalid interval '5x'"))
        #expect(config.errors[3].message == "option 'title' has no value")
        #expect(config.errors[4].message == "unterminated quote")
        #expect(config.errors[5].message == "expected key=value, found 'junk'")
        #expect(config.errors[6].message.hasPrefix("unknown option 'colour' for 'default'"))
        #expect(config.errors[7].message.contains("names host 'otherhost'"))
        #expect(!config.isValid)
    }

    @Test func duplicateURLsAreWarnedAboutAndMerged() {
        let config = parse("""
            https://Example.org/feed
            HTTPS://example.ORG/feed title=again
            """)
        #expect(config.isValid)
        #expect(config.feeds.count == 1)
        #expect(config.warnings.map(\.description)
            == ["feeds.conf:2: warning: duplicate feed HTTPS://example.ORG/feed (first listed on line 1); this line is ignored"])
    }

    @Test func relativeFileURLsResolveAgainstTheConfigFolder() {
        let config = parse("""
            file:samples/local.xml
            file:///srv/feeds/abs.xml
            file:/srv/other.xml
            file:../up/feed.xml
            """)
        #expect(config.diagnostics.isEmpty)
        #expect(config.feeds.map(\.url) == [
            "file:///etc/aggregator/samples/local.xml", "file:///srv/feeds/abs.xml", "file:///srv/other.xml",
            "file:///etc/up/feed.xml",
        ])
    }

    @Test func quotedValuesKeepSpacesAndEscapes() {
        let config = parse(#"https://example.org/f title="Xinhua | China \"EN\"" tags=" a , b ""#)
        #expect(config.feeds.first?.title == #"Xinhua | China "EN""#)
        #expect(config.feeds.first?.tags == ["a", "b"])
    }

    @Test func loadReportsAMissingFile() {
        #expect(throws: ConfigParser.FileError.self) { try ConfigParser.load(path: "/nonexistent/feeds.conf") }
    }

    @Test func loadResolvesFilePathsAgainstTheFilesFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("feeds.conf")
        try "file:sample.xml\n".write(to: file, atomically: true, encoding: .utf8)
        let config = try ConfigParser.load(path: file.path)
        #expect(config.feeds.first?.url == folder.appendingPathComponent("sample.xml").absoluteString)
    }
}

@Suite struct IntervalTests {
    @Test(arguments: [("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1s", 1)])
    func parsesUnits(text: String, seconds: Int) {
        #expect(Interval.seconds(from: text) == seconds)
    }

    @Test(arguments: ["", "15", "m", "0m", "-5m", "1.5h", "15 m", "2w", "99999999999999999d"])
    func rejectsOthers(text: String) {
        #expect(Interval.seconds(from: text) == nil)
    }

    @Test func formatsTheShortestSpelling() {
        #expect(Interval.format(seconds: 1800) == "30m")
        #expect(Interval.format(seconds: 86400) == "1d")
        #expect(Interval.format(seconds: 90) == "90s")
    }
}

@Suite struct PathsTests {
    @Test func flagsWinOverEnvironment() {
        let paths = Paths.resolve(config: "/x/feeds.conf", data: "/x/data", writable: true,
                                  environment: ["AGGREGATOR_CONFIG": "/env/feeds.conf", "AGGREGATOR_DATA": "/env"])
        #expect(paths == Paths(config: "/x/feeds.conf", data: "/x/data", dataOrigin: .flag))
    }

    @Test func environmentWinsOverDefaults() {
        let paths = Paths.resolve(config: nil, data: nil, writable: false,
                                  environment: ["AGGREGATOR_CONFIG": "/env/feeds.conf", "AGGREGATOR_DATA": "/env",
                                                "HOME": "/home/u"])
        #expect(paths == Paths(config: "/env/feeds.conf", data: "/env", dataOrigin: .environment))
    }

    @Test func systemdDirectoriesComeNext() {
        let paths = Paths.resolve(config: nil, data: nil, writable: true,
                                  environment: ["CONFIGURATION_DIRECTORY": "/etc/aggregator",
                                                "STATE_DIRECTORY": "/var/lib/aggregator"])
        #expect(paths == Paths(config: "/etc/aggregator/feeds.conf", data: "/var/lib/aggregator", dataOrigin: .systemd))
    }

    /// A reader takes the system store when it may read it; one it may not read is never
    /// skipped in silence (the CLI is told, and says so); with none, its own store.
    @Test(arguments: [
        (StoreAccess.readable, "/sys-store", DataOrigin.system, false),
        (.missing, "/home/u/.local/share/aggregator", .personal, false),
        (.denied(StoreAccess.Denied(directory: "/sys-store", group: "aggregator")),
         "/home/u/.local/share/aggregator", .personal, true),
    ])
    func readersTakeTheSystemStoreOrSayWhyNot(access: StoreAccess, data: String, origin: DataOrigin, denied: Bool) {
        let paths = Paths.resolve(config: nil, data: nil, writable: false, environment: ["HOME": "/home/u"],
                                  systemData: "/sys-store", probe: { $0 == "/sys-store" ? access : .missing })
        #expect(paths.data == data)
        #expect(paths.dataOrigin == origin)
        #expect((paths.unreadableSystemStore != nil) == denied)
        if denied { #expect(paths.unreadableSystemStore == StoreAccess.Denied(directory: "/sys-store", group: "aggregator")) }
    }

    /// The probe tells a missing store from one behind a permission (FileManager cannot:
    /// `fileExists` is false for both). Run as root, the folder's mode does not stop it,
    /// so the permission case is checked by the end-to-end test that reads as another user.
    @Test func theProbeTellsAMissingStoreFromAReadableOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(StoreAccess.probe(directory: folder) == .missing)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(StoreAccess.probe(directory: folder) == .missing)
        _ = FileManager.default.createFile(atPath: folder + "/" + StoreAccess.databaseName, contents: Data())
        #expect(StoreAccess.probe(directory: folder) == .readable)
        #expect(StoreAccess.probe(directory: folder + "/" + StoreAccess.databaseName) == .missing)  // ENOTDIR
    }

    @Test func xdgThenCurrentDirectory() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        let env = ["HOME": home]
        let nowhere = home + "/no-system-store"
        // No XDG config file yet: ./feeds.conf; the data folder is XDG's (created on first use).
        var paths = Paths.resolve(config: nil, data: nil, writable: true, environment: env, systemData: nowhere)
        if !FileManager.default.isReadableFile(atPath: Paths.systemConfig) {
            #expect(paths.config == "feeds.conf")
        }
        #expect(paths.data == home + "/.local/share/aggregator")
        #expect(paths.dataOrigin == .personal)
        try FileManager.default.createDirectory(atPath: home + "/.config/aggregator", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: home + "/.config/aggregator/feeds.conf", contents: Data())
        paths = Paths.resolve(config: nil, data: nil, writable: true, environment: env, systemData: nowhere)
        if !FileManager.default.isReadableFile(atPath: Paths.systemConfig) {
            #expect(paths.config == home + "/.config/aggregator/feeds.conf")
        }
        let bare = Paths.resolve(config: nil, data: nil, writable: true, environment: [:], systemData: nowhere)
        #expect(bare.data == "." && bare.dataOrigin == .currentDirectory)
    }
}
