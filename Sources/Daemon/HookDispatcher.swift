import Config
import Fetcher
import Foundation
import Logging
import Store

/// Delivers what the store's outbox holds: each delivery to its hook (a program or a
/// webhook), a few at a time (`default max-deliveries=`), each within its feed's
/// `hook-timeout=`, never in the way of polling (its own fetcher, its own tasks). A
/// delivered one leaves the outbox; a failed one is tried again (`DeliveryRetry`) until
/// `hook-retry=` is over, then kept as failed. Deliveries under way when the daemon stops
/// get `stopGrace` to finish; what is left is sent after the restart (it is still in the
/// outbox).
public final class HookDispatcher: @unchecked Sendable {  // mutable state only under `lock`
    /// A hook as feeds.conf configures it, ready to deliver to.
    struct Target {
        var hook: HookConfig
        var timeout: Int
        var retryFor: TimeInterval
        var backoff: TimeInterval = DeliveryRetry.first
        var secret: [UInt8]?
        /// Why the webhook's secret could not be read (deliveries wait for it to be fixed).
        var secretProblem: String?
    }

    let store: Store
    let fetcher: Fetcher
    let logger: Logger
    /// How long deliveries under way may go on once the daemon is asked to stop (inside
    /// the unit's TimeoutStopSec=10s).
    public var stopGrace: TimeInterval = 7
    /// How long the loop rests at most without being woken (deliveries retried, `hooks retry`).
    public var idleCheck: TimeInterval = 2

    private let lock = NSLock()
    private var targets: [String: Target] = [:]
    private var concurrency = 4
    private var inFlight: [Int64: Task<Void, Never>] = [:]
    /// Targets whose last delivery failed: said once when they start failing and once when
    /// they deliver again, not once per article.
    private var failingTargets = Set<String>()
    private let signal = WakeSignal()

    public init(store: Store, configuration: Configuration, logger: Logger, fetcher: Fetcher? = nil) {
        self.store = store
        self.logger = logger
        // Its own transfers: a slow receiver never takes a feed's place.
        self.fetcher = fetcher ?? Fetcher(maximumConcurrentTransfers: 16, maximumTransfersPerHost: 8, maximumBodies: 32)
        configure(configuration)
    }

    /// The hooks of `configuration` (at start and at each reload).
    public func configure(_ configuration: Configuration) {
        var targets: [String: Target] = [:]
        for feed in configuration.feeds {
            for hook in feed.hooks where targets[hook.target] == nil {
                var target = Target(hook: hook, timeout: feed.hookTimeout, retryFor: TimeInterval(feed.hookRetry),
                                    backoff: TimeInterval(feed.hookBackoff))
                if case .webhook(_, let secretFile?) = hook.action {
                    switch Self.readSecret(secretFile) {
                    case .success(let secret): target.secret = secret
                    case .failure(let problem):
                        target.secretProblem = problem.message
                        logger.error("\(problem.message)")
                    }
                }
                targets[hook.target] = target
            }
        }
        lock.withLock {
            self.targets = targets
            concurrency = configuration.network.maximumDeliveries
        }
        signal.fire()
    }

