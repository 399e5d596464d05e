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
