import Config
import Foundation
import Store

/// Whether the store takes writes, as a state rather than an error per poll: the first
/// write that fails for a reason concerning the whole store (`StorageFault`) pauses
/// polling — nothing is downloaded that could not be kept — and from then on a probe
/// write is tried with backoff until one succeeds. Each change of state is one line.
/// Pure: the daemon asks it what to do and does it.
public struct StorageHealth: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case writable
        /// Since `since`; the next probe at `nextProbe`, the `attempt`-th. A damaged store
        /// is not probed: a write that happens to succeed proves nothing about the damage
        /// (the daemon refuses to start on it; `aggregator check` names it).
        case failing(StorageFault, since: Date, nextProbe: Date?, attempt: Int)
    }

    public private(set) var state: State = .writable

    /// The first probe a second after the fault, then twice as long each time, at most a minute.
    public static let firstProbeDelay: TimeInterval = 1
    public static let longestProbeDelay: TimeInterval = 60

    public init() {}

    public var pollsAllowed: Bool { state == .writable }

    public var nextProbe: Date? {
        if case .failing(_, _, let next, _) = state { return next }
        return nil
    }

    /// For systemd's STATUS=: `store full: 0 bytes free on /var/lib/aggregator; polling paused`.
    public var status: String? {
        if case .failing(let fault, _, _, _) = state { return "\(fault); polling paused" }
        return nil
    }

    /// A write failed for `fault`. Returns the line to log when this is news (the store was
    /// writable until now); later failures while paused say nothing.
    public mutating func writeFailed(_ fault: StorageFault, at now: Date) -> String? {
        guard case .writable = state else { return nil }
        let probe = fault.kind == .damaged ? nil : now.addingTimeInterval(Self.firstProbeDelay)
        state = .failing(fault, since: now, nextProbe: probe, attempt: 1)
        return "\(fault); polling paused " + (probe == nil ? "until restarted on a repaired store" : "until writes succeed again")
    }

    /// The probe failed too: the next one waits twice as long (the fault may have changed:
    /// a disk that filled can be remounted read-only).
    public mutating func probeFailed(_ fault: StorageFault, at now: Date) {
        guard case .failing(_, let since, _, let attempt) = state else { return }
        let delay = min(Self.firstProbeDelay * pow(2, Double(attempt)), Self.longestProbeDelay)
        state = .failing(fault, since: since, nextProbe: now.addingTimeInterval(delay), attempt: attempt + 1)
    }

    /// A probe write succeeded: polling resumes. Returns the line to log.
    public mutating func probeSucceeded(at now: Date, freeBytes: Int64?) -> String? {
        guard case .failing(_, let since, _, _) = state else { return nil }
        state = .writable
        let room = freeBytes.map { " (\(StorageFault.bytes($0)) free)" } ?? ""
        return "store writable again\(room); polling resumed after \(Interval.format(seconds: max(1, Int(now.timeIntervalSince(since)))))"
    }
}
