import ArgumentParser
import CommandSupport
import FeedParser
import Foundation
import Store

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show articles: as readable text (links listed at the end), or their HTML, or JSON; marks them read.",
        discussion: "IDs are the first column of `aggregator list`. Example: aggregator show 4211 4215")

    @OptionGroup var reading: ReadingOptions

    @Argument(help: "The articles' ids.")
    var ids: [Int64]

    @Flag(help: "The stored (sanitised) HTML of the summary and content.")
    var html = false

    @Flag(help: "Each article as one JSON object, as `list --format jsonl` writes it.")
    var json = false

    @Flag(help: "Leave them unread.")
    var keepUnread = false

    func validate() throws {
        if html && json { throw ValidationError("--html and --json cannot be used together") }
        if ids.isEmpty { throw ValidationError("missing an article id") }
    }

    func run() throws {
        let read = try reading.open(reading: keepUnread ? .ifKept : .whenPossible)
        let articles = try ArticleIDs.resolve(ids, in: read)
        let width = min(Terminal.standardOutput.width ?? 80, 100)
        for (index, article) in articles.enumerated() {
            if json {
                print(ArticleOutput.jsonLines([article])[0])
                continue
            }
            if index > 0 { print("\n" + String(repeating: "─", count: min(width, 40)) + "\n") }
            if html {
                // Sanitised on the way in, but still only for a browser or a pipe: escape
                // sequences never reach a terminal.
                let body = [article.summary, article.content].compactMap { $0 }.joined(separator: "\n<hr>\n")
                print(isatty(STDOUT_FILENO) == 1 ? TerminalText.cleanKeepingLines(body) : body)
            } else {
                print(Self.readable(article, width: width))
            }
        }
        if !keepUnread, let state = read.state {
            try state.setRead(articles, true, in: try read.store.position())
        }
    }

    /// Title, source line, link, then the content (else the summary) as wrapped text.
    static func readable(_ article: StoredArticle, width: Int) -> String {
        var header = [TerminalText.clean(article.title ?? "(untitled)")]
        var source = [TerminalText.clean(article.feedTitle), ArticleOutput.localTime(article.date)]
        if let author = article.author, !author.isEmpty { source.append(TerminalText.clean(author)) }
        header.append(source.joined(separator: " · "))
        if let link = article.link { header.append(TerminalText.clean(link)) }
        if !article.alsoIn.isEmpty { header.append("also in " + article.alsoIn.map(TerminalText.clean).joined(separator: ", ")) }
        let body = article.content ?? article.summary ?? ""
        let text = TerminalText.cleanKeepingLines(ReadableText.render(body, width: width))
        return header.joined(separator: "\n") + (text.isEmpty ? "" : "\n\n" + text)
    }
}
