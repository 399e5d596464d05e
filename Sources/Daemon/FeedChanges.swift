import Config

/// What a reload changes, feed by feed: decided once, then applied to the store (only
/// these rows are written) and to the schedule (only these feeds are looked at again).
/// A line that only moved (a line inserted above it) is not a change.
struct FeedChanges {
    /// Where each of the next configuration's feeds is in its list, by URL.
    let index: [String: Int]
    /// New feeds and feeds whose settings changed, in file order.
    let changed: [FeedConfig]
    /// URLs no longer in the file.
    let removed: [String]
    let addedCount: Int

    /// `current` with its `index`, and the next configuration's feeds. `splice`: when the
    /// next configuration was made from `current` by replacing only some of its feeds
    /// (`Configuration.splice`), only those are compared and only the positions after them
    /// move in the index; otherwise every feed is.
    init(from current: [FeedConfig], index currentIndex: [String: Int], to next: [FeedConfig], splice: FeedSplice? = nil) {
        guard let splice else {
            let index = Self.index(of: next)
            self.index = index
            // Compared whole first: a line that did not move is equal as it is (no copy made).
            changed = next.filter { feed in
                currentIndex[feed.url].map { current[$0] != feed && !current[$0].sameSettings(as: feed) } ?? true
            }
            removed = currentIndex.keys.filter { index[$0] == nil }
            addedCount = changed.count { currentIndex[$0.url] == nil }
            return
        }
        // A spliced configuration repeats no feed (else it is parsed whole): a replacing
        // feed is new or one of those it replaced.
        let replacing = next[splice.by]
        let urls = Set(replacing.map(\.url))
        removed = current[splice.replaced].map(\.url).filter { !urls.contains($0) }
        changed = replacing.filter { feed in
            currentIndex[feed.url].map { !current[$0].sameSettings(as: feed) } ?? true
        }
        addedCount = changed.count { currentIndex[$0.url] == nil }
        var index = currentIndex
        for url in removed { index[url] = nil }
        for (position, feed) in zip(splice.by, replacing) { index[feed.url] = position }
        if splice.by.count != splice.replaced.count {
            for position in splice.by.upperBound..<next.count { index[next[position].url] = position }
        }
        self.index = index
    }

    /// Positions by URL (a map of positions, not of feeds: at 100,000 feeds a second copy
    /// of every feed was 30 MB).
    static func index(of feeds: [FeedConfig]) -> [String: Int] {
        var index = [String: Int](minimumCapacity: feeds.count)
        for (position, feed) in feeds.enumerated() where index[feed.url] == nil { index[feed.url] = position }
        return index
    }
}
