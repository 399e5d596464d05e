import Foundation

/// Tells a feed's own failure from the machine being offline, so that a laptop without
/// Wi-Fi or a server whose uplink is down does not push every feed into backoff.
///
/// A DNS or connect failure is the network's when the machine has no default route at
/// all, or when no server answered from a few seconds before it until `evidenceWait`
/// after it while at least two different hosts failed that way. Polls start together, so
/// the wait lets the other transfers of a round settle the question; a dead host among
/// live ones is counted against its feed as usual, and so is a single failing host.
public final class NetworkHealth: @unchecked Sendable {  // state only touched under `lock`
    private struct Event {
        let time: Date
        let host: String
        let reached: Bool
    }

    private let lock = NSLock()
    private var events: [Event] = []
    private let hasDefaultRoute: @Sendable () -> Bool
    private let evidenceWait: TimeInterval
    /// A server answering this long before a failure still shows the network up.
    private static let recentSuccess: TimeInterval = 5
    private static let window: TimeInterval = 60

    public init(evidenceWait: TimeInterval = 2,
                hasDefaultRoute: @escaping @Sendable () -> Bool = NetworkHealth.systemHasDefaultRoute) {
        self.evidenceWait = evidenceWait
        self.hasDefaultRoute = hasDefaultRoute
    }

    /// A server answered (any HTTP status): the network works.
    public func reached(host: String, at time: Date = Date()) {
        record(Event(time: time, host: host, reached: true))
    }

    /// Decides whether a DNS or connect failure for `host` at `time` is the network's
    /// fault (true: do not count it against the feed). Records the failure either way.
    public func isOffline(failedHost host: String, at time: Date = Date()) async -> Bool {
        record(Event(time: time, host: host, reached: false))
        if !hasDefaultRoute() { return true }
        let deadline = time.addingTimeInterval(evidenceWait)
        while !reachedSince(time.addingTimeInterval(-Self.recentSuccess)) {
            guard Date() < deadline else {
                return failingHosts(since: time.addingTimeInterval(-Self.window)) >= 2
            }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return false
    }

    private func reachedSince(_ start: Date) -> Bool {
        lock.withLock { events.contains { $0.reached && $0.time >= start } }
    }

    /// Distinct hosts that failed since `start` and since the last time a server answered.
    private func failingHosts(since start: Date) -> Int {
        lock.withLock {
            let from = max(start, events.last(where: \.reached)?.time ?? .distantPast)
            return Set(events.filter { !$0.reached && $0.time >= from }.map(\.host)).count
        }
    }

    private func record(_ event: Event) {
        lock.withLock {
            events.append(event)
            let horizon = Date().addingTimeInterval(-Self.window)
            if events.count > 64, let keep = events.firstIndex(where: { $0.time >= horizon }) {
                events.removeFirst(keep)
            }
            if events.count > 4096 { events.removeFirst(events.count - 4096) }
        }
    }

    /// Whether the kernel has a default route (IPv4 or IPv6) through an interface other
    /// than loopback: without one, nothing beyond this machine can be reached. Without
    /// routing tables to read (no /proc, or the unit's ProcSubset=pid) it assumes a
    /// network rather than silently never counting failures.
    @Sendable public static func systemHasDefaultRoute() -> Bool {
        let ipv4 = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8)
        let ipv6 = try? String(contentsOfFile: "/proc/net/ipv6_route", encoding: .utf8)
        guard ipv4 != nil || ipv6 != nil else { return true }
        return hasDefaultRoute(ipv4Table: ipv4 ?? "", ipv6Table: ipv6 ?? "")
    }

    /// Reads the two tables as Linux writes them: a default route has an all-zero
    /// destination and mask (IPv4) or prefix ::/0 (IPv6), on an interface that is not `lo`.
    static func hasDefaultRoute(ipv4Table: String, ipv6Table: String) -> Bool {
        for line in ipv4Table.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count > 7, fields[0] != "lo", fields[1] == "00000000", fields[7] == "00000000" { return true }
        }
        for line in ipv6Table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count > 9, fields[9] != "lo", fields[0] == String(repeating: "0", count: 32), fields[1] == "00" {
                return true
            }
        }
        return false
    }
}
