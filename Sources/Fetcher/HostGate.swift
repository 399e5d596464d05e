import Foundation

/// Decides when a queued transfer may start, so that no host sees more than
/// `maximumPerHost` of our transfers at once, nor two request starts closer together
/// than the request's `hostSpacing`. Hosts take turns (round robin), so one host with
/// hundreds of feeds does not hold up the others. Owned by the network thread alone.
struct HostGate<Item> {
    struct Entry {
        let host: String
        let spacing: Double
        let item: Item
    }

    let maximumPerHost: Int
    private var waiting: [String: [Entry]] = [:]
    /// Hosts with waiting entries, in the order they get their next turn.
    private var turns: [String] = []
    private var running: [String: Int] = [:]
    private var lastStart: [String: Double] = [:]

    init(maximumPerHost: Int) {
        self.maximumPerHost = max(1, maximumPerHost)
    }

    var isEmpty: Bool { turns.isEmpty }

    mutating func add(_ item: Item, host: String, spacing: Double) {
        if waiting[host, default: []].isEmpty { turns.append(host) }
        waiting[host, default: []].append(Entry(host: host, spacing: spacing, item: item))
    }

    /// Takes up to `room` entries that may start at `now` (seconds on a monotonic clock),
    /// counting them as running. Also returns when the next held-back entry could start
    /// because of spacing (nil when none is waiting on spacing alone).
    mutating func admit(room: Int, now: Double) -> (started: [Entry], nextSpacingTime: Double?) {
        var started: [Entry] = []
        var nextTime: Double?
        var progress = true
        // Each pass gives every host at most one start, so hosts interleave.
        while started.count < room && progress {
            progress = false
            var index = 0
            while index < turns.count && started.count < room {
                let host = turns[index]
                guard let entry = waiting[host]?.first, running[host, default: 0] < maximumPerHost else {
                    index += 1
                    continue
                }
                if let last = lastStart[host], entry.spacing > 0, now < last + entry.spacing {
                    nextTime = min(nextTime ?? .infinity, last + entry.spacing)
                    index += 1
                    continue
                }
                waiting[host]!.removeFirst()
                running[host, default: 0] += 1
                lastStart[host] = now
                started.append(entry)
                progress = true
                if waiting[host]!.isEmpty {
                    waiting[host] = nil
                    turns.remove(at: index)
                } else {
                    // This host had its turn: it goes to the back of the line.
                    turns.remove(at: index)
                    turns.append(host)
                }
            }
        }
        return (started, nextTime)
    }

    /// A started entry for `host` finished: its slot is free.
    mutating func finished(host: String) {
        let count = running[host, default: 0] - 1
        running[host] = count > 0 ? count : nil
    }

    /// Removes a waiting entry; nil when it is not waiting (started or unknown).
    mutating func remove(where matches: (Item) -> Bool) -> Item? {
        for (host, entries) in waiting {
            guard let index = entries.firstIndex(where: { matches($0.item) }) else { continue }
            let entry = waiting[host]!.remove(at: index)
            if waiting[host]!.isEmpty {
                waiting[host] = nil
                turns.removeAll { $0 == host }
            }
            return entry.item
        }
        return nil
    }

    /// Empties the gate, returning everything still waiting.
    mutating func drain() -> [Item] {
        let items = turns.flatMap { waiting[$0]!.map(\.item) }
        waiting.removeAll()
        turns.removeAll()
        return items
    }

    /// The unit limits and spacing apply to: the URL's host, lower-cased; `file:` URLs
    /// (no host) share the empty host, which has no spacing.
    static func host(of url: String) -> String {
        URLComponents(string: url)?.host?.lowercased() ?? ""
    }

    /// Loopback hosts are the user's own machine, not a publisher to be polite to.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]" || host.isEmpty
    }
}

extension Fetcher {
    /// Whether `host` is the user's own machine (no host-spacing by default).
    public static func isLoopback(_ host: String) -> Bool { HostGate<Never>.isLoopback(host) }
}