    /// The secret in `path`, without a final line break; empty or unreadable is a problem.
    static func readSecret(_ path: String) -> Result<[UInt8], ConfigProblem> {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = access(path, F_OK) == 0 ? "permission denied" : "no such file"
            return .failure(ConfigProblem("webhook-secret-file \(path): cannot read it (\(reason)); its webhook deliveries wait"))
        }
        var bytes = [UInt8](data)
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        guard !bytes.isEmpty else { return .failure(ConfigProblem("webhook-secret-file \(path) is empty; its webhook deliveries wait")) }
        return .success(bytes)
    }

    /// Ends the hooks' own transfers (after `run` or `drain`).
    public func shutdown() { fetcher.shutdown() }

    /// Something may be due (an article was stored with a hook): look now.
    public func wake() { signal.fire() }

    /// Delivers until the calling task is cancelled; then lets deliveries under way finish
    /// (within `stopGrace`) and returns.
    public func run() async {
        while !Task.isCancelled {
            startDue()
            let next = (try? store.nextDeliveryDue()) ?? nil
            let rest = min(max(next.map { $0.timeIntervalSinceNow } ?? idleCheck, 0.01), idleCheck)
            await signal.wait(seconds: rest)
        }
        await finishInFlight(within: stopGrace)
    }

    /// For `aggregator fetch`: delivers what is due now and waits for it, for at most
    /// `seconds`; how many deliveries are still pending after.
    public func drain(within seconds: TimeInterval) async -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            startDue()
            let busy = lock.withLock { !inFlight.isEmpty }
            let due = ((try? store.nextDeliveryDue()) ?? nil).map { $0 <= Date() } ?? false
            if !busy && !due { break }
            await signal.wait(seconds: 0.05)
        }
        await finishInFlight(within: max(0, deadline.timeIntervalSinceNow))
        return (try? store.deliveryCounts().pending) ?? 0
    }

    private func startDue() {
        let (room, busy) = lock.withLock { (concurrency - inFlight.count, Set(inFlight.keys)) }
        guard room > 0, let due = try? store.dueDeliveries(now: Date(), limit: room, excluding: busy), !due.isEmpty else { return }
        lock.withLock {
            for delivery in due where inFlight[delivery.seq] == nil {
                // Unstructured: stopping the daemon must not cancel a delivery half sent.
                inFlight[delivery.seq] = Task.detached { [self] in
                    await deliver(delivery)
                    lock.withLock { inFlight[delivery.seq] = nil }
                    signal.fire()
                }
            }
        }
    }

    private func finishInFlight(within seconds: TimeInterval) async {
        let deadline = Date().addingTimeInterval(seconds)
        while lock.withLock({ !inFlight.isEmpty }) && Date() < deadline {
            await signal.wait(seconds: 0.05)
        }
        let left = lock.withLock { inFlight.count }
        if left > 0 { logger.notice("stopping with \(left) hook deliveries under way; they are sent again after the restart") }
    }

    func deliver(_ delivery: Delivery) async {
        let target = lock.withLock { targets[delivery.target] }
        guard let target else {
            try? await store.deliveryFailed(delivery.seq, error: "its hook is no longer in feeds.conf", retryAt: nil)
            return
        }
        // An article pruned meanwhile has nothing left to deliver.
        guard let article = try? store.article(id: delivery.articleID) else {
            try? await store.deliveryDone(delivery.seq)
            return
        }
        let body = [UInt8](ArticleJSON.data(article))
        let problem: String?
        switch target.hook.action {
        case .exec(let argv):
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                "LANG": "C.UTF-8",
                "AGGREGATOR_FEED_URL": delivery.feedURL,
                "AGGREGATOR_EVENT": delivery.event,
                "AGGREGATOR_DELIVERY_ID": delivery.id,
                "AGGREGATOR_ARTICLE_ID": String(delivery.articleID),
            ]
            problem = await ExecHook.run(argv, input: body, environment: environment, timeout: TimeInterval(target.timeout)).problem
        case .webhook(let url, _):
            if let secretProblem = target.secretProblem {
                problem = secretProblem
            } else {
                let request = Webhook.request(url: url, body: body, deliveryID: delivery.id, event: delivery.event,
                                              secret: target.secret, timeout: target.timeout)
                let result: Result<FetchResponse, FetchError>
                do { result = .success(try await fetcher.fetch(request)) } catch { result = .failure(error) }
                problem = Webhook.problem(with: result)
            }
        }
        await record(delivery, target: target, problem: problem)
    }

    private func record(_ delivery: Delivery, target: Target, problem: String?) async {
        let name = LogRedaction.redact(target.hook.summary)  // a webhook URL may carry a token
        guard let problem else {
            try? await store.deliveryDone(delivery.seq)
            if lock.withLock({ failingTargets.remove(delivery.target) != nil }) {
                logger.notice("hook \(name): delivering again")
            }
            return
        }
        let now = Date()
        let retryAt = DeliveryRetry.next(afterAttempts: delivery.attempts + 1, queuedAt: delivery.createdAt, now: now,
                                         retryFor: target.retryFor, first: target.backoff)
        try? await store.deliveryFailed(delivery.seq, error: problem, retryAt: retryAt)
        let first = lock.withLock { failingTargets.insert(delivery.target).inserted }
        if retryAt == nil {
            let line = "hook \(name): delivery \(delivery.id) (article \(delivery.articleID)) failed for "
                + "\(Interval.format(seconds: Int(target.retryFor))): \(problem); kept as failed (aggregator hooks retry)"
            logger.error("\(line)")
        } else if first {
            logger.warning("hook \(name): \(problem); deliveries are tried again with backoff (aggregator hooks shows them)")
        }
    }
}

/// Wakes one waiter, or the next one to wait; a wait also ends after its time.
final class WakeSignal: @unchecked Sendable {  // state only under `lock`
    private let lock = NSLock()
    private var pending = false
    private var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
    private var nextID: UInt64 = 0

    func fire() {
        let resume = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            guard let waiter else {
                pending = true
                return nil
            }
            self.waiter = nil
            return waiter.continuation
        }
        resume?.resume()
    }

    func wait(seconds: TimeInterval) async {
        let id = lock.withLock { () -> UInt64 in nextID += 1; return nextID }
        let timer = Task { [self] in
            try? await Task.sleep(nanoseconds: UInt64(max(seconds, 0) * 1e9))
            let resume = lock.withLock { () -> CheckedContinuation<Void, Never>? in
                guard let waiter, waiter.id == id else { return nil }
                self.waiter = nil
                return waiter.continuation
            }
            resume?.resume()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = lock.withLock { () -> Bool in
                    if pending {
                        pending = false
                        return true
                    }
                    waiter = (id, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let resume = lock.withLock { () -> CheckedContinuation<Void, Never>? in
                guard let waiter, waiter.id == id else { return nil }
                self.waiter = nil
                return waiter.continuation
            }
            resume?.resume()
        }
        timer.cancel()
    }
}
