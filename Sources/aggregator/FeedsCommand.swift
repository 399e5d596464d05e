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
        let feeds = try openStoreForReading(resolved.data).feeds()
        if json {
            for feed in feeds { print(Self.jsonLine(feed)) }
            return
        }
        let now = Date()
        // One write at the end: a print per line cost more than building the lines.
        var out = "STATE            LAST SUCCESS      NEXT POLL  ARTICLES  FEED\n"
        for feed in feeds {
            let last = feed.lastSuccessAt.map(ArticleOutput.localTime) ?? "never"
            let next = Self.nextPoll(feed, now: now)
            out += "\(TerminalText.pad(Self.state(of: feed), 16)) \(TerminalText.pad(last, 16))  "
                + "\(TerminalText.pad(next, 9))  \(TerminalText.padLeft(String(feed.articleCount), 8))  "
                + TerminalText.clean(feed.displayTitle)
            if feed.displayTitle != feed.url { out += "  \(TerminalText.clean(feed.url))" }
            out += "\n"
            if let moved = feed.movedTo {
                out += "    moved permanently to \(TerminalText.clean(moved)) (polled there; feeds.conf could be updated)\n"
            }
            if feed.lastOutcome == .error, let error = feed.lastError {
                out += "    \(TerminalText.clean(error)) (\(feed.errorCount) in a row)\n"
            }
        }
        print(out, terminator: "")
    }

    /// ok, not-modified, unchanged, gone, never polled, or `failing: KIND` with the error's
    /// kind (dns, connect, tls, timeout, HTTP 404, not a feed, offline, …).
    static func state(of feed: FeedState) -> String {
        if feed.isGone { return "gone" }
        guard let outcome = feed.lastOutcome else { return "never polled" }
        guard outcome == .error else { return outcome.rawValue }
        let message = feed.lastError ?? ""
        let kind = message.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "error"
        return "failing: " + kind
    }

    /// `in 12m`, `due`, or `-` when not scheduled (gone).
    static func nextPoll(_ feed: FeedState, now: Date) -> String {
        guard !feed.isGone, let due = feed.nextDueAt else { return feed.isGone ? "-" : "due" }
        let seconds = Int(due.timeIntervalSince(now))
        guard seconds > 0 else { return "due" }
        let units: [(Int, String)] = [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        let (size, name) = units.first { seconds >= $0.0 } ?? (1, "s")
        return "in \(seconds / size)\(name)"
    }

    static func jsonLine(_ feed: FeedState) -> String {
        let object: [String: Any] = [
            "url": feed.url, "title": feed.displayTitle, "tags": feed.tags, "state": state(of: feed),
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
