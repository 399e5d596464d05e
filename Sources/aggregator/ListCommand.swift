import ArgumentParser
import CommandSupport
import Foundation
import Store

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List collected articles, newest first.",
        discussion: """
            Articles without a date sort and filter by when they were first seen.
            Example: aggregator list --since 2020-10-01 --feed "Xinhua | China"
            """)

    @OptionGroup var reading: ReadingOptions

    @OptionGroup var filters: ArticleFilterOptions

    @Option(help: ArgumentHelp("Only articles of feeds with this tag (tags= in feeds.conf).", valueName: "tag"))
    var tag: String?

    @Option(help: ArgumentHelp("Only articles matching these words (full-text, as search takes them).", valueName: "words"))
    var search: String?

    @Option(help: "At most this many articles.")
    var limit: Int?

    @Option(help: "Skip this many articles first (with --limit: pages).")
    var offset: Int = 0

    @Option(help: "text (aligned, for people), json (one array), jsonl (an object a line) or tsv.")
    var format: ListFormat = .text

    @Flag(help: ArgumentHelp("Same as --format jsonl.", visibility: .hidden))
    var json = false

    @Flag(help: "Every copy of a story several feeds carried (by default: the newest, naming the others).")
    var all = false

    @Flag(help: "Only articles you have not read (`read`, `show` and `open` mark them).")
    var unread = false

    @Flag(help: "Only articles you starred.")
    var starred = false

    @Flag(name: .customLong("new"), help: ArgumentHelp(
        "Only what arrived since your previous `list --new` (the first time: the last day), then remember where you stopped.",
        discussion: "A line at the end says how many, from how many feeds, since when."))
    var new = false

    @Flag(help: "With --new: show what is new without moving your place.")
    var peek = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if offset < 0 { throw ValidationError("--offset cannot be negative") }
        if peek && !new { throw ValidationError("--peek goes with --new") }
        try filters.validate()
    }

    func run() async throws {
        if let postgres = try await reading.openPostgres() {
            guard !(unread || starred || new) else {
                await postgres.close()
                printError("aggregator: --unread, --starred and --new read the SQLite store only in this version")
                throw ExitStatus.store
            }
            var query = ArticleQuery(since: filters.since?.date, until: filters.until?.endBound, feed: filters.feed,
                                     limit: limit, allCopies: all)
            query.tag = tag
            query.offset = offset
            query.search = search
            let articles = try await postgres.closing { try await $0.articles(query) }
            printArticles(articles)
            if articles.isEmpty { printError("aggregator: no articles match (store: \(postgres.address))") }
            return
        }
        let personal = unread || starred || new
        let read = try reading.open(reading: personal ? .required : .ifKept)
        let store = read.store
        var query = ArticleQuery(since: filters.since?.date, until: filters.until?.endBound, feed: filters.feed,
                                 limit: limit, allCopies: all)
        query.tag = tag
        query.offset = offset
        query.search = search
        query.unreadOnly = unread
        query.starredOnly = starred
        var newSince: (cursor: NewCursor, position: StorePosition, firstTime: Bool)?
        if new {
            let state = try read.requireState()
            // Where the store stands before asking: what arrives meanwhile is new next time.
            let position = try store.position()
            let saved = try state.cursor(store: read.cursorName)
            let cursor = try saved ?? store.cursor(seenSince: Date().addingTimeInterval(-86_400))
            query.arrivedAfter = cursor
            query.arrivedThrough = position.lastId
            newSince = (cursor, position, saved == nil)
        }
        if search != nil { try await SearchIndexing.catchUp(store, directory: read.paths.data) }
        let articles = try store.articles(query)
        // Every new story is counted for the summary; --limit only cuts what is printed.
        let arrived = new ? try store.tally(query) : (stories: 0, feeds: 0)
        printArticles(articles)
        if let newSince {
            let summary = Self.newSummary(stories: arrived.stories, feeds: arrived.feeds, shown: articles.count,
                                          since: newSince.cursor.at, firstTime: newSince.firstTime, moved: !peek)
            // After the articles in text; on stderr where stdout is for programs.
            if format == .text && !json { print(summary) } else { printError(summary) }
            if !peek { try read.requireState().moveCursor(store: read.cursorName, to: newSince.position) }
        } else if articles.isEmpty {
            read.reportEmpty(unread ? "nothing unread" : (starred ? "nothing starred" : "no articles match"))
        }
    }

    func printArticles(_ articles: [StoredArticle]) {
        let terminal = Terminal.standardOutput
        let lines: [String]
        switch json ? .jsonl : format {
        case .text: lines = ArticleOutput.textLines(articles, width: terminal.width, colour: terminal.colour)
        case .json: lines = [ArticleOutput.jsonArray(articles)]
        case .jsonl: lines = ArticleOutput.jsonLines(articles)
        case .tsv: lines = ArticleOutput.tsvLines(articles)
        }
        for line in lines { print(line) }
    }

    /// `12 new in 4 feeds since 2026-12-06 08:10` (and what was left out or kept).
    static func newSummary(stories: Int, feeds: Int, shown: Int, since: Date, firstTime: Bool, moved: Bool) -> String {
        var text = stories == 0 ? "nothing new" : "\(stories) new in \(feeds) feed\(feeds == 1 ? "" : "s")"
        text += firstTime ? " in the last day (your first --new)" : " since \(ArticleOutput.localTime(since))"
        if shown < stories { text += "; \(shown) shown" }
        if !moved { text += "; --peek: your place is kept" }
        return text
    }
}

enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, jsonl, tsv
}

/// Which articles: the filters `list` and `export` share.
struct ArticleFilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only articles dated on or after DATE: YYYY-MM-DD, RFC 3339, 12h, 2d, 1w, today, yesterday.",
                               valueName: "date"),
            transform: DateArgument.parse)
    var since: DateArgument?

    @Option(help: ArgumentHelp("Only articles dated up to DATE (a YYYY-MM-DD or yesterday includes that whole day).",
                               valueName: "date"),
            transform: DateArgument.parse)
    var until: DateArgument?

    @Option(help: ArgumentHelp("Only articles of the feed with this URL, title or tag.", valueName: "url|title|tag"))
    var feed: String?

    func validate() throws {
        if let since, let until, until.endBound <= since.date {
            throw ValidationError("--until is before --since")
        }
    }
}
