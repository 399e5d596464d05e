import Config
import Testing
@testable import Daemon

@Suite struct FeedChangesTests {
    func feed(_ url: String, interval: Int = 1800, line: Int) -> FeedConfig {
        FeedConfig(url: url, interval: interval, line: line)
    }

    @Test func aMovedLineIsNoChangeAnEditedOneIsAndRemovalsAreListed() {
        let current = [feed("a", line: 1), feed("b", line: 2), feed("c", line: 3)]
        // A comment inserted at the top moves every line; b's interval edited; c removed; d added.
        let next = [feed("a", line: 2), feed("b", interval: 600, line: 3), feed("d", line: 4)]
        let changes = FeedChanges(from: current, index: FeedChanges.index(of: current), to: next)
        #expect(changes.changed.map(\.url) == ["b", "d"])
        #expect(changes.removed == ["c"])
        #expect(changes.addedCount == 1)
        #expect(changes.index == ["a": 0, "b": 1, "d": 2])
    }

    @Test func nothingChangesWhenTheFileIsTheSame() {
        let list = (0..<100).map { feed("u\($0)", line: $0 + 1) }
        let changes = FeedChanges(from: list, index: FeedChanges.index(of: list), to: list)
        #expect(changes.changed.isEmpty && changes.removed.isEmpty && changes.addedCount == 0)
    }
}

/// A reload that parsed only an edit's lines (`Configuration.splice`) must change the
/// schedule and the store exactly as comparing every feed would.
@Suite struct SplicedFeedChangesTests {
    @Test func aSpliceGivesWhatComparingEveryFeedGives() throws {
        var seed: UInt64 = 7
        func next(_ bound: Int) -> Int {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            return Int(seed % UInt64(bound))
        }
        func line() -> String {
            next(6) == 0 ? "# note" : "https://n\(next(80)).example/f interval=\(next(3) + 1)h"
        }
        var spliced = 0
        for _ in 0..<200 {
            var lines = (0..<(3 + next(20))).map { _ in line() }
            let before = ConfigParser.parse(text: lines.joined(separator: "\n"), path: "f", baseDirectory: "/")
            let at = next(lines.count + 1)
            switch next(3) {
            case 0: lines.insert(contentsOf: (0..<(1 + next(3))).map { _ in line() }, at: at)
            case 1: if at < lines.count { lines.removeSubrange(at..<min(lines.count, at + 1 + next(3))) }
            default: if at < lines.count { lines[at] = line() }
            }
            let after = ConfigParser.parse(text: lines.joined(separator: "\n"), path: "f", baseDirectory: "/",
                                           reusing: before.parsedLines)
            guard let splice = after.splice else { continue }  // a repeated feed: parsed whole
            spliced += 1
            let index = FeedChanges.index(of: before.feeds)
            let quick = FeedChanges(from: before.feeds, index: index, to: after.feeds, splice: splice)
            let whole = FeedChanges(from: before.feeds, index: index, to: after.feeds)
            #expect(quick.index == whole.index)
            #expect(quick.changed == whole.changed)
            #expect(Set(quick.removed) == Set(whole.removed))
            #expect(quick.addedCount == whole.addedCount)
        }
        #expect(spliced > 50)
    }
}
