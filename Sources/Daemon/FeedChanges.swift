import Config

/// What a reload changes, feed by feed: decided once, then applied to the store (only
/// these rows are written) and to the schedule (only these feeds are looked at again).
/// A line that only moved (a line inserted above it) is not a change.
struct FeedChanges {
    /// The next configuration's feeds, by URL.
    let feeds: [String: FeedConfig]
    /// New feeds and feeds whose settings changed, in file order.
    let changed: [FeedConfig]
    /// URLs no longer in the file.
    let removed: [String]
    let addedCount: Int

    init(from current: [String: FeedConfig], to next: [FeedConfig]) {
        let feeds = Dictionary(next.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        self.feeds = feeds
        changed = next.filter { feed in current[feed.url].map { !$0.sameSettings(as: feed) } ?? true }
        removed = current.keys.filter { feeds[$0] == nil }
        addedCount = changed.count { current[$0.url] == nil }
    }
}
