import Foundation

/// The feeds waiting for their next poll, earliest first. The daemon asks it on every
/// wake-up and after every poll, so each of those costs O(log n) — at 100,000 feeds a scan
/// over all of them per event was what kept a new feed waiting for minutes.
///
/// A binary heap of (due, feed) entries beside a table of each feed's current time.
/// Moving or removing a feed leaves its old heap entry in place; an entry whose time and
/// stamp no longer match the table is stale and skipped when it reaches the top (lazy
/// deletion). When stale entries outnumber live ones the heap is rebuilt, so it never
/// holds more than about twice the feeds.
struct DueQueue {
    private struct Entry {
        let due: Date
        let url: String
        let stamp: UInt64
    }

    private var heap: [Entry] = []
    private var current: [String: (due: Date, stamp: UInt64)] = [:]
    private var nextStamp: UInt64 = 0

    /// Feeds waiting (not those taken out by `takeDue`).
    var count: Int { current.count }
    var isEmpty: Bool { current.isEmpty }

    /// When `url` is due, when it is waiting.
    func due(of url: String) -> Date? { current[url]?.due }

    func contains(_ url: String) -> Bool { current[url] != nil }

    /// The earliest due time of any waiting feed.
    var earliest: Date? {
        // Stale entries at the top are dropped by every mutation, so the top is live.
        heap.first?.due
    }

    /// Puts `url` in the queue at `due`, or moves it there.
    mutating func set(_ url: String, due: Date) {
        nextStamp += 1
        current[url] = (due, nextStamp)
        push(Entry(due: due, url: url, stamp: nextStamp))
        compactIfMostlyStale()
    }

    /// Takes `url` out of the queue (a removed feed, or one not to be polled for now).
    mutating func remove(_ url: String) {
        guard current.removeValue(forKey: url) != nil else { return }
        dropStaleTop()
        compactIfMostlyStale()
    }

    /// Takes out up to `limit` feeds due at or before `now`, earliest first, with their
    /// due times.
    mutating func takeDue(now: Date, limit: Int) -> [(url: String, due: Date)] {
        var taken: [(url: String, due: Date)] = []
        while taken.count < limit, let top = heap.first, top.due <= now {
            popTop()
            guard isLive(top) else { continue }
            current[top.url] = nil
            taken.append((top.url, top.due))
        }
        dropStaleTop()
        return taken
    }

    // MARK: The heap

    private func isLive(_ entry: Entry) -> Bool {
        current[entry.url]?.stamp == entry.stamp
    }

    private mutating func dropStaleTop() {
        while let top = heap.first, !isLive(top) { popTop() }
    }

    private mutating func compactIfMostlyStale() {
        guard heap.count > 64, heap.count > 2 * current.count else { return }
        heap = current.map { Entry(due: $0.value.due, url: $0.key, stamp: $0.value.stamp) }
        // Floyd's bottom-up build: O(n).
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { break }
            heap.swapAt(child, parent)
            child = parent
        }
        dropStaleTop()
    }

    private mutating func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].due < heap[smallest].due { smallest = left }
            if right < heap.count, heap[right].due < heap[smallest].due { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
