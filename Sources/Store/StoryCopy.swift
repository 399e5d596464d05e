/// One stored copy of a story (the same article carried by several feeds), as `list` and
/// `search` name the other feeds of the copy they show.
struct StoryCopy: Equatable {
    /// Where a copy is: what the date index holds for each article, so a copy read there
    /// needs no second read of its row.
    struct Place: Equatable {
        let story: Int64
        let feedId: Int64
        let sortDate: Int64
    }

    let story: Int64
    /// The feed's title as `list` shows it (its URL when it has none).
    let title: String
    let id: Int64
    let feedId: Int64
    let sortDate: Int64

    /// The titles of the feeds that carried each story, each feed once, in the order of
    /// `copies`, leaving out the feed of the copy shown (`shown`: story → its feed id).
    static func otherFeeds(_ copies: [StoryCopy], shown: [Int64: Int64]) -> [Int64: [String]] {
        var feeds: [Int64: [String]] = [:]
        var listed = Set<SIMD2<Int64>>()  // (story, feed)
        for copy in copies where copy.feedId != shown[copy.story] && listed.insert(SIMD2(copy.story, copy.feedId)).inserted {
            feeds[copy.story, default: []].append(copy.title)
        }
        return feeds
    }
}
