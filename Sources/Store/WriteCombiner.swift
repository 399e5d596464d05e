import Foundation
import GRDB

/// Funnels every feed update through one writer and commits those that arrive together
/// in a single transaction. Should one of them fail, the batch is written again one update
/// per transaction, so a failing one fails alone; each caller resumes once its update is
/// committed (or has failed).
///
/// Why: every transaction rewrites the index pages it touches (`sortDate` is spread over
/// the whole index), so 500 one-feed transactions wrote five times the bytes they stored.
final class WriteCombiner: @unchecked Sendable {  // `pending` and `draining` only under `lock`
    private struct Job {
        let url: String
        let update: FeedUpdate
        let prepared: [PreparedArticle]
        let continuation: CheckedContinuation<ApplySummary, any Error>
    }

    /// Updates committed together at most; bounds how long one transaction holds the writer.
    static let maximumBatch = 64

    private let writer: any DatabaseWriter
    let checkpointer: Checkpointer
    private let lock = NSLock()
    private var pending: [Job] = []
    private var draining = false
    private var roomWaiters: [CheckedContinuation<Void, Never>] = []

    /// Updates queued before `waitForRoom` makes callers wait. Parsing ahead of a busy
    /// writer only piles parsed documents in memory and takes CPU the writer needs.
    let backlogLimit: Int

    init(writer: any DatabaseWriter, checkpointer: Checkpointer, walLimit: Int64, backlogLimit: Int = 16) {
        self.writer = writer
        self.checkpointer = checkpointer
        self.walLimit = walLimit
        self.backlogLimit = max(1, backlogLimit)
    }

    func submit(url: String, update: FeedUpdate, prepared: [PreparedArticle]) async throws -> ApplySummary {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = lock.withLock { () -> Bool in
                pending.append(Job(url: url, update: update, prepared: prepared, continuation: continuation))
                guard !draining else { return false }
                draining = true
                return true
            }
            // Not a child of the caller: a cancelled poll must not abandon the others' batch.
            if startDrain { Task.detached { await self.drain() } }
        }
    }

    /// See `Store.defaultWALLimit`.
    private let walLimit: Int64

    /// Returns once the writer's queue is short enough to be worth adding to.
    func waitForRoom() async {
        await withCheckedContinuation { continuation in
            let ready = lock.withLock { () -> Bool in
                if pending.count < backlogLimit { return true }
                roomWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func drain() async {
        while true {
            let batch = lock.withLock { () -> [Job] in
                let taken = Array(pending.prefix(Self.maximumBatch))
                pending.removeFirst(taken.count)
                if taken.isEmpty { draining = false }
                return taken
            }
            // The queue was just emptied into this batch: let waiting parsers go on.
            let waiters = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                defer { roomWaiters.removeAll() }
                return roomWaiters
            }
            for waiter in waiters { waiter.resume() }
            if batch.isEmpty { return }
            let results = await write(batch)
            for (job, result) in zip(batch, results) { job.continuation.resume(with: result) }
            checkpointer.foldWAL(on: writer, ifLargerThan: walLimit)
            checkpointer.request()
        }
    }

    /// The whole batch in one transaction; should an update fail, that transaction is
    /// rolled back and each update is written again in a transaction of its own, so a
    /// failing one fails alone. Not one savepoint per update: SQLite journals every page
    /// an update first touches within a savepoint (112 MB to a temporary file for a cold
    /// 500-feed poll that stored 33 MB).
    private func write(_ batch: [Job]) async -> [Result<ApplySummary, any Error>] {
        let failure: any Error
        do {
            return try await writer.write { db in
                try batch.map { job in try Store.write(job.update, toFeed: job.url, prepared: job.prepared, in: db) }
            }.map { .success($0) }
        } catch {
            failure = error
        }
        // A full disk or a lock held elsewhere fails every update alike: trying each
        // again would only wait out the busy timeout once per update.
        guard batch.count > 1, Self.concernsOneUpdate(failure) else { return batch.map { _ in .failure(failure) } }
        var results: [Result<ApplySummary, any Error>] = []
        for job in batch {
            do {
                results.append(.success(try await writer.write { db in
                    try Store.write(job.update, toFeed: job.url, prepared: job.prepared, in: db)
                }))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Whether `error` may come from one update's content (a constraint, a value SQLite
    /// refuses) rather than from the database as a whole.
    static func concernsOneUpdate(_ error: any Error) -> Bool {
        if error is CancellationError { return false }
        guard let error = error as? DatabaseError else { return true }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_NOMEM,
             .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_CANTOPEN, .SQLITE_INTERRUPT, .SQLITE_PROTOCOL:
            return false
        default:
            return true
        }
    }
}
