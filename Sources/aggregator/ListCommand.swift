import ArgumentParser
import CommandSupport
import Foundation
import Store

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List collected articles, newest first.",
        discussion: """
            Articles without a date sort and filter by when they were first seen.
            Example: aggregator list --since 2020-10-01 --feed "Xinhua | China"
            """)

    @OptionGroup var paths: PathOptions

    @Option(help: ArgumentHelp("Only articles dated on or after DATE (YYYY-MM-DD or RFC 3339).", valueName: "date"),
            transform: DateArgument.parse)
    var since: DateArgument?

    @Option(help: ArgumentHelp("Only articles dated up to DATE (a YYYY-MM-DD includes that whole day).",
                               valueName: "date"),
            transform: DateArgument.parse)
    var until: DateArgument?

    @Option(help: ArgumentHelp("Only articles of the feed with this URL or title.", valueName: "url|title"))
    var feed: String?

    @Option(help: "At most this many articles.")
    var limit: Int?

    @Flag(help: "One JSON object per article, one per line.")
    var json = false

    @Flag(help: "Every copy of a story several feeds carried (by default: the newest, naming the others).")
    var all = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let since, let until, until.endBound <= since.date {
            throw ValidationError("--until is before --since")
        }
    }

    func run() throws {
        let resolved = paths.resolve(writable: false)
        let store: Store
        do {
            store = try Store(directory: resolved.data, writable: false)
        } catch {
            FileHandle.standardError.write(Data("aggregator: \(error)\n".utf8))
            throw ExitStatus.store
        }
        let articles = try store.articles(ArticleQuery(
            since: since?.date, until: until?.endBound, feed: feed, limit: limit, allCopies: all))
        let lines = json ? ArticleOutput.jsonLines(articles) : ArticleOutput.textLines(articles)
        for line in lines { print(line) }
    }
}
