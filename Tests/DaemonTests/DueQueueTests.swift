import Foundation
import Testing
@testable import Daemon

@Suite struct DueQueueTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    @Test func takesWhatIsDueEarliestFirstUpToTheLimit() {
        var queue = DueQueue()
        for (url, seconds) in [("c", 30.0), ("a", 10), ("d", 40), ("b", 20), ("e", 50)] { queue.set(url, due: at(seconds)) }
        #expect(queue.earliest == at(10))
        #expect(queue.takeDue(now: at(5), limit: 10).isEmpty)
        #expect(queue.takeDue(now: at(35), limit: 2).map(\.url) == ["a", "b"])
        #expect(queue.takeDue(now: at(35), limit: 2).map(\.url) == ["c"])
        #expect(queue.count == 2)
        #expect(queue.earliest == at(40))
        #expect(queue.takeDue(now: at(100), limit: 10).map(\.due) == [at(40), at(50)])
        #expect(queue.isEmpty && queue.earliest == nil)
    }

    @Test func movingOrRemovingAFeedLeavesNoTraceOfItsOldTime() {
        var queue = DueQueue()
        queue.set("a", due: at(10))
        queue.set("b", due: at(20))
        queue.set("a", due: at(30))  // moved later
        #expect(queue.earliest == at(20))
        #expect(queue.due(of: "a") == at(30))
        queue.remove("b")
        #expect(queue.earliest == at(30))
        #expect(queue.takeDue(now: at(25), limit: 10).isEmpty)
        queue.set("a", due: at(5))  // moved earlier
        #expect(queue.takeDue(now: at(100), limit: 10).map(\.url) == ["a"])
        #expect(queue.isEmpty)
        queue.remove("never-there")
        #expect(queue.count == 0)
    }

    @Test func agreesWithASortedListThroughThousandsOfRandomChanges() {
        var queue = DueQueue()
        var model = [String: Date]()
        var generator = SystemRandomNumberGenerator()
        var now = 0.0
        for step in 0..<20_000 {
            let url = "feed\(Int.random(in: 0..<300, using: &generator))"
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<6:
                let due = at(now + Double.random(in: -50..<500, using: &generator))
                queue.set(url, due: due)
                model[url] = due
            case 6..<8:
                queue.remove(url)
                model[url] = nil
            default:
                now += 20
                let limit = Int.random(in: 1..<20, using: &generator)
                let taken = queue.takeDue(now: at(now), limit: limit)
                let expected = model.filter { $0.value <= at(now) }.sorted { $0.value < $1.value }.prefix(limit)
                #expect(taken.map(\.due) == expected.map(\.value), "step \(step)")
                for item in taken { model[item.url] = nil }
            }
            #expect(queue.count == model.count)
            #expect(queue.earliest == model.values.min(), "step \(step)")
        }
    }
}
