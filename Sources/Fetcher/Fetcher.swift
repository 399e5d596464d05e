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
    /// Bodies held at once: transfers running plus responses delivered but not yet dropped
    /// by their callers (waiting to be parsed). While this many are held, no new transfer
    /// starts: a fast network cannot pile up hundreds of bodies in memory ahead of a
    /// slower parser. 32 by default; `memory=small` holds fewer.
    public let maximumBodies: Int
    private let multi: UnsafeMutableRawPointer

    // Shared between callers and the network thread, under `lock`.
    private let lock = NSLock()
    private var incoming: [Pending] = []
    private var cancelled = Set<UInt64>()
    private var nextID: UInt64 = 0
    private var running = true
    private var undelivered = 0
    private let finished = DispatchSemaphore(value: 0)

    // The network thread's own.
    private var active: [UInt64: (transfer: Transfer, host: String)] = [:]
    private var gate: HostGate<Pending>

    /// At most `maximumConcurrentTransfers` at once, and at most `maximumTransfersPerHost`
    /// of them to any one host; request starts to one host are spaced by each request's
    /// `hostSpacing`.
    public init(maximumConcurrentTransfers: Int = 32, maximumTransfersPerHost: Int = 2, maximumBodies: Int = 32) {
        _ = Self.globalInit
        self.maximumConcurrentTransfers = maximumConcurrentTransfers
        self.maximumBodies = max(1, maximumBodies)
        gate = HostGate(maximumPerHost: maximumTransfersPerHost)
        multi = curl_multi_init()
        // The gate already keeps to this; libcurl is told too so it never opens more
        // connections to a host than transfers we allow there.
        ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, maximumTransfersPerHost)
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
        if Task.isCancelled { throw Self.cancelledError }
        let id = lock.withLock { () -> UInt64 in nextID += 1; return nextID }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<FetchResponse, FetchError>, Never>) in
                enqueue(Pending(id: id, request: request, completion: { continuation.resume(returning: $0) }))
            }
        } onCancel: {
            cancel(id)
        }
        var response = try result.get()
        // Decoded here, in the caller's task, off the network thread. Only a success's
        // body is read; an error page may stay as it came.
        if response.isSuccess, let coding = response.header("content-encoding") {
            response.body = try ContentDecoding.decode(response.body, contentEncoding: coding,
                                                      limit: request.maximumBodySize)
        }
        return response
    }

    private func enqueue(_ pending: Pending) {
        lock.lock()
        guard running else {
            lock.unlock()
            pending.completion(.failure(Self.cancelledError))
            return
        }
        incoming.append(pending)
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
            let arrived = incoming
            incoming.removeAll()
            let cancelling = cancelled
            let bodiesRoom = maximumBodies - undelivered
            lock.unlock()

            if !stillRunning { break }
            for pending in arrived {
                let host = HostGate<Pending>.host(of: pending.request.url)
                let spacing = pending.request.hostSpacing ?? (HostGate<Pending>.isLoopback(host) ? 0 : FetchRequest.defaultHostSpacing)
                gate.add(pending, host: host, spacing: spacing)
            }
            let now = Self.monotonicSeconds()
            let room = max(0, min(maximumConcurrentTransfers - active.count, bodiesRoom - active.count))
            let admitted = gate.admit(room: room, now: now)
            for entry in admitted.started {
                start(entry.item, host: entry.host, alreadyCancelled: cancelling.contains(entry.item.id))
            }
            for id in cancelling { abort(id) }

            var runningCount: Int32 = 0
            curl_multi_perform(multi, &runningCount)
            // A finished transfer frees a slot: go round at once to start what waited for it.
            if collectFinished() > 0 && !gate.isEmpty { continue }
            // Sleep until socket activity, a wake-up (new request, cancel, shutdown), or
            // the moment a request held back by spacing may start.
            var timeout: Int32 = active.isEmpty && gate.isEmpty ? 60_000 : 1000
            if let next = admitted.nextSpacingTime {
                timeout = min(timeout, Int32(max(1, ((next - now) * 1000).rounded(.up))))
            }
            curl_multi_poll(multi, nil, 0, timeout, nil)
        }
        // Shutting down: everything still here ends as cancelled.
        for id in Array(active.keys) { abort(id) }
        let leftovers = lock.withLock { () -> [Pending] in defer { incoming.removeAll() }; return incoming } + gate.drain()
        for pending in leftovers { pending.completion(.failure(Self.cancelledError)) }
        finished.signal()
    }

    private static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    private func start(_ pending: Pending, host: String, alreadyCancelled: Bool) {
        if alreadyCancelled {
            lock.withLock { _ = cancelled.remove(pending.id) }
            gate.finished(host: host)
            pending.completion(.failure(Self.cancelledError))
            return
        }
        guard let transfer = Transfer(id: pending.id, request: pending.request, completion: pending.completion) else {
            gate.finished(host: host)
            pending.completion(.failure(FetchError(kind: .other, message: "libcurl could not create a transfer")))
            return
        }
        transfer.configure()
        curl_multi_add_handle(multi, transfer.handle)
        active[pending.id] = (transfer, host)
    }

    private func abort(_ id: UInt64) {
        guard let (transfer, host) = active.removeValue(forKey: id) else {
            // Not started yet (waiting at the gate) or already finished.
            lock.withLock { _ = cancelled.remove(id) }
            gate.remove(where: { $0.id == id })?.completion(.failure(Self.cancelledError))
            return
        }
        lock.withLock { _ = cancelled.remove(id) }
        gate.finished(host: host)
        curl_multi_remove_handle(multi, transfer.handle)
        transfer.completion(.failure(Self.cancelledError))
    }

    /// Counts a response as delivered until its caller drops it.
    private func leased(_ response: FetchResponse) -> FetchResponse {
        var response = response
        lock.withLock { undelivered += 1 }
        response.lease = Lease { [weak self] in
            guard let self else { return }
            self.lock.withLock { self.undelivered -= 1 }
            curl_multi_wakeup(self.multi)
        }
        return response
    }

    /// Completes every transfer libcurl reports done; returns how many.
    private func collectFinished() -> Int {
        var count = 0
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var raw: UnsafeMutableRawPointer?
            ccurl_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &raw)
            guard let raw else { continue }
            let transfer = Unmanaged<Transfer>.fromOpaque(raw).takeUnretainedValue()
            curl_multi_remove_handle(multi, handle)
            if let host = active.removeValue(forKey: transfer.id)?.host { gate.finished(host: host) }
            transfer.completion(transfer.result(code: code).map(leased))
            count += 1
        }
        return count
    }
}
