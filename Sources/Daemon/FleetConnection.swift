import Config
import Foundation
import PostgresStore

/// A fleet member's connections to the PostgreSQL store: a few (`size`), each used by one
/// task at a time (a transaction must not interleave with another task's statements on
/// the same connection), so polls' writes and claims do not queue behind each other on
/// one round trip at a time. A connection that broke is opened again on its next use —
/// no sooner than the backoff allows (1 s doubling to 30 s), so a server that is down is
/// not asked by every poll at once. While it is down every use fails at once with the reason.
public final class FleetConnection: @unchecked Sendable {  // mutable state only under `lock`
    public let address: PostgresAddress
    /// How many connections at most.
    public let size: Int
    private let turns: AsyncTurns
    private let lock = NSLock()
    private var stores: [PostgresStore?]
    private var backoff = Backoff()
    private var lastFailure: PostgresStore.Failure?

    public init(address: PostgresAddress, size: Int = 4) {
        self.address = address
        self.size = max(1, size)
        stores = Array(repeating: nil, count: self.size)
        turns = AsyncTurns(count: self.size)
    }

    /// What is wrong while the store cannot be reached (STATUS shows it); nil when it can.
    public var unreachable: (reason: String, retryAt: Date)? {
        lock.withLock { lastFailure.map { ($0.message, backoff.nextAttempt) } }
    }

    /// Runs `body` with a connection of its own for the while. A failure that is the
    /// connection's (not a statement's) drops it, to be opened again.
    public func use<T: Sendable>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        let slot = await turns.begin()
        defer { turns.end(slot) }
        let store = try await current(slot)
        do {
            return try await body(store)
        } catch {
            if Self.isConnectionLoss(error) || store.isClosed {
                lock.withLock {
                    stores[slot] = nil
                    if lastFailure == nil || backoff.nextAttempt < Date() {
                        lastFailure = PostgresStore.Failure(kind: .unreachable, message: "connection lost: \(error)")
                        backoff.failed(at: Date())
                    }
                }
                await store.close()
            }
            throw error
        }
    }

    /// Closes the connections (at the daemon's end), waiting for those in use.
    public func close() async {
        var slots: [Int] = []
        for _ in 0..<size { slots.append(await turns.begin()) }
        let open = lock.withLock { () -> [PostgresStore] in
            defer { stores = stores.map { _ in nil } }
            return stores.compactMap { $0 }
        }
        for store in open { await store.close() }
        for slot in slots { turns.end(slot) }
    }

    private func current(_ slot: Int) async throws -> PostgresStore {
        let state = lock.withLock { (stores[slot], lastFailure, backoff.nextAttempt) }
        if let store = state.0, !store.isClosed { return store }
        if let failure = state.1, Date() < state.2 { throw failure }
        do {
            let opened = try await PostgresStore.open(address, create: true)
            lock.withLock {
                stores[slot] = opened
                lastFailure = nil
                backoff.succeeded()
            }
            return opened
        } catch {
            lock.withLock {
                lastFailure = error
                backoff.failed(at: Date())
            }
            throw error
        }
    }

    /// A failure of the connection rather than of a statement: the server's own errors
    /// carry a SQLSTATE, and a lost claim is this daemon's news, not the connection's.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        if error is PostgresStore.ClaimLost || error is CancellationError { return false }
        return !PostgresStore.isServerError(error)
    }

    /// 1 s after the first failure, doubling to 30 s.
    struct Backoff {
        var delay: TimeInterval = 0
        var nextAttempt = Date.distantPast

        mutating func failed(at now: Date) {
            delay = delay == 0 ? 1 : min(delay * 2, 30)
            nextAttempt = now.addingTimeInterval(delay)
        }

        mutating func succeeded() {
            delay = 0
            nextAttempt = .distantPast
        }
    }
}

/// Tasks take turns at `count` slots, in order of arrival; no thread is blocked while one
/// waits. `begin` hands out a free slot's number.
final class AsyncTurns: @unchecked Sendable {  // state only under `lock`
    private let lock = NSLock()
    private var free: [Int]
    private var waiting: [CheckedContinuation<Int, Never>] = []

    init(count: Int) {
        free = Array((0..<count).reversed())
    }

    func begin() async -> Int {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            let slot = lock.withLock { () -> Int? in
                guard let slot = free.popLast() else {
                    waiting.append(continuation)
                    return nil
                }
                return slot
            }
            if let slot { continuation.resume(returning: slot) }
        }
    }

    func end(_ slot: Int) {
        let next = lock.withLock { () -> CheckedContinuation<Int, Never>? in
            if waiting.isEmpty {
                free.append(slot)
                return nil
            }
            return waiting.removeFirst()
        }
        next?.resume(returning: slot)
    }
}
