import ArgumentParser
import FeedParser
import Fetcher
import Foundation

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse one feed document and show what was understood, without touching the store.",
        discussion: """
            Exit status 1 when the input is not a feed.
            With --bench, parses every FILE fully, streaming, keeping nothing, and prints one line:
            {"files": N, "bytes": B, "entries": E, "errors": 0, "seconds": S}
            """)

    @Argument(help: ArgumentHelp("A file, - for standard input, or an http(s)/file URL (several files with --bench).",
                                 valueName: "source"))
    var sources: [String]

    @Flag(help: "Print the JSON described in docs/parse-json.md.")
    var json = false

    @Flag(help: "Measure: parse every file given and print a JSON summary line.")
    var bench = false

    @Option(help: "With --bench: files parsed at once (default: one per core, as the daemon does).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    private var source: String { sources[0] }

    func validate() throws {
        if sources.isEmpty { throw ValidationError("missing a source to parse") }
        if !bench && sources.count > 1 { throw ValidationError("parse takes one source (several only with --bench)") }
    }

    func run() async throws {
        if bench {
            print(ParseBenchmark.run(files: sources, jobs: jobs).jsonLine)
            return
        }
        let (bytes, url, contentType) = try await load()
        do {
            let feed = try FeedParser.parse(bytes, url: url, contentType: contentType)
            if json {
                print(feed.jsonText(pretty: true))
            } else {
                printSummary(feed)
            }
        } catch {
            printError("aggregator: \(source): \(error)")
            if json { print(#"{"error": "\#(jsonEscaped(error.description))"}"#) }
            throw ExitCode.failure
        }
    }

    /// The document's bytes, URL and (when fetched) Content-Type.
    private func load() async throws -> ([UInt8], String?, String?) {
        if source == "-" {
            return (Array(FileHandle.standardInput.readDataToEndOfFile()), nil, nil)
        }
        let lowered = source.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered.hasPrefix("file:") {
            let fetcher = Fetcher()
            defer { fetcher.shutdown() }
            do {
                let response = try await fetcher.fetch(FetchRequest(url: source))
                guard response.isSuccess else {
                    printError("aggregator: \(source): HTTP \(response.status)")
                    throw ExitCode.failure
                }
                return (response.body, response.effectiveURL, response.contentType)
            } catch let error as FetchError {
                printError("aggregator: \(source): \(error.kind.rawValue): \(error.message)")
                throw ExitCode.failure
            }
        }
        guard let data = FileManager.default.contents(atPath: source) else {
            printError("aggregator: \(source): cannot read the file")
            throw ExitCode.failure
        }
        return (Array(data), URL(fileURLWithPath: source).absoluteString, nil)
    }

    private func printSummary(_ feed: ParsedFeed) {
        print("\(feed.format.rawValue): \(TerminalText.clean(feed.title ?? "(untitled)"))"
              + (feed.link.map { "  \($0)" } ?? ""))
        print("\(feed.entries.count) entries")
        for entry in feed.entries {
            let date = (entry.published ?? entry.updated).map(DateFormatting.rfc3339) ?? "(no date)          "
            print("  \(date)  \(TerminalText.clean(entry.title ?? "(untitled)"))  \(entry.link ?? "")")
        }
        for warning in feed.warnings { print("warning: \(TerminalText.clean(warning))") }
    }

    private func jsonEscaped(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
