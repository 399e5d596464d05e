import Daemon

/// The tally `aggregator fetch` keeps as polls end: a live line on a terminal, the
/// closing summary everywhere.
struct FetchProgress {
    let total: Int
    var done = 0
    var inserted = 0
    var updated = 0
    var notModified = 0
    var failed = 0
    var gone = 0
    var deferred = 0

    mutating func add(_ report: PollReport) {
        done += 1
        switch report.outcome {
        case .fetched(let new, let changed): inserted += new; updated += changed
        case .notModified, .unchanged: notModified += 1
        case .deferred: deferred += 1
        case .gone: gone += 1
        case .failed, .cancelled, .notStored: failed += 1
        }
    }

    /// `[120/500] 45 new, 3 updated, 2 failed`
    var line: String {
        var parts = ["\(inserted) new", "\(updated) updated"]
        if failed > 0 { parts.append("\(failed) failed") }
        return "[\(done)/\(total)] " + parts.joined(separator: ", ")
    }

    var summary: String {
        let fetched = done - failed - notModified - gone - deferred
        var text = "\(done) feeds: \(fetched) fetched, \(notModified) not modified, \(failed) failed"
        if gone > 0 { text += ", \(gone) gone" }
        if deferred > 0 { text += ", \(deferred) deferred" }
        return text + "; \(inserted) new and \(updated) updated articles"
    }

    /// Non-zero exit only when every feed failed (or is gone).
    var everythingFailed: Bool { total > 0 && failed + gone == total }
}
