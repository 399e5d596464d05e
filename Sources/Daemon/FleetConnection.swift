import Config
import Foundation
import PostgresStore

/// A fleet member's one connection to the PostgreSQL store: its users take turns (a
/// transaction must not interleave with another task's statements on the same
/// connection), and a connection that broke is opened again on the next use — no sooner
/// than the backoff allows (1 s doubling to 30 s), so a server that is down is not asked
/// by every poll at once. While it is down every use fails at once with the reason.
public final class FleetConnection: @unchecked Sendable {  // mutable state only under `lock`
    public let address: PostgresAddress
    private let turns = AsyncTurns()
    private let lock = NSLock()
    private var store: PostgresStore?
    private var backoff = Backoff()
    private var lastFailure: PostgresStore.Failure?

    public init(address: PostgresAddress) {
        self.address = address
    }

    /// What is wrong while the store cannot be reached (STATUS shows it); nil when it can.
    public var unreachable: (reason: String, retryAt: Date)? {
        lock.withLock { lastFailure.map { ($0.message, backoff.nextAttempt) } }
    }

    /// Runs `body` with the connection, alone. A failure that is the connection's (not a
    /// statement's) drops it, to be opened again.
    public func use<T: Sendable>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        await turns.begin()
        defer { turns.end() }
        let store = try await current()
        do {
            return try await body(store)
        } catch {
            if Self.isConnectionLoss(error) || store.isClosed {
                lock.withLock {
                    self.store = nil
                    lastFailure = PostgresStore.Failure(kind: .unreachable, message: "connection lost: \(error)")
                    backoff.failed(at: Date())
                }
                await store.close()
            }
            throw error
        }
    }

    /// Closes the connection (at the daemon's end).
    public func close() async {
        await turns.begin()
        defer { turns.end() }
        let store = lock.withLock { () -> PostgresStore? in
            defer { self.store = nil }
            return self.store
        }
        await store?.close()
    }

    private func current() async throws -> PostgresStore {
        let state = lock.withLock { (store, lastFailure, backoff.nextAttempt) }
        if let store = state.0, !store.isClosed { return store }
        if let failure = state.1, Date() < state.2 { throw failure }
        do {
            let opened = try await PostgresStore.open(address, create: true)
            lock.withLock {
                store = opened
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

/// Tasks take turns, in order of arrival; no thread is blocked while one waits.
final class AsyncTurns: @unchecked Sendable {  // state only under `lock`
    private let lock = NSLock()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func begin() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = lock.withLock { () -> Bool in
                if busy {
                    waiting.append(continuation)
                    return false
                }
                busy = true
                return true
            }
            if now { continuation.resume() }
        }
    }

    func end() {
        let next = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            if waiting.isEmpty {
                busy = false
                return nil
            }
            return waiting.removeFirst()
        }
        next?.resume()
    }
}
