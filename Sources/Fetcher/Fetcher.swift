import CCurlShims
import Foundation

/// Fetches feeds with libcurl's multi interface: one network thread drives every
/// transfer (no thread per feed), connections are reused between polls, and callers
/// simply `await fetch(_:)`. Never parses: bytes out, classified errors out.
public final class Fetcher: @unchecked Sendable {
    private typealias Completion = @Sendable (Result<FetchResponse, FetchError>) -> Void
    private struct Pending {
        let id: UInt64
        let request: FetchRequest
        let completion: Completion
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public let maximumConcurrentTransfers: Int
    private let multi: UnsafeMutableRawPointer

    // Shared between callers and the network thread, under `lock`.
    private let lock = NSLock()
    private var queue: [Pending] = []
    private var cancelled = Set<UInt64>()
    private var nextID: UInt64 = 0
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    // The network thread's own.
    private var active: [UInt64: Transfer] = [:]

    public init(maximumConcurrentTransfers: Int = 32, maximumConnectionsPerHost: Int = 2) {
        _ = Self.globalInit
        self.maximumConcurrentTransfers = maximumConcurrentTransfers
        multi = curl_multi_init()
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maximumConnectionsPerHost)
        let thread = Thread { [self] in runLoop() }
        thread.name = "aggregator-network"
        thread.start()
    }

    deinit {
        shutdown()
        curl_multi_cleanup(multi)
    }

    /// Stops the network thread; transfers still queued or running end as `.cancelled`.
    public func shutdown() {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        guard wasRunning else { return }
        curl_multi_wakeup(multi)
        finished.wait()
    }

    /// Fetches one URL. Cancelling the calling task aborts the transfer.
    public func fetch(_ request: FetchRequest) async throws(FetchError) -> FetchResponse {
        let id = lock.withLock { () -> UInt64 in nextID += 1; return nextID }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<FetchResponse, FetchError>, Never>) in
                enqueue(Pending(id: id, request: request, completion: { continuation.resume(returning: $0) }))
            }
        } onCancel: {
            cancel(id)
        }
        return try result.get()
    }

    private func enqueue(_ pending: Pending) {
        lock.lock()
        guard running else {
            lock.unlock()
            pending.completion(.failure(Self.cancelledError))
            return
        }
        queue.append(pending)
        lock.unlock()
        curl_multi_wakeup(multi)
    }

    private func cancel(_ id: UInt64) {
        lock.withLock { _ = cancelled.insert(id) }
        curl_multi_wakeup(multi)
    }

    private static let cancelledError = FetchError(kind: .cancelled, message: "cancelled")

    // MARK: The network thread

    private func runLoop() {
        while true {
            lock.lock()
            let stillRunning = running
            let room = max(0, maximumConcurrentTransfers - active.count)
            let starting = Array(queue.prefix(room))
            queue.removeFirst(starting.count)
            let cancelling = cancelled
            lock.unlock()

            if !stillRunning { break }
            for pending in starting { start(pending, alreadyCancelled: cancelling.contains(pending.id)) }
            for id in cancelling { abort(id) }

            var runningCount: Int32 = 0
            curl_multi_perform(multi, &runningCount)
            collectFinished()
            if active.isEmpty && lock.withLock({ queue.isEmpty && running && cancelled.isEmpty }) {
                curl_multi_poll(multi, nil, 0, 60_000, nil)
            } else {
                curl_multi_poll(multi, nil, 0, 1000, nil)
            }
        }
        // Shutting down: everything still here ends as cancelled.
        for id in Array(active.keys) { abort(id, force: true) }
        let leftovers = lock.withLock { () -> [Pending] in defer { queue.removeAll() }; return queue }
        for pending in leftovers { pending.completion(.failure(Self.cancelledError)) }
        finished.signal()
    }

    private func start(_ pending: Pending, alreadyCancelled: Bool) {
        if alreadyCancelled {
            lock.withLock { _ = cancelled.remove(pending.id) }
            pending.completion(.failure(Self.cancelledError))
            return
        }
        guard let transfer = Transfer(id: pending.id, request: pending.request, completion: pending.completion) else {
            pending.completion(.failure(FetchError(kind: .other, message: "libcurl could not create a transfer")))
            return
        }
        transfer.configure()
        curl_multi_add_handle(multi, transfer.handle)
        active[pending.id] = transfer
    }

    private func abort(_ id: UInt64, force: Bool = false) {
        guard let transfer = active.removeValue(forKey: id) else {
            // Not started yet (still queued) or already finished.
            let queued = lock.withLock { () -> Pending? in
                guard let index = queue.firstIndex(where: { $0.id == id }) else {
                    if !force { cancelled.remove(id) }
                    return nil
                }
                cancelled.remove(id)
                return queue.remove(at: index)
            }
            queued?.completion(.failure(Self.cancelledError))
            return
        }
        lock.withLock { _ = cancelled.remove(id) }
        curl_multi_remove_handle(multi, transfer.handle)
        transfer.completion(.failure(Self.cancelledError))
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var raw: UnsafeMutableRawPointer?
            ccurl_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &raw)
            guard let raw else { continue }
            let transfer = Unmanaged<Transfer>.fromOpaque(raw).takeUnretainedValue()
            curl_multi_remove_handle(multi, handle)
            active.removeValue(forKey: transfer.id)
            transfer.completion(transfer.result(code: code))
        }
    }
}
