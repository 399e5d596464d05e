import ArgumentParser
import CommandSupport
import Daemon
import Config
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

    @Option(help: ArgumentHelp("Mark the entries this feeds.conf's skip=/only= rules would keep out (the rules of "
                               + "the line for SOURCE, else the default line's).", valueName: "feeds.conf"))
    var config: String?

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
        let feed: ParsedFeed
        do {
            feed = try FeedParser.parse(bytes, url: url, contentType: contentType)
        } catch {
            printError("aggregator: \(source): \(error)")
            if json { print(#"{"error": "\#(jsonEscaped(error.description))"}"#) }
            throw ExitCode.failure
        }
        let skipped = try config.map { try Self.skipped(feed, source: url ?? source, configPath: $0) }
        if json {
            print(skipped.map { Self.annotated(feed, skipped: $0) } ?? feed.jsonText(pretty: true))
        } else {
            printSummary(feed, skipped: skipped)
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

    private func printSummary(_ feed: ParsedFeed, skipped: [Int: String]?) {
        print("\(feed.format.rawValue): \(TerminalText.clean(feed.title ?? "(untitled)"))"
              + (feed.link.map { "  \($0)" } ?? ""))
        print("\(feed.entries.count) entries" + (skipped.map { "; \($0.count) skipped by \(config ?? "")'s rules" } ?? ""))
        for (index, entry) in feed.entries.enumerated() {
            let date = (entry.published ?? entry.updated).map(DateFormatting.rfc3339) ?? "(no date)          "
            let mark = skipped.map { $0[index] == nil ? "      " : "skip  " } ?? ""
            print("  \(mark)\(date)  \(TerminalText.clean(entry.title ?? "(untitled)"))  \(entry.link ?? "")"
                + (skipped?[index].map { "  (\(TerminalText.clean($0)))" } ?? ""))
        }
        for warning in feed.warnings { print("warning: \(TerminalText.clean(warning))") }
    }

    /// The entries `configPath`'s rules keep out, by position: the rules of SOURCE's own
    /// line, else those a `default` line gives every feed.
    static func skipped(_ feed: ParsedFeed, source: String, configPath: String) throws -> [Int: String] {
        let configuration: Configuration
        do {
            configuration = try ConfigParser.load(path: configPath)
        } catch {
            printError("aggregator: \(error)")
            throw ExitStatus.configuration
        }
        for problem in configuration.errors { printError("\(problem)") }
        let identity = FeedURL.identity(source)
        var rules = configuration.feeds.first { FeedURL.identity($0.url) == identity }?.filters
        if rules == nil {
            // Not listed: what a new line for it would get from the default lines.
            let text = (try? String(contentsOfFile: configPath, encoding: .utf8)) ?? ""
            let folder = (configPath as NSString).deletingLastPathComponent
            let probe = ConfigParser.parse(text: text + "\nhttps://probe.invalid/", path: configPath,
                                           baseDirectory: folder.isEmpty ? "." : folder)
            rules = probe.feeds.last?.filters
        }
        return ArticleFilter(rules ?? []).skipped(feed.entries)
    }

    /// The contract's JSON with `skipped_by` on every entry (the rule, or null).
    static func annotated(_ feed: ParsedFeed, skipped: [Int: String]) -> String {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(feed.jsonText().utf8))) as? [String: Any],
              var entries = object["entries"] as? [[String: Any]] else { return feed.jsonText(pretty: true) }
        for index in entries.indices { entries[index]["skipped_by"] = skipped[index] ?? NSNull() }
        object["entries"] = entries
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private func jsonEscaped(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
