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

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if offset < 0 { throw ValidationError("--offset cannot be negative") }
        try filters.validate()
    }

    func run() async throws {
        let read = try reading.open()
        let store = read.store
        var query = ArticleQuery(since: filters.since?.date, until: filters.until?.endBound, feed: filters.feed,
                                 limit: limit, allCopies: all)
        query.tag = tag
        query.offset = offset
        query.search = search
        if search != nil { try await SearchIndexing.catchUp(store, directory: read.paths.data) }
        let articles = try store.articles(query)
        let terminal = Terminal.standardOutput
        let lines: [String]
        switch json ? .jsonl : format {
        case .text: lines = ArticleOutput.textLines(articles, width: terminal.width, colour: terminal.colour)
        case .json: lines = [ArticleOutput.jsonArray(articles)]
        case .jsonl: lines = ArticleOutput.jsonLines(articles)
        case .tsv: lines = ArticleOutput.tsvLines(articles)
        }
        for line in lines { print(line) }
        if articles.isEmpty { read.reportEmpty() }
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
