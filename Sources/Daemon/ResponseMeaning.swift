import Fetcher
import Foundation

/// What a server's answer means for a feed, decided without doing anything about it: the
/// poller then does what the meaning asks (parse, pause the host, store). Pure, tested alone.
public enum ResponseMeaning: Equatable, Sendable {
    /// 304: what the store holds is current.
    case notModified
    /// 429 or 503: the server asks every feed on its host to wait `delay` seconds
    /// (`RetryAfter`: the header's seconds or date, 10 minutes without one, a day at most).
    case hostBusy(status: Int, delay: TimeInterval)
    /// 410: polling stops until the feed's feeds.conf line changes.
    case gone
    /// A success whose body is byte for byte the last one parsed (servers without validators).
    case unchanged
    /// A new document, to parse.
    case document
    /// Any other status: this feed failed.
    case httpError(status: Int)

    /// `bodyMatchesLast` is asked only for a success (it hashes the body).
    public static func of(status: Int, retryAfter: String?, now: Date,
                          bodyMatchesLast: () -> Bool) -> ResponseMeaning {
        switch status {
        case 304: return .notModified
        case 429, 503: return .hostBusy(status: status, delay: RetryAfter.delay(header: retryAfter, now: now))
        case 410: return .gone
        case 200..<300: return bodyMatchesLast() ? .unchanged : .document
        default: return .httpError(status: status)
        }
    }

    public static func of(_ response: FetchResponse, now: Date, bodyMatchesLast: () -> Bool) -> ResponseMeaning {
        of(status: response.status, retryAfter: response.header("retry-after"), now: now, bodyMatchesLast: bodyMatchesLast)
    }
}
