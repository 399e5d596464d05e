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
    private var walSizeAtLastRun: Int64 = 0
    private let walPath: String
    /// At most one checkpoint a second (each one fsyncs twice, and commits come far more
    /// often) — unless the WAL grew by `walGrowth` since the last one: under a burst of
    /// commits (a cold poll writes 60 MB of WAL in a second and a half) the checkpoints keep
    /// up in the background, and the final one (`Store.finishWriting`) finds little left
    /// to write out: 0.15 s less at the end of a cold 500-feed `fetch`.
    static let minimumSpacing: UInt64 = 1_000_000_000
    static let walGrowth: Int64 = 4 * 1024 * 1024

    init(path: String) throws {
        walPath = path + "-wal"
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try PersistentWAL.keep(on: db) }  // it may close last
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    func request() {
        let start = lock.withLock { () -> Bool in
            if running {
                requested = true
                return false
            }
            guard isDue() else { return false }  // the WAL just grows a little; a later request folds it in
            running = true
            return true
        }
        if start { queue.async { self.run() } }
    }

    /// Under `lock`.
    private func isDue() -> Bool {
        DispatchTime.now().uptimeNanoseconds - lastRun.uptimeNanoseconds >= Self.minimumSpacing
            || walSize() - walSizeAtLastRun >= Self.walGrowth
    }

    /// The WAL file's size: it grows while commits follow each other without a pause (the
    /// WAL starts over only after a checkpoint caught up with it), so growth is new writes.
    private func walSize() -> Int64 {
        var info = stat()
        return stat(walPath, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Folds the whole WAL back into the database and empties it, on `writer` (the
    /// connection that writes this file), once any running checkpoint has ended (two at
    /// once make one fail at once: SQLITE_BUSY).
    func foldWAL(on writer: any DatabaseWriter) {
        writer.writeWithoutTransaction { db in foldWAL(in: db) }
    }

    /// The same once the WAL has grown past `limit`: checkpoints in the background cannot
    /// empty a WAL that commits keep growing (see `Store.defaultWALLimit`).
    func foldWAL(on writer: any DatabaseWriter, ifLargerThan limit: Int64) {
        if isLarger(than: limit) { foldWAL(on: writer) }
    }

    /// The fold itself, on the writer's connection `db` (outside a transaction).
    func foldWAL(in db: Database) {
        waitUntilIdle()
        _ = try? Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    }

    func isLarger(than limit: Int64) -> Bool { walSize() > limit }

    /// Returns once no checkpoint is running (the next `request` may start one again).
    func waitUntilIdle() {
        queue.sync {}
    }

    private func run() {
        while true {
            lock.withLock {
                requested = false
                lastRun = DispatchTime.now()
                walSizeAtLastRun = walSize()
            }
            // A failure (busy, disk) is retried at the next request; the writer never depends on it.
            try? connection.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            let again = lock.withLock { () -> Bool in
                if requested && isDue() { return true }
                running = false
                return false
            }
            if !again { return }
        }
    }
}
