/// What the last load of a file parsed to, kept so that a reload parses only the lines an
/// edit replaced (`LineSplice`): at 100,000 lines parsing every line again took most of a
/// second, and reusing each unchanged line's result by its text still a third of one.
///
/// The lines an edit left alone keep their results: their feeds (moved with their line
/// numbers) and the settings of the `default` lines. That holds while the folder (`file:`
/// paths) and the `default` lines are as they were, and while no line repeats another's
/// feed (whether a line is a duplicate depends on the lines above it). A file with any
/// message (an error, a warning: they name lines) is parsed whole.
public final class ParsedLines: Sendable {
    let path: String
    let baseDirectory: String
    /// The file's bytes with a line break appended (`LineSplice.terminated`).
    let bytes: [UInt8]
    /// The `default` lines, in file order, each with its line break: what a feed line's
    /// result depends on besides the line.
    let defaultLines: String
    /// For each line, where its feed is in `feeds`; -1 for a line without one.
    let lineFeeds: [Int32]
    let feeds: [FeedConfig]
    /// Every feed's `FeedURL.identity`: a line an edit adds must not repeat one.
    let identities: Set<String>
    let network: NetworkSettings
    let store: StoreLocation?
    let storeLine: Int?
    /// False after a load with any message: the next load parses everything.
    let canSplice: Bool

    init(path: String, baseDirectory: String, bytes: [UInt8], defaultLines: String, lineFeeds: [Int32], feeds: [FeedConfig],
         identities: Set<String>, network: NetworkSettings, store: StoreLocation?,
         storeLine: Int?, canSplice: Bool) {
        self.path = path
        self.baseDirectory = baseDirectory
        self.bytes = bytes
        self.defaultLines = defaultLines
        self.lineFeeds = lineFeeds
        self.feeds = feeds
        self.identities = identities
        self.network = network
        self.store = store
        self.storeLine = storeLine
        self.canSplice = canSplice
    }

    /// `text` parsed by parsing only the lines that differ from this load's, with the
    /// file's `default` lines in front of them; nil when that would not give what parsing
    /// it all gives (another file or folder, a `default` line among the lines replaced, a
    /// message or a repeated feed involved).
    func spliced(into text: String, path: String, baseDirectory: String) -> Configuration? {
        guard canSplice, path == self.path, baseDirectory == self.baseDirectory else { return nil }
        let newBytes = LineSplice.terminated(text)
        let splice = LineSplice(old: bytes, new: newBytes)
        guard !Self.hasDefaultLine(bytes[splice.oldMiddle]), !Self.hasDefaultLine(newBytes[splice.newMiddle]) else { return nil }
        let defaultCount = defaultLines.utf8.count { $0 == UInt8(ascii: "\n") }
        let part = ConfigParser.parseWhole(text: defaultLines + String(decoding: newBytes[splice.newMiddle], as: UTF8.self),
                                           path: path, baseDirectory: baseDirectory)
        // A message about a new line (an error, a duplicate): parsed whole, so that every
        // message names the right lines.
        guard let partLines = part.parsedLines, partLines.canSplice else { return nil }

        // The feeds the replaced lines gave, and whether a new line repeats a feed kept.
        let oldMiddleLines = splice.prefixLines..<(splice.prefixLines + splice.oldMiddleLines)
        let firstReplaced = lineFeeds[..<splice.prefixLines].last { $0 >= 0 }.map { Int($0) + 1 } ?? 0
        let replaced = firstReplaced..<(firstReplaced + lineFeeds[oldMiddleLines].count { $0 >= 0 })
        let leaving = Set(feeds[replaced].map { FeedURL.identity($0.url) })
        guard !partLines.identities.contains(where: { identities.contains($0) && !leaving.contains($0) }) else { return nil }

        let lineShift = splice.newMiddleLines - splice.oldMiddleLines
        let feedShift = part.feeds.count - replaced.count
        var newFeeds = [FeedConfig]()
        newFeeds.reserveCapacity(feeds.count + feedShift)
        newFeeds.append(contentsOf: feeds[..<replaced.lowerBound])
        for var feed in part.feeds {
            feed.line += splice.prefixLines - defaultCount
            newFeeds.append(feed)
        }
        for var feed in feeds[replaced.upperBound...] {
            feed.line += lineShift
            newFeeds.append(feed)
        }
        var newLineFeeds = Array(lineFeeds[..<splice.prefixLines])
        newLineFeeds.reserveCapacity(lineFeeds.count + lineShift)
        for position in partLines.lineFeeds[defaultCount..<(defaultCount + splice.newMiddleLines)] {
            newLineFeeds.append(position >= 0 ? position + Int32(replaced.lowerBound) : -1)
        }
        for position in lineFeeds[oldMiddleLines.upperBound...] {
            newLineFeeds.append(position >= 0 ? position + Int32(feedShift) : -1)
        }
        var configuration = Configuration(path: path, feeds: newFeeds, diagnostics: [])
        configuration.network = network
        configuration.store = store
        configuration.storeLine = storeLine.map { $0 > splice.prefixLines ? $0 + lineShift : $0 }
        configuration.splice = FeedSplice(replaced: replaced, by: replaced.lowerBound..<(replaced.lowerBound + part.feeds.count))
        configuration.parsedLines = ParsedLines(
            path: path, baseDirectory: baseDirectory, bytes: newBytes, defaultLines: defaultLines, lineFeeds: newLineFeeds,
            feeds: newFeeds, identities: identities.subtracting(leaving).union(partLines.identities),
            network: network, store: store, storeLine: configuration.storeLine, canSplice: true)
        return configuration
    }

    /// Whether any of these whole lines is a `default` line.
    static func hasDefaultLine(_ lines: ArraySlice<UInt8>) -> Bool {
        var start = lines.startIndex
        while start < lines.endIndex {
            let end = lines[start...].firstIndex(of: UInt8(ascii: "\n")) ?? lines.endIndex
            if ConfigParser.isDefaultLine(lines[start..<end]) { return true }
            start = end + 1
        }
        return false
    }
}

/// Which feeds a reload replaced when it parsed only an edit's lines: positions `replaced`
/// in the previous configuration's feeds became positions `by` in the new one's; every other
/// feed is the same, moved by the difference.
public struct FeedSplice: Sendable, Equatable {
    public let replaced: Range<Int>
    public let by: Range<Int>
}
