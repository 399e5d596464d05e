import Config
import Fetcher
import Foundation
import Logging
import Store

/// The long-running poll loop: each feed is polled when due, several at once, and the
/// next due time of each is kept in the store so a restart does not refetch everything.
/// Reloads feeds.conf when asked (`requestReload`: SIGHUP or the file watcher), pets
/// systemd's watchdog while the loop runs, and pauses polling while the store cannot
/// take writes (`StorageHealth`), probing until it can.
public final class Daemon: Sendable {
    let initialConfiguration: Configuration
    let store: Store
    let poller: FeedPoller
    let notifier: SystemdNotifier
    let logger: Logger
    let reloads = ReloadRequests()
    /// Half of `WATCHDOG_USEC`, when systemd asked for keep-alives.
    let watchdogInterval: TimeInterval?
    /// Whether READY=1 was sent before the loop began (while waiting for the store).
    let readyAlreadySent: Bool
    /// Delivers the outbox to the feeds' hooks, alongside the polls.
    let hooks: HookDispatcher?

    /// `poller` writes to `store`, which is open.
    public init(configuration: Configuration, store: Store, poller: FeedPoller, notifier: SystemdNotifier, logger: Logger,
                readyAlreadySent: Bool = false, hooks: HookDispatcher? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.readyAlreadySent = readyAlreadySent
        self.hooks = hooks
        self.initialConfiguration = configuration
        self.store = store
        self.poller = poller
        self.notifier = notifier
        self.logger = logger
        watchdogInterval = Self.watchdogInterval(environment: environment)
    }

    /// Asks the running loop to re-read feeds.conf (from a signal handler or a watcher).
    public func requestReload() {
        reloads.request()
    }

