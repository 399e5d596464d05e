import Foundation
import Store

/// When feeds are polled: pure rules, tested alone.
public enum Scheduler {
    /// Backoff never waits longer than a day: feeds are retried for ever, never given up on.
    public static let maximumBackoff = 86_400

    /// The next poll after a successful fetch (new articles or not modified).
    public static func nextDue(afterSuccessAt now: Date, interval: Int) -> Date {
        now.addingTimeInterval(Double(interval))
    }

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
