import ArgumentParser
import CommandSupport
import FeedParser
import Foundation
import Store

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one article: as readable text (links listed at the end), or its HTML, or JSON.",
        discussion: "IDs are in `aggregator list --format tsv` (first column) and in list's JSON.")

    @OptionGroup var reading: ReadingOptions

    @Argument(help: "The article's id.")
    var id: Int64

    @Flag(help: "The stored (sanitised) HTML of the summary and content.")
    var html = false

    @Flag(help: "The article as one JSON object, as `list --format jsonl` writes it.")
    var json = false

    func validate() throws {
        if html && json { throw ValidationError("--html and --json cannot be used together") }
    }

    func run() throws {
        let read = try reading.open()
        guard let article = try read.store.article(id: id) else {
            printError("aggregator: no article \(id) (store: \(read.paths.data), \(read.paths.dataOrigin.rawValue))")
            throw ExitCode(1)
        }
        if json {
            print(ArticleOutput.jsonLines([article])[0])
        } else if html {
            // Sanitised on the way in, but still only for a browser or a pipe: escape
            // sequences never reach a terminal.
            let body = [article.summary, article.content].compactMap { $0 }.joined(separator: "\n<hr>\n")
            print(isatty(STDOUT_FILENO) == 1 ? TerminalText.cleanKeepingLines(body) : body)
        } else {
            print(Self.readable(article, width: min(Terminal.standardOutput.width ?? 80, 100)))
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
