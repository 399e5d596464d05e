import ArgumentParser
import CommandSupport
import Foundation
import Store

/// `read`, `unread`, `star`, `unstar`: one person's reading, kept in their own state folder
/// (`$XDG_STATE_HOME/aggregator`), whichever store they read.
struct ReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Mark articles read: by id, or a feed's (or every feed's) up to a date.",
        discussion: """
            Reading one copy of a story reads its copies in other feeds.
            Examples: aggregator read 4211 4215
                      aggregator read --feed "Xinhua | China" --until yesterday
                      aggregator read --all
            """)

    @OptionGroup var reading: ReadingOptions

    @Argument(help: "Article ids (as list shows them).")
    var ids: [Int64] = []

    @Option(help: ArgumentHelp("Every article of the feed with this URL, title or tag.", valueName: "url|title|tag"))
    var feed: String?

    @Flag(help: "Every article of every feed.")
    var all = false

    @Option(help: ArgumentHelp("With --feed or --all: only those dated up to DATE (as list's --until).", valueName: "date"),
            transform: DateArgument.parse)
    var until: DateArgument?

    func validate() throws {
        let ways = (ids.isEmpty ? 0 : 1) + (feed == nil ? 0 : 1) + (all ? 1 : 0)
        if ways == 0 { throw ValidationError("say which: article ids, --feed F or --all") }
        if ways > 1 { throw ValidationError("ids, --feed and --all cannot be used together") }
        if until != nil && ids.count > 0 { throw ValidationError("--until goes with --feed or --all") }
    }

    func run() throws {
        if !ids.isEmpty {
            try ArticleMarking.mark(ids, with: reading, done: "marked read") { try $0.setRead($1, true, in: $2) }
            return
        }
        let read = try reading.open(reading: .required)
        let state = try read.requireState()
        let position = try read.store.position()
        // Inclusive: `--until 2020-10-31` reads that whole day.
        let untilDate = until.map { $0.endBound.addingTimeInterval(-1) }
        var feeds: [String?] = [nil]
        if let feed {
            let matching = try FeedSelector.urls(matching: feed, in: read.store)
            guard !matching.isEmpty else {
                printError("aggregator: no feed with the URL, title or tag '\(feed)' (aggregator feeds lists them)")
                throw ExitCode(1)
            }
            feeds = matching
        }
        for url in feeds { try state.markRead(feed: url, until: untilDate, in: position) }
        let scope = feed.map { "the \(feeds.count == 1 ? "feed" : "\(feeds.count) feeds") '\($0)'" } ?? "every feed"
        print("marked read: \(scope)" + (until.map { ", up to \(ArticleOutput.localTime($0.endBound.addingTimeInterval(-1)))" } ?? ""))
    }
}

struct UnreadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unread", abstract: "Mark articles unread again (over read --all too).")

    @OptionGroup var reading: ReadingOptions

    @Argument(help: "Article ids.")
    var ids: [Int64]

    func run() throws {
        try ArticleMarking.mark(ids, with: reading, done: "marked unread") { try $0.setRead($1, false, in: $2) }
    }
}

struct StarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "star", abstract: "Star articles (list --starred shows them).")

    @OptionGroup var reading: ReadingOptions

    @Argument(help: "Article ids.")
    var ids: [Int64]

    func run() throws {
        try ArticleMarking.mark(ids, with: reading, done: "starred") { try $0.setStarred($1, true, in: $2) }
    }
}

struct UnstarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unstar", abstract: "Take the star off articles.")

    @OptionGroup var reading: ReadingOptions

    @Argument(help: "Article ids.")
    var ids: [Int64]

    func run() throws {
        try ArticleMarking.mark(ids, with: reading, done: "unstarred") { try $0.setStarred($1, false, in: $2) }
    }
}

/// What `read ID…`, `unread`, `star` and `unstar` share: the ids as articles, one change
/// to the person's reading, one line saying how many.
enum ArticleMarking {
    static func mark(_ ids: [Int64], with reading: ReadingOptions, done: String,
                     _ change: (ReadState, [StoredArticle], StorePosition) throws -> Void) throws {
        let read = try reading.open(reading: .required)
        let articles = try ArticleIDs.resolve(ids, in: read)
        try change(try read.requireState(), articles, try read.store.position())
        print("\(articles.count) \(done)")
    }
}

/// Article ids given on the command line, as articles: all of them, or the command stops
/// naming those that are not in the store (nothing is marked then).
enum ArticleIDs {
    static func resolve(_ ids: [Int64], in read: ReadStore) throws -> [StoredArticle] {
        var found: [StoredArticle] = []
        var missing: [Int64] = []
        for id in ids {
            if let article = try read.store.article(id: id) { found.append(article) } else { missing.append(id) }
        }
        guard missing.isEmpty else {
            let list = missing.map(String.init).joined(separator: ", ")
            printError("aggregator: no article \(list) (store: \(read.paths.data), \(read.paths.dataOrigin.rawValue))")
            throw ExitCode(1)
        }
        return found
    }
}

/// `--feed` as list takes it: a feed's URL, its title in feeds.conf or its own (any case),
/// or one of its tags.
enum FeedSelector {
    static func urls(matching text: String, in store: Store) throws -> [String] {
        try store.feeds(includingRemoved: true).filter { feed in
            feed.url == text || feed.configTitle?.caseInsensitiveCompare(text) == .orderedSame
                || feed.title?.caseInsensitiveCompare(text) == .orderedSame || feed.tags.contains(text)
        }.map(\.url)
    }
}
