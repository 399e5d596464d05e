import ArgumentParser
import CommandSupport
import Daemon
import FeedParser
import Foundation
import Store

struct FeedsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds", abstract: "Show every configured feed with the outcome of its last poll.")

    @OptionGroup var reading: ReadingOptions

    @Flag(help: "One JSON object per feed, one per line.")
    var json = false

    func run() async throws {
        if let postgres = try await reading.openPostgres() {
            let now = Date()
            let (feeds, pauses, skipped, polledBy) = try await postgres.closing { store in
                (try await store.feeds(), try await store.hostPauses(now: now), try await store.skippedCounts(),
                 try await store.lastPolledBy())
            }
            if feeds.isEmpty { printError("aggregator: no feeds in the store \(postgres.address) yet") }
            output(feeds, pauses: pauses, unread: { $0.articleCount }, skipped: skipped, now: now, polledBy: polledBy)
            return
        }
        let read = try reading.open()
        // What the daemon says in its STATUS= line, as this command can see it.
        if let fault = Volume.of(directory: read.paths.data).fault(directory: read.paths.data, forWriter: false) {
            printError("aggregator: \(fault): aggregatord pauses polling until its writes succeed again")
        }
        let feeds = try read.store.feeds()
        // Yours: nothing read yet (no state kept) means every article is unread.
        let unreadCounts = try read.state == nil || read.state!.isEmpty() ? nil : read.store.unreadCounts()
        let skipped = try read.store.skippedCounts()
        if feeds.isEmpty {
            printError("aggregator: no feeds in the store \(read.paths.data) (\(read.paths.dataOrigin.rawValue)) yet: "
                + "aggregatord adds those of feeds.conf when it starts or reloads")
        }
        let now = Date()
        let pauses = try read.store.hostPauses(now: now)
        output(feeds, pauses: pauses, unread: { feed in unreadCounts.map { $0[feed.url, default: 0] } ?? feed.articleCount },
               skipped: skipped, now: now)
    }

    /// `polledBy`: on a fleet's store, the daemon ("host:pid") that last polled each feed.
    func output(_ feeds: [FeedState], pauses: [String: HostPause], unread: (FeedState) -> Int,
                skipped: [String: Int], now: Date, polledBy: [String: String]? = nil) {
        func pause(of feed: FeedState) -> HostPause? {
            // Most stores have no paused host: then no URL is parsed (URLComponents for each
            // of 100,000 feeds was a third of the command).
            guard !pauses.isEmpty else { return nil }
            return HostPauses.host(of: feed.movedTo ?? feed.url).flatMap { pauses[$0] }
        }
        if json {
            for feed in feeds {
                print(Self.jsonLine(feed, pause: pause(of: feed), unread: unread(feed), skipped: skipped[feed.url, default: 0],
                                    polledBy: polledBy?[feed.url]))
            }
            return
        }
        let states = feeds.map { Self.state(of: $0, pause: pause(of: $0)) }
        let width = max(16, states.map(\.count).max() ?? 0)
        // One write at the end: a print per line cost more than building the lines.
        var out = TerminalText.pad("STATE", width) + " LAST SUCCESS      NEXT POLL  ARTICLES    UNREAD  FEED\n"
        for (feed, state) in zip(feeds, states) {
            let last = feed.lastSuccessAt.map(ArticleOutput.localTime) ?? "never"
            let next = Self.nextPoll(feed, now: now)
            out += "\(TerminalText.pad(state, width)) \(TerminalText.pad(last, 16))  "
                + "\(TerminalText.pad(next, 9))  \(TerminalText.padLeft(String(feed.articleCount), 8))  "
                + "\(TerminalText.padLeft(String(unread(feed)), 8))  "
                + TerminalText.clean(feed.displayTitle)
            if feed.displayTitle != feed.url { out += "  \(TerminalText.clean(feed.url))" }
            if let count = skipped[feed.url] { out += "  (\(count) skipped by skip=/only=)" }
            if let daemon = polledBy?[feed.url] { out += "  (polled by \(TerminalText.clean(daemon)))" }
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

    /// ok, not-modified, unchanged, gone, never polled, `paused until …` (its host asked
    /// to wait), or `failing: KIND` with the error's kind (dns, connect, tls, timeout,
    /// HTTP 404, not a feed, offline, …).
    static func state(of feed: FeedState, pause: HostPause? = nil) -> String {
        if feed.isGone { return "gone" }
        if let pause { return "paused until " + ArticleOutput.localTime(pause.until) }
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

    /// `polledBy`: on a fleet's store, the daemon that last polled the feed (`polled_by`;
    /// absent when none has, and on SQLite).
    static func jsonLine(_ feed: FeedState, pause: HostPause? = nil, unread: Int, skipped: Int = 0,
                         polledBy: String? = nil) -> String {
        var object: [String: Any] = [
            "url": feed.url, "title": feed.displayTitle, "tags": feed.tags, "state": state(of: feed, pause: pause),
            "paused_until": pause.map { DateFormatting.rfc3339($0.until) } ?? NSNull(),
            "last_outcome": feed.lastOutcome?.rawValue ?? NSNull(),
            "last_error": feed.lastError ?? NSNull(),
            "error_count": feed.errorCount,
            "last_fetch": feed.lastFetchAt.map(DateFormatting.rfc3339) ?? NSNull(),
            "last_success": feed.lastSuccessAt.map(DateFormatting.rfc3339) ?? NSNull(),
            "next_due": feed.nextDueAt.map(DateFormatting.rfc3339) ?? NSNull(),
            "articles": feed.articleCount,
            "unread": unread,
            "skipped": skipped,
            "moved_to": feed.movedTo ?? NSNull(),
        ]
        if let polledBy { object["polled_by"] = polledBy }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
