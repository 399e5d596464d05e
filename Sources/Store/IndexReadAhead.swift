import Foundation

/// The indexer's next batch, read while the current one is applied (`Store.indexPending`).
/// Reading ahead is safe: a batch is a consistent snapshot of the store, and applying
/// the one before it changes only the index file and queue entries before it.
final class IndexReadAhead: @unchecked Sendable {  // `pending` only under `lock`
    private let lock = NSLock()
    private var pending: (after: Int64, limit: Int, task: Task<SearchQueue.Batch, any Error>)?

    func start(after seq: Int64, limit: Int, _ read: @escaping @Sendable () async throws -> SearchQueue.Batch) {
        let task = Task { try await read() }
        lock.withLock { pending = (seq, limit, task) }
    }

    /// The batch read ahead when it starts after `seq` (where the index now stands) and was
    /// read with the same `limit`; nil otherwise. Whether it is still current (nothing
    /// queued since, when it had room) is the caller's check: `Store.indexPending`.
    func take(after seq: Int64, limit: Int) async throws -> SearchQueue.Batch? {
        guard let pending = lock.withLock({ () -> (after: Int64, limit: Int, task: Task<SearchQueue.Batch, any Error>)? in
            defer { self.pending = nil }
            return self.pending
        }) else { return nil }
        guard pending.after == seq, pending.limit == limit, let batch = try? await pending.task.value else { return nil }
        return batch
    }
}
