import FeedParser
import Foundation
import Store

/// When feeds are polled: pure rules, tested alone.
public enum Scheduler {
    /// Backoff never waits longer than a day: feeds are retried for ever, never given up on.
    public static let maximumBackoff = 86_400

    /// The next poll after a successful fetch (new articles or not modified), moved by up
    /// to ±`jitterFraction` of the interval so feeds added together drift apart instead of
    /// hitting their servers in lockstep. `unit` is a random number in 0..<1 (injectable).
    public static func nextDue(afterSuccessAt now: Date, interval: Int,
                               unit: Double = Double.random(in: 0..<1)) -> Date {
        now.addingTimeInterval(Double(interval) * (1 + jitterFraction * (2 * unit - 1)))
    }

    /// The interval to use after a success, given the publisher's hints (RSS `ttl`,
    /// `sy:updatePeriod`, Cache-Control `max-age`, `Expires`), in seconds: never more often
    /// than the configured interval, and a hint never stretches it past a day.
    public static func effectiveInterval(configured: Int, hints: [Int?]) -> Int {
        guard let hint = hints.compactMap({ $0 }).max(), hint > configured else { return configured }
        return max(configured, min(hint, 86_400))
    }

    /// How long a response says it stays fresh: `max-age` (unless `no-cache`/`no-store`),
    /// else `Expires`; nil when it says nothing useful.
    public static func freshness(cacheControl: String?, expires: String?, now: Date) -> Int? {
        if let cacheControl {
            let directives = cacheControl.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if directives.contains("no-cache") || directives.contains("no-store") { return nil }
            for directive in directives where directive.hasPrefix("max-age=") {
                if let seconds = Int(directive.dropFirst("max-age=".count)), seconds > 0 { return seconds }
            }
        }
        if let expires, let date = DateParser.parse(expires) {
            let seconds = Int(date.timeIntervalSince(now))
            return seconds > 0 ? seconds : nil
        }
        return nil
    }

    /// The interval a feed's own posting rate suggests (`adaptive=yes`): the time its
    /// entries of the last week span, divided by their number — a document holding only
    /// its latest items still shows how fast they come (like miniflux's entry-frequency
    /// scheduler, from the document alone). A day when nothing is that recent. Undated
    /// entries and dates in the future say nothing. Goes through `effectiveInterval` like
    /// any hint: never more often than configured, never less than daily.
    public static func postingRateHint(dates: [Date?], now: Date) -> Int? {
        let week = 7 * 86_400.0
        let known = dates.compactMap { $0 }.filter { $0 <= now.addingTimeInterval(3600) }
        guard !known.isEmpty else { return nil }
        let recent = known.filter { now.timeIntervalSince($0) <= week }
        guard let oldest = recent.min() else { return 86_400 }
        let span = max(now.timeIntervalSince(oldest), 60)
        return Int(span / Double(recent.count))
    }

    /// Where a failure that was not the feed's fault (the machine offline) leaves it: tried
    /// again soon, at most one interval later, without backoff.
    public static func nextDue(afterOfflineAt now: Date, interval: Int) -> Date {
        now.addingTimeInterval(Double(min(interval, 300)))
    }

    /// ±10% of the interval.
    public static let jitterFraction = 0.1

    /// The next poll after `consecutiveErrors` failures in a row (1 for the first):
    /// the interval doubles with each failure, capped at a day but never below the interval.
    public static func nextDue(afterFailureAt now: Date, interval: Int, consecutiveErrors: Int) -> Date {
        let exponent = min(max(consecutiveErrors - 1, 0), 20)
        let backoff = min(interval.multipliedReportingOverflow(by: 1 << exponent).partialValue, maximumBackoff)
        return now.addingTimeInterval(Double(max(backoff, interval)))
    }

    /// When a feed is due: its stored next-due time, but never later than one interval
    /// after its last fetch (so shortening `interval=` takes effect at once); never
    /// fetched means due now.
    public static func dueDate(for state: FeedState?, interval: Int, now: Date) -> Date {
        if state?.isGone == true { return .distantFuture }
        guard let state, let lastFetch = state.lastFetchAt else { return now }
        let byInterval = lastFetch.addingTimeInterval(Double(interval))
        guard let stored = state.nextDueAt else { return byInterval }
        return state.errorCount > 0 ? stored : min(stored, byInterval)
    }
}
