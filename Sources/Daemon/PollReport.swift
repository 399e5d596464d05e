import FeedParser
import Foundation
import Store

/// What one poll of one feed did, for the log and for `aggregator fetch`'s output.
public struct PollReport: Sendable {
    public enum Outcome: Sendable, Equatable {
        case fetched(inserted: Int, updated: Int)
        case notModified
        /// 200 with the same body as last time: nothing parsed, nothing written.
        case unchanged
        /// 410 Gone now, or earlier for this feeds.conf line: not polled.
        case gone
        case failed(String)
        /// Shutdown interrupted the poll; nothing was written.
        case cancelled
        /// Not fetched: the host asked for a pause (429/503) that has not ended.
        case deferred(until: Date)
        /// Fetched, but what it learnt could not be stored, so none of it counts: the next
        /// poll asks as if this one had not happened. `fault` when the reason concerns the
        /// whole store (a full disk and the like), nil when it was this update's own.
        case notStored(String, fault: StorageFault?)
    }

    public let url: String
    public let outcome: Outcome
    public let status: Int?
    public let warnings: [String]
    public let duration: Double
    /// When to poll next, as the poll decided it; meaningful only for a poll whose result
    /// was stored (see `Outcome.notStored`).
    public let nextDue: Date

    public var failed: Bool {
        switch outcome {
        case .failed, .notStored: return true
        default: return false
        }
    }

    /// The reason the store cannot take writes, when this poll met one.
    public var storageFault: StorageFault? {
        if case .notStored(_, let fault) = outcome { return fault }
        return nil
    }

    /// One line: `https://…: 200, 3 new, 1 updated (0.12 s)`.
    public var summary: String {
        let time = String(format: "%.2f s", duration)
        switch outcome {
        case .fetched(let inserted, let updated):
            let status = self.status.map { "\($0), " } ?? ""
            return "\(url): \(status)\(inserted) new, \(updated) updated (\(time))"
        case .notModified: return "\(url): not modified (\(time))"
        case .unchanged: return "\(url): unchanged (\(time))"
        case .gone: return "\(url): gone (HTTP 410); not polled until its feeds.conf line changes"
        case .failed(let message): return "\(url): \(message)"
        case .notStored(let message, _): return "\(url): not stored: \(message)"
        case .cancelled: return "\(url): cancelled"
        case .deferred(let until):
            return "\(url): not fetched, its host asked to wait until \(DateFormatting.rfc3339(until))"
        }
    }
}
