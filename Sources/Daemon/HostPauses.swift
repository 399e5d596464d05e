import FeedParser
import Foundation

/// Hosts that asked us to wait (429 Too Many Requests / 503 Service Unavailable): no
/// feed on such a host is fetched until the pause ends — the request was about the
/// server, not about one feed. Shared by every poll of a daemon or a `fetch` run.
public final class HostPauses: @unchecked Sendable {  // `until` is only touched under `lock`
    private let lock = NSLock()
    private var until: [String: Date] = [:]

    public init() {}

    /// When the host's pause ends, if it has one still running.
    public func pausedUntil(host: String, now: Date = Date()) -> Date? {
        lock.withLock {
            guard let end = until[host], end > now else { return nil }
            return end
        }
    }

    public func pause(host: String, until end: Date) {
        lock.withLock { until[host] = max(until[host] ?? end, end) }
    }

    /// The lower-cased host of a URL, the unit that pauses apply to.
    public static func host(of url: String) -> String? {
        URLComponents(string: url)?.host?.lowercased()
    }
}

/// Reads `Retry-After`: seconds or an HTTP-date (RFC 9110 §10.2.3).
public enum RetryAfter {
    /// Used when a 429/503 says nothing: long enough to be polite.
    public static let defaultDelay: TimeInterval = 600
    /// Never longer than a day, whatever the header says (feeds must not be lost for ever).
    public static let maximumDelay: TimeInterval = 86_400

    public static func delay(header: String?, now: Date) -> TimeInterval {
        guard let value = header?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return defaultDelay }
        let seconds: TimeInterval
        if let number = Int(value) {
            seconds = TimeInterval(number)
        } else if let date = DateParser.parse(value) {
            seconds = date.timeIntervalSince(now)
        } else {
            return defaultDelay
        }
        return min(max(seconds, 1), maximumDelay)
    }
}
