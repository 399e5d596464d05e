import ArgumentParser
import CommandSupport
import FeedParser
import Foundation
import Store

struct FeedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds", abstract: "Show every configured feed with the outcome of its last poll.")

    @OptionGroup var paths: PathOptions

    @Flag(help: "One JSON object per feed, one per line.")
    var json = false

    func run() throws {
        let resolved = paths.resolve(writable: false)
        let feeds: [FeedState]
        do {
            feeds = try Store(directory: resolved.data, writable: false).feeds()
        } catch {
            printError("aggregator: \(error)")
            throw ExitStatus.store
        }
        if json {
            for feed in feeds { print(Self.jsonLine(feed)) }
            return
        }
        for feed in feeds {
            let state = feed.lastOutcome?.rawValue ?? "never polled"
            let last = feed.lastFetchAt.map(ArticleOutput.localTime) ?? "-"
            var line = "\(TerminalText.pad(state, 12)) \(TerminalText.pad(last, 16)) "
                + "\(String(format: "%6d", feed.articleCount))  \(TerminalText.clean(feed.displayTitle))"
            if feed.displayTitle != feed.url { line += "  \(feed.url)" }
            print(line)
            if let moved = feed.movedTo {
                print("    moved permanently to \(TerminalText.clean(moved)) (polled there; feeds.conf could be updated)")
            }
            if feed.lastOutcome == .error, let error = feed.lastError {
                print("    \(TerminalText.clean(error)) (\(feed.errorCount) in a row)")
            }
        }
    }

    static func jsonLine(_ feed: FeedState) -> String {
        let object: [String: Any] = [
            "url": feed.url, "title": feed.displayTitle, "tags": feed.tags,
            "last_outcome": feed.lastOutcome?.rawValue ?? NSNull(),
            "last_error": feed.lastError ?? NSNull(),
            "error_count": feed.errorCount,
            "last_fetch": feed.lastFetchAt.map(DateFormatting.rfc3339) ?? NSNull(),
            "last_success": feed.lastSuccessAt.map(DateFormatting.rfc3339) ?? NSNull(),
            "next_due": feed.nextDueAt.map(DateFormatting.rfc3339) ?? NSNull(),
            "articles": feed.articleCount,
            "moved_to": feed.movedTo ?? NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
