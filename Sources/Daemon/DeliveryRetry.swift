import Foundation

/// When a failed hook delivery is tried again. Pure: exponential backoff from 10 s (`hook-backoff=`),
/// doubling, at most an hour between attempts, with ±20% jitter so many deliveries that
/// failed together do not all come back together; none after `retryFor` since the
/// delivery was queued (then it is kept as failed, for `aggregator hooks retry`).
public enum DeliveryRetry {
    public static let first: TimeInterval = 10
    public static let longest: TimeInterval = 3600

    /// `attempts`: how many have failed, this one included; `first`: the wait after the
    /// first (`hook-backoff=`). `jitter` in -1…1.
    public static func next(afterAttempts attempts: Int, queuedAt: Date, now: Date, retryFor: TimeInterval,
                            first: TimeInterval = DeliveryRetry.first, jitter: Double = Double.random(in: -1...1)) -> Date? {
        let deadline = queuedAt.addingTimeInterval(retryFor)
        guard now < deadline else { return nil }
        let exponent = Double(min(max(attempts - 1, 0), 20))
        let delay = min(first * pow(2, exponent), longest) * (1 + 0.2 * max(-1, min(1, jitter)))
        return min(now.addingTimeInterval(delay), deadline)
    }
}
