import ArgumentParser
import CommandSupport
import Foundation
import Store

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Full-text search over titles, summaries and content, best matches first.",
        discussion: """
            Every word must match (any case, accents ignored); end a word with * to match
            words starting with it: aggregator search "climate summit" or search innov*
            """)

    @OptionGroup var reading: ReadingOptions

    @Argument(help: "The words to look for.")
    var query: String

    @Option(help: "At most this many results.")
    var limit: Int = 20

    @Option(help: "text or jsonl (an object a line, with its snippet).")
    var format: SearchFormat = .text

    @Flag(help: "Every copy of a story several feeds carried (by default: the best match, naming the others).")
    var all = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if query.split(whereSeparator: { $0.isWhitespace }).isEmpty { throw ValidationError("nothing to search for") }
    }

    func run() async throws {
        let terminal = Terminal.standardOutput
        let highlight: (String) -> String = terminal.colour ? { "\u{1B}[1m\($0)\u{1B}[22m" } : { "**\($0)**" }
        if let postgres = try await reading.openPostgres() {
            let results = try await postgres.closing { try await $0.search(query, limit: limit, allCopies: all, highlight: highlight) }
            try printResults(results)
            if results.isEmpty { printError("aggregator: no matches for \(query) (store: \(postgres.address))") }
            return
        }
        let read = try reading.open()
        let store = read.store
        try await SearchIndexing.catchUp(store, directory: read.paths.data)
        let results = try store.search(query, limit: limit, allCopies: all, highlight: highlight)
        try printResults(results)
        if results.isEmpty { read.reportEmpty("no matches for \(query)") }
    }

    func printResults(_ results: [(article: StoredArticle, snippet: String)]) throws {
        let terminal = Terminal.standardOutput
        switch format {
        case .text:
            // Laid out together, so ids and feeds line up from one result to the next.
            let lines = ArticleOutput.textLines(results.map(\.article), width: terminal.width, colour: terminal.colour)
            for (line, result) in zip(lines, results) {
                print(line)
                if !result.snippet.isEmpty { print("    " + TerminalText.clean(result.snippet)) }
            }
        case .jsonl:
            for (article, snippet) in results {
                var line = ArticleOutput.jsonLines([article])[0]
                let escaped = String(decoding: try JSONEncoder().encode(snippet), as: UTF8.self)
                line = String(line.dropLast()) + ",\"snippet\":" + escaped + "}"
                print(line)
            }
        }
    }
}

enum SearchFormat: String, ExpressibleByArgument, CaseIterable {
    case text, jsonl
}

/// Articles stored since the last indexing (by `fetch`, or while no daemon ran) are
/// indexed before searching, when this user may write the store; otherwise the search
/// covers what is indexed and says how much is not.
enum SearchIndexing {
    static func catchUp(_ store: Store, directory: String) async throws {
        let pending = try store.pendingSearchCount()
        guard pending > 0 else { return }
        guard let writable = try? Store(directory: directory, writable: true) else {
            printError("note: \(pending) articles are not indexed yet (aggregatord indexes them)")
            return
        }
        while try await writable.indexPending(limit: 2000) > 0 {}
        writable.finishWriting()
    }
}