    /// `WATCHDOG_USEC` halved, as sd_watchdog_enabled advises; nil when not set or when
    /// `WATCHDOG_PID` names another process.
    public static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> TimeInterval? {
        guard let text = environment["WATCHDOG_USEC"], let usec = Double(text), usec > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], let number = Int32(pid), number != getpid() { return nil }
        return usec / 2 / 1_000_000
    }

    private enum Event: Sendable {
        case polled(PollReport)
        case wake
        case reload
        case watchdog
        case pruned(PruneSummary?)
        case probed(StorageFault?)
        /// No poll under way for `quietBeforeRelease`: memory the polls freed is given back.
        case quiet
    }

    /// Seconds without a poll under way before freed memory is given back.
    static let quietBeforeRelease: TimeInterval = 5
    /// During a long burst of polls memory is given back this often (seconds).
    static let busyReleaseInterval: TimeInterval = 2
    /// Seconds until the next poll past which the daemon counts as idle and lets its code pages go.
    static let idleBeforeCodeRelease: TimeInterval = 30
    /// The indexer looks at the queue at least this often even when no poll stored anything.
    static let indexLookInterval: TimeInterval = 3600

    /// Retention runs a minute after start (not in the way of the first polls), then daily.
    static let pruneDelay: TimeInterval = 60
    static let pruneInterval: TimeInterval = 86_400

    /// Runs until the calling task is cancelled (SIGTERM); polls under way are cancelled
    /// too, and a store transaction already started is allowed to finish.
    public func run() async {
        var configuration = initialConfiguration
        var poller = self.poller
        let store = self.store
        // The running configuration's feeds by URL: their place in `configuration.feeds`.
        var feedIndex = FeedChanges.index(of: configuration.feeds)
        func feed(_ url: String) -> FeedConfig? { feedIndex[url].map { configuration.feeds[$0] } }
        // Feeds waiting for their next poll; a feed being polled is in `inFlight` instead.
        var queue = DueQueue()
        // Polls under way, by feed: cancelled when the store stops taking writes, so those
        // still waiting for a connection download nothing that could not be kept.
        var inFlight = [String: Task<PollReport, Never>]()
        let launchLimit = Self.launchLimit(for: configuration.network)
        func schedule(_ list: [FeedConfig]) {
            let now = Date()
            let waiting = list.filter { !queue.contains($0.url) && inFlight[$0.url] == nil }
            // Many at once (the start, a reload adding many): one read of every feed's state
            // instead of one query each.
            let states: [String: FeedState]? = waiting.count > 32
                ? (try? store.feeds()).map { Dictionary($0.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first }) } : nil
            for feed in waiting {
                let state = states.map { $0[feed.url] } ?? (try? store.feed(url: feed.url))
                queue.set(feed.url, due: Scheduler.dueDate(for: state, interval: feed.interval, now: now))
            }
        }
        schedule(configuration.feeds)
        var failing = Set<String>()
        var configProblem: String?
        var health = StorageHealth()
        // Feeds whose last poll could not be stored: polled again once writes succeed.
        var unstored = Set<String>()
        // How late the latest poll started after its due time: a daemon that cannot keep up says so.
        var lateness: TimeInterval = 0
        func status() -> String {
            if let paused = health.status { return "STATUS=" + paused }
            var text = "polling \(feedIndex.count) feeds, \(failing.count) failing"
            if let next = queue.earliest {
                let seconds = max(0, Int(next.timeIntervalSinceNow.rounded(.up)))
                text += seconds < 86_400 ? ", next poll in \(Interval.format(seconds: max(seconds, 1)))" : ""
            }
            if lateness >= Self.behindThreshold {
                text += "; behind: polls start up to \(Interval.format(seconds: Int(lateness))) late"
            }
            if let configProblem { text += "; feeds.conf NOT reloaded: \(configProblem)" }
            return "STATUS=" + text
        }
        notifier.send((readyAlreadySent ? "" : "READY=1\n") + status())
        logger.info("started: \(feedIndex.count) feeds from \(configuration.path), store \(store.path)")

        let (indexWakes, wakeIndexer) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        // When memory was last given back, and whether a release waits for the loop to be quiet.
        var lastRelease = Date()
        var releasePending = false
        await withTaskGroup(of: Event.self) { group in
            var earliestWake: Date?
            /// A `.quiet` event after `quietBeforeRelease`, unless one is pending.
            func releaseWhenQuiet() {
                guard !releasePending else { return }
                releasePending = true
                group.addTask {
                    try? await Task.sleep(nanoseconds: UInt64(Self.quietBeforeRelease * 1e9))
                    return .quiet
                }
            }
            group.addTask { [reloads] in await reloads.next() ? .reload : .wake }
            if watchdogInterval != nil {
                group.addTask { .watchdog }  // the first keep-alive at once
            }
            // Full-text indexing of what was stored, alongside the polls: a batch at a time
            // into the index's own file (its own writer), resting while nothing waits until
            // a poll stores something — an idle daemon does not wake every few seconds to
            // look — or, for what else queues changes (`aggregator prune` run beside it), an
            // hour has passed.
            group.addTask {
                var wakes = indexWakes.makeAsyncIterator()
                while !Task.isCancelled {
                    let indexed = (try? await store.indexPending()) ?? 0
                    guard indexed == 0 else { continue }
                    // Nothing waits: merge the index a step at a time (new articles come first).
                    if (try? await store.tidySearchIndex()) == true { continue }
                    guard await wakes.next() != nil else { break }
                }
                return .wake
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(Self.indexLookInterval * 1e9))
                    wakeIndexer.yield()
                }
                return .wake
            }
            // Hook deliveries, alongside: its own tasks and transfers, woken by what is stored.
            if let hooks {
                group.addTask {
                    await hooks.run()
                    return .wake
                }
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(Self.pruneDelay * 1e9))
                return .pruned(Task.isCancelled ? nil : try? await store.prune())
            }

            var probing = false
            while !Task.isCancelled {
                let now = Date()
                // While the store takes no writes, nothing is downloaded that could not be kept.
                // At most `launchLimit` polls under way: the rest wait in the queue, not as
                // tasks queued at the fetcher (100,000 of those held gigabytes).
                if health.pollsAllowed {
                    for (url, dueAt) in queue.takeDue(now: now, limit: launchLimit - inFlight.count) {
                        guard let feed = feed(url) else { continue }
                        lateness = now.timeIntervalSince(dueAt)
                        let poll = Task { [poller] in await poller.poll(feed) }
                        inFlight[url] = poll
                        group.addTask { .polled(await poll.value) }
                    }
                } else if !probing, let next = health.nextProbe {
                    probing = true
                    group.addTask {
                        try? await Task.sleep(nanoseconds: UInt64(max(0, next.timeIntervalSinceNow) * 1e9))
                        return .probed(Task.isCancelled ? nil : await store.probeWrites())
                    }
                }
                // Sleep until the next waiting feed falls due (when a poll may start: with
                // every slot taken, a finishing poll wakes the loop); an earlier wake-up
                // already pending covers it.
                let waiting = health.pollsAllowed && inFlight.count < launchLimit ? queue.earliest : nil
                // With nothing to poll (an empty feeds.conf, or polling paused) the daemon
                // idles until stopped, reloaded or probed.
                let idle = waiting == nil && inFlight.isEmpty ? Date().addingTimeInterval(3600) : nil
                if let next = waiting ?? idle, earliestWake.map({ next < $0 }) ?? true {
                    earliestWake = next
                    group.addTask {
                        // Capped: a gone feed is due in the distant future, beyond what fits in nanoseconds.
                        let delay = min(max(0, next.timeIntervalSinceNow), 3600)
                        try? await Task.sleep(nanoseconds: UInt64(delay * 1e9) + 1_000_000)
                        return .wake
                    }
                }
                guard let event = await group.next() else { break }
                switch event {
                case .wake:
                    if let wake = earliestWake, wake <= Date() { earliestWake = nil }
                case .polled(let report):
                    inFlight[report.url] = nil
                    if report.outcome == .cancelled {
                        // Cancelled while the store took no writes: polled again on resuming.
                        if !Task.isCancelled, feedIndex[report.url] != nil { queue.set(report.url, due: Date()) }
                        continue
                    }
                    // A feed removed by a reload while it was being polled stays removed.
                    guard let feed = feed(report.url) else { continue }
                    // The one place a poll's result becomes the daemon's state — and only a
                    // stored one: what a poll learnt but could not store counts for nothing.
                    if case .notStored = report.outcome {
                        unstored.insert(report.url)
                        if let fault = report.storageFault {
                            // Not queued: polled again once writes succeed.
                            if let line = health.writeFailed(fault, at: Date()) {
                                logger.error("\(line)")
                                for poll in inFlight.values { poll.cancel() }  // polled again on resuming
                            }
                        } else {
                            // This update's own failure (logged by the poller): tried again later.
                            queue.set(report.url, due: Date().addingTimeInterval(Double(min(feed.interval, 300))))
                        }
                    } else {
                        unstored.remove(report.url)
                        queue.set(report.url, due: report.nextDue)
                        if case .fetched(let inserted, let updated) = report.outcome, inserted + updated > 0 {
                            hooks?.wake()
                            wakeIndexer.yield()
                        }
                        if report.failed { failing.insert(report.url) } else { failing.remove(report.url) }
                    }
                    notifier.send(status())
                    // Memory a burst of polls freed goes back to the system: during a long
                    // burst every few seconds, after it once the loop is quiet.
                    if Date().timeIntervalSince(lastRelease) >= Self.busyReleaseInterval {
                        lastRelease = Date()
                        store.releaseMemory()
                        ProcessMemory.releaseFreedHeap()
                    }
                    if inFlight.isEmpty { releaseWhenQuiet() }
                case .quiet:
                    releasePending = false
                    guard inFlight.isEmpty, !Task.isCancelled else { break }
                    lastRelease = Date()
                    store.releaseMemory()
                    ProcessMemory.releaseFreedHeap()
                    // Idle until the next poll: the code that ran need not stay mapped.
                    if (queue.earliest?.timeIntervalSinceNow ?? .infinity) > Self.idleBeforeCodeRelease {
                        ProcessMemory.releaseCodePages()
                    }
                case .probed(let fault):
                    probing = false
                    if Task.isCancelled { break }
                    if let fault {
                        health.probeFailed(fault, at: Date())
                    } else {
                        let free = Volume.of(directory: store.directory).freeBytes
                        if let line = health.probeSucceeded(at: Date(), freeBytes: free) { logger.notice("\(line)") }
                        let now = Date()
                        for url in unstored where feedIndex[url] != nil && inFlight[url] == nil { queue.set(url, due: now) }
                        earliestWake = nil
                    }
                    notifier.send(status())
                case .reload:
                    if Task.isCancelled { break }
                    group.addTask { [reloads] in await reloads.next() ? .reload : .wake }
                    notifier.send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
                    switch reload(from: configuration, index: feedIndex) {
                    case .failure(let problem):
                        configProblem = problem.description
                    case .success(let (next, changes)):
                        configProblem = nil
                        for url in changes.removed {
                            queue.remove(url)
                            failing.remove(url)
                        }
                        // A feed whose settings changed is due by its new interval from its last fetch.
                        for feed in changes.changed { queue.remove(feed.url) }
                        configuration = next
                        feedIndex = changes.index
                        hooks?.configure(next)
                        poller.hostSpacing = next.network.hostSpacing
                        schedule(changes.changed)
                        earliestWake = nil
                    }
                    notifier.send("READY=1\n" + status())
                case .pruned(let summary):
                    if let summary, summary.articles > 0 {
                        wakeIndexer.yield()  // the pruned articles leave the index
                        logger.notice("pruned \(summary.articles) articles from \(summary.feeds) feeds (keep=), \(summary.bytesFreed / 1024) KiB freed")
                    }
                    if Task.isCancelled { break }
                    releaseWhenQuiet()
                    group.addTask {
                        try? await Task.sleep(nanoseconds: UInt64(Self.pruneInterval * 1e9))
                        return .pruned(Task.isCancelled ? nil : try? await store.prune())
                    }
                case .watchdog:
                    guard let interval = watchdogInterval else { break }
                    // The loop is alive: that is all the keep-alive means. A store that takes
                    // no writes is a state the loop handles (polling paused, probing), which
                    // a restart would not cure.
                    notifier.send("WATCHDOG=1")
                    group.addTask {
                        try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                        return .watchdog
                    }
                }
            }
            notifier.send("STOPPING=1")
            reloads.finish()
            group.cancelAll()
        }
    }

    /// Polls under way at most (started, or waiting at the fetcher for a connection): eight
    /// for each transfer, so the fetcher always has the next ones at hand.
    static func launchLimit(for network: NetworkSettings) -> Int {
        max(64, network.maximumTransfers * 8)
    }

    /// A poll starting this much after its due time is reported in STATUS: the daemon is
    /// not keeping up with its feeds.
    static let behindThreshold: TimeInterval = 60

    /// Re-reads feeds.conf; on errors the running configuration stays and every problem
    /// is logged with its file and line.
    private func reload(from current: Configuration, index: [String: Int])
        -> Result<(Configuration, FeedChanges), ReloadProblem> {
        let started = Date()
        let next: Configuration
        switch Self.load(current.path, reusing: current.parsedLines, logger: logger) {
        case .failure(let problem): return .failure(problem)
        case .success(let loaded): next = loaded
        }
        let changes = FeedChanges(from: current.feeds, index: index, to: next.feeds, splice: next.splice)
        do {
            try store.updateFeeds(changed: changes.changed.map(Store.subscription(for:)), removed: changes.removed)
        } catch {
            logger.error("reload: store: \(error); keeping the running configuration")
            return .failure(ReloadProblem(description: "store: \(error)"))
        }
        let milliseconds = Int(Date().timeIntervalSince(started) * 1000)
        let counts = "\(changes.addedCount) added, \(changes.removed.count) removed, "
            + "\(changes.changed.count - changes.addedCount) changed"
        logger.notice("reloaded \(current.path): \(next.feeds.count) feeds (\(counts)) in \(milliseconds) ms")
        if next.network.maximumTransfers != current.network.maximumTransfers
            || next.network.maximumPerHost != current.network.maximumPerHost {
            logger.warning("max-transfers and max-per-host take effect at the next restart")
        }
        return .success((next, changes))
    }

    /// feeds.conf read again for a reload (both scheduler modes): its warnings and errors
    /// logged with their lines; a file with errors is a problem, and the running
    /// configuration stays.
    /// `previous`: the running configuration's parsed lines; only lines that changed are parsed again.
    static func load(_ path: String, reusing previous: ParsedLines? = nil, logger: Logger) -> Result<Configuration, ReloadProblem> {
        let next: Configuration
        do {
            next = try ConfigParser.load(path: path, reusing: previous)
        } catch {
            logger.error("reload: \(error); keeping the running configuration")
            return .failure(ReloadProblem(description: error.description))
        }
        for warning in next.warnings { logger.warning("\(warning)") }
        guard next.isValid else {
            for error in next.errors { logger.error("\(error)") }
            logger.error("reload: \(next.errors.count) error(s) in \(path); keeping the running configuration")
            return .failure(ReloadProblem(description: next.errors[0].description))
        }
        return .success(next)
    }

    struct ReloadProblem: Error, CustomStringConvertible {
        let description: String
    }

    private static func monotonicMicroseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1000
    }
}

/// Reload requests from any thread, consumed one wake-up at a time by the loop. Several
/// requests before the loop looks collapse into one reload.
final class ReloadRequests: @unchecked Sendable {  // state only under `lock`
    private let lock = NSLock()
    private var pending = false
    private var finished = false
    private var waiter: CheckedContinuation<Bool, Never>?

    func request() {
        let resume = lock.withLock { () -> CheckedContinuation<Bool, Never>? in
            guard let waiter else {
                pending = true
                return nil
            }
            self.waiter = nil
            return waiter
        }
        resume?.resume(returning: true)
    }

    /// Waits for the next request; false once finished (shutdown).
    func next() async -> Bool {
        await withCheckedContinuation { continuation in
            let immediate = lock.withLock { () -> Bool? in
                if finished { return false }
                if pending {
                    pending = false
                    return true
                }
                waiter = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    func finish() {
        let resume = lock.withLock { () -> CheckedContinuation<Bool, Never>? in
            finished = true
            defer { waiter = nil }
            return waiter
        }
        resume?.resume(returning: false)
    }
}
