import Foundation
import GRDB

/// Copies the WAL back into the database on its own connection and thread, so the one
/// writer never waits for a checkpoint's fsyncs (70 ms a time on a slow disk, during which
/// every poll behind the writer stood still). PASSIVE: it never blocks the writer or
/// readers. Requests that arrive while one runs collapse into one more run.
final class Checkpointer: @unchecked Sendable {  // `running` and `requested` only under `lock`
    private let connection: DatabaseQueue
    private let queue = DispatchQueue(label: "aggregator-checkpoint")
    private let lock = NSLock()
    private var running = false
    private var requested = false
    private var lastRun = DispatchTime(uptimeNanoseconds: 0)
    /// At most one checkpoint a second: each one fsyncs twice, and commits come far more often.
    static let minimumSpacing: UInt64 = 1_000_000_000

    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    func request() {
        let start = lock.withLock { () -> Bool in
            if !running, DispatchTime.now().uptimeNanoseconds - lastRun.uptimeNanoseconds < Self.minimumSpacing {
                return false  // the WAL just grows a little; the next request after the spacing folds it in
            }
            if running {
                requested = true
                return false
            }
            running = true
            return true
        }
        if start { queue.async { self.run() } }
    }

    /// Returns once no checkpoint is running (the next `request` may start one again).
    func waitUntilIdle() {
        queue.sync {}
    }

    private func run() {
        while true {
            lock.withLock {
                requested = false
                lastRun = DispatchTime.now()
            }
            // A failure (busy, disk) is retried at the next request; the writer never depends on it.
            try? connection.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            let again = lock.withLock { () -> Bool in
                if requested && DispatchTime.now().uptimeNanoseconds - lastRun.uptimeNanoseconds >= Self.minimumSpacing {
                    return true
                }
                running = false
                return false
            }
            if !again { return }
        }
    }
}
