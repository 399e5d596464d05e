import Config
import Fetcher
import Foundation
import Logging
import PostgresStore
import Store

/// The poll loop of one member of a fleet sharing a PostgreSQL store: the scheduler's
/// second mode. The due list is the store's (`PostgresStore+Claims`), not this process's:
/// the loop claims due feeds a batch at a time, polls each (the same `FeedPoller` as the
/// SQLite daemon, writing through `FleetPollStore`), renews the leases of what it still
/// polls, and each poll's write gives its feed back with the next due time. Politeness
/// is decided in the claim, fleet-wide: max-per-host=, host-spacing= and Retry-After.
///
/// Outages: while the store cannot be reached the loop claims nothing, says so in STATUS
/// and tries again with backoff (FleetConnection); a poll whose result could not be
/// written is not lost — its claim runs out and the feed is polled again. The watchdog
/// is petted by the loop itself, which never waits on the database (every query runs in
/// a task of its own), so it only fires if the loop is stuck.
public final class FleetDaemon: Sendable {
    let initialConfiguration: Configuration
    /// The polls' reads and writes.
    let connection: FleetConnection
    /// Claims, lease renewals and feeds.conf generations, on a connection of their own: a
    /// renewal must not wait behind a queue of polls' writes until the lease has run out.
    let control: FleetConnection
    let fetcher: Fetcher
    let notifier: SystemdNotifier
    let logger: Logger
    let reloads = ReloadRequests()
    let watchdogInterval: TimeInterval?
    /// "host:pid": how claims and `aggregator feeds` name this daemon.
    public let name: String

    public init(configuration: Configuration, connection: FleetConnection, fetcher: Fetcher, notifier: SystemdNotifier,
                logger: Logger, name: String = PostgresStore.daemonName(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        initialConfiguration = configuration
        self.connection = connection
        control = FleetConnection(address: connection.address, size: 1)
        self.fetcher = fetcher
        self.notifier = notifier
        self.logger = logger
        self.name = name
        watchdogInterval = Daemon.watchdogInterval(environment: environment)
    }

    public func requestReload() {
        reloads.request()
    }

    private enum Event: Sendable {
        case synced(Result<PostgresStore.FleetSync, any Error>, Configuration)
        case claimed(Result<PostgresStore.ClaimBatch, any Error>)
        case polled(PollReport, PostgresStore.Claim)
        /// The claims a renewal found taken (feed id and the lease it had).
        case renewed(lost: [Int64: Date])
        case wake
        case reload
        case watchdog
    }

    /// Runs until the calling task is cancelled; then gives back the feeds it holds.
    public func run() async {
        var configuration = initialConfiguration
        var feedsByURL = Self.index(configuration.feeds)
        let pollStore = FleetPollStore(connection: connection, daemon: name)
        var poller = FeedPoller(fetcher: fetcher, storeSource: StoreSource(pollStore), logger: logger)
        poller.hostSpacing = configuration.network.hostSpacing
        var fleet: PostgresStore.FleetSync?
        var offering = false
        var claiming = false
        var nextClaim = Date.distantPast
        var held = [Int64: (claim: PostgresStore.Claim, task: Task<PollReport, Never>)]()
        let book = ClaimBook()  // the same claims, for the renewal task to read
        var failing = Set<String>()
        var configProblem: String?
        var warnedStale = false
        var nextStaleCheck = Date.distantPast
        let capacity = max(2, configuration.network.maximumTransfers * 2)
        let lease = configuration.network.fleetLease
        var earliestWake: Date?

        warnAboutWhatTheFleetLacks(configuration)
        func status() -> String {
            if let down = control.unreachable ?? connection.unreachable {
                let seconds = max(1, Int(down.retryAt.timeIntervalSinceNow.rounded(.up)))
                return "STATUS=store unreachable (\(down.reason)); retrying in \(Interval.format(seconds: seconds)); "
                    + "holding \(held.count) feeds"
            }
            var text: String
            switch fleet {
            case nil:
                text = "joining the fleet at \(connection.address)"
            case .stale(let generation, let writtenBy, _):
                text = "feeds.conf is older than the fleet's (generation \(generation), from \(writtenBy)); "
                    + "not polling until it is updated"
            case .current(let generation):
                text = "fleet member \(name): holding \(held.count) feeds, \(failing.count) failing; "
                    + "\(configuration.feeds.count) feeds, generation \(generation)"
            }
            if let configProblem { text += "; feeds.conf NOT reloaded: \(configProblem)" }
            return "STATUS=" + text
        }
        notifier.send("READY=1\n" + status())
        logger.info("started: fleet member \(name), \(configuration.feeds.count) feeds from \(configuration.path), store \(connection.address)")

        await withTaskGroup(of: Event.self) { group in
            func offer(_ next: Configuration) {
                offering = true
                let subscriptions = next.feeds.map(Store.subscription(for:))
                let stamp = PostgresStore.ConfigStamp(subscriptions: subscriptions, fileTime: Self.modificationTime(next.path))
                group.addTask { [control, name] in
                    let result = await Result {
                        try await control.use { store in
                            try await store.syncFleetFeeds(subscriptions, stamp: stamp, daemon: name, host: HostPauses.host(of:))
                        }
                    }
                    return .synced(result, next)
                }
            }
            func wake(at date: Date) {
                guard earliestWake.map({ date < $0 }) ?? true else { return }
                earliestWake = date
                group.addTask {
                    let delay = min(max(0, date.timeIntervalSinceNow), 3600)
                    try? await Task.sleep(nanoseconds: UInt64(delay * 1e9) + 1_000_000)
                    return .wake
                }
            }
            func release(_ claim: PostgresStore.Claim, nextDue: Date) {
                group.addTask { [control, name] in
                    _ = try? await control.use { try await $0.releaseClaim(daemon: name, feedID: claim.feedID, nextDue: nextDue) }
                    return .wake
                }
            }

            group.addTask { [reloads] in await reloads.next() ? .reload : .wake }
            if watchdogInterval != nil { group.addTask { .watchdog } }
            // Leases renewed a third of the way through: two renewals can fail before one runs out.
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(lease / 3 * 1e9))
                return .renewed(lost: [:])
            }
            offer(configuration)

            while !Task.isCancelled {
                let now = Date()
                if case .current(let generation) = fleet, !claiming, !offering, held.count <= capacity / 2, nextClaim <= now {
                    claiming = true
                    let spacing = configuration.network.hostSpacing
                    var rules = PostgresStore.ClaimRules(
                        lease: lease, limit: capacity - held.count, maximumPerHost: configuration.network.maximumPerHost,
                        generation: generation,
                        spacing: { host in spacing ?? (host.map(Fetcher.isLoopback) ?? true ? 0 : FetchRequest.defaultHostSpacing) })
                    rules.horizon = 2
                    group.addTask { [control, name] in
                        .claimed(await Result {
                            try await control.use { try await $0.claimDueFeeds(daemon: name, now: Date(), rules: rules) }
                        })
                    }
                }
                if fleet == nil && !offering, let down = control.unreachable { wake(at: down.retryAt) }
                guard let event = await group.next() else { break }
                switch event {
                case .wake:
                    if let wake = earliestWake, wake <= Date() { earliestWake = nil }
                    if fleet == nil && !offering && !Task.isCancelled { offer(configuration) }
                    // A stale member looks again now and then: the fleet may have come
                    // round to its file (the other hosts' copies edited back to match it).
                    if case .stale = fleet, !offering, !Task.isCancelled, Date() >= nextStaleCheck {
                        offer(configuration)
                    }
                case .synced(let result, let next):
                    offering = false
                    switch result {
                    case .success(let sync):
                        configuration = next
                        fleet = sync
                        nextClaim = .distantPast
                        if case .stale(let generation, let writtenBy, let fileTime) = sync {
                            if !warnedStale {
                                let when = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: fileTime))
                                let line = "\(configuration.path) is older than the fleet's feeds.conf (generation \(generation), "
                                    + "modified \(when), from \(writtenBy)): not polling until this file is updated"
                                logger.warning("\(line)")
                            }
                            warnedStale = true
                            nextStaleCheck = Date().addingTimeInterval(30)
                            wake(at: nextStaleCheck)
                        } else {
                            if warnedStale { logger.notice("feeds.conf matches the fleet's again; polling") }
                            warnedStale = false
                        }
                    case .failure(let error):
                        logger.error("store: \(error)")
                        if fleet == nil && control.unreachable == nil { wake(at: Date().addingTimeInterval(5)) }
                    }
                    notifier.send(status())
                case .claimed(let result):
                    claiming = false
                    switch result {
                    case .success(let batch):
                        if batch.otherGeneration != nil {
                            offer(configuration)  // joins it if the files agree, else waits as stale
                            break
                        }
                        for claim in batch.claims {
                            guard let feed = feedsByURL[claim.url] else {
                                // Not in this file although the generations agree: a reload under way.
                                release(claim, nextDue: Date())
                                continue
                            }
                            let poll = Task { [poller] () -> PollReport in
                                if let start = claim.startAt, start > Date() {
                                    try? await Task.sleep(nanoseconds: UInt64(start.timeIntervalSinceNow * 1e9))
                                }
                                return await poller.poll(feed)
                            }
                            held[claim.feedID] = (claim, poll)
                            book.hold(claim)
                            group.addTask { .polled(await poll.value, claim) }
                        }
                        // A full batch: more may be due at once; otherwise until the next falls
                        // due, looking again every few seconds (another daemon's claims run out,
                        // a host's turn comes round).
                        let soonest = Date().addingTimeInterval(batch.claims.count >= capacity / 2 ? 0 : 5)
                        nextClaim = min(soonest, max(batch.nextDue ?? soonest, Date().addingTimeInterval(0.05)))
                    case .failure(let error):
                        if let down = control.unreachable ?? connection.unreachable {
                            nextClaim = down.retryAt
                        } else {
                            logger.error("store: claiming feeds: \(error)")
                            nextClaim = Date().addingTimeInterval(5)
                        }
                    }
                    wake(at: nextClaim)
                    notifier.send(status())
                case .polled(let report, let claim):
                    held[claim.feedID] = nil
                    book.drop(claim)
                    switch report.outcome {
                    case .fetched, .notModified, .unchanged, .gone, .failed:
                        // Written, and the claim given back with the next due time, in one transaction.
                        if report.failed { failing.insert(report.url) } else { failing.remove(report.url) }
                    case .deferred(let until):
                        release(claim, nextDue: until)
                    case .cancelled:
                        if !Task.isCancelled { release(claim, nextDue: Date()) }
                    case .notStored:
                        // Lost claim: another daemon has it. Store unreachable: the claim runs
                        // out and the feed is polled again. Otherwise this update's own
                        // failure: given back to be tried again in a while.
                        if control.unreachable == nil && connection.unreachable == nil {
                            let feed = feedsByURL[claim.url]
                            release(claim, nextDue: Date().addingTimeInterval(Double(min(feed?.interval ?? 300, 300))))
                        }
                    }
                    nextClaim = min(nextClaim, Date())
                    notifier.send(status())
                case .renewed(let lost):
                    for (id, until) in lost {
                        // Only the claim the renewal read: the feed may be held again since.
                        if let entry = held[id], entry.claim.until == until {
                            logger.warning("lost the claim on \(LogRedaction.redact(entry.claim.url)) (lease ran out); not writing its result")
                            entry.task.cancel()
                        }
                    }
                    if Task.isCancelled { break }
                    group.addTask { [control, name, book] in
                        try? await Task.sleep(nanoseconds: UInt64(lease / 3 * 1e9))
                        // What is held when the renewal runs, not when it was planned: a claim
                        // is renewed within a third of the lease of being made.
                        let claims = book.current
                        guard !claims.isEmpty else { return .renewed(lost: [:]) }
                        let lost = (try? await control.use {
                            try await $0.renewClaims(daemon: name, feedIDs: Array(claims.keys), now: Date(), lease: lease)
                        }) ?? []
                        return .renewed(lost: claims.filter { lost.contains($0.key) })
                    }
                case .reload:
                    if Task.isCancelled { break }
                    group.addTask { [reloads] in await reloads.next() ? .reload : .wake }
                    notifier.send("RELOADING=1")
                    switch Daemon.load(configuration.path, reusing: configuration.parsedLines, logger: logger) {
                    case .failure(let problem):
                        configProblem = problem.description
                        notifier.send("READY=1\n" + status())
                    case .success(let next):
                        configProblem = nil
                        logger.notice("reloaded \(next.path): \(next.feeds.count) feeds")
                        configuration = next
                        feedsByURL = Self.index(next.feeds)
                        poller.hostSpacing = next.network.hostSpacing
                        warnAboutWhatTheFleetLacks(next)
                        offer(next)
                        notifier.send("READY=1\n" + status())
                    }
                case .watchdog:
                    guard let interval = watchdogInterval else { break }
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
        // What it held goes back at once, rather than when the leases run out.
        let ids = Array(held.keys)
        if !ids.isEmpty {
            let giveBack = Task { [control, name] in
                _ = try? await control.use { store in
                    for id in ids { _ = try await store.releaseClaim(daemon: name, feedID: id, nextDue: Date()) }
                }
            }
            _ = await giveBack.value
        }
        await connection.close()
        await control.close()
    }

    private static func index(_ feeds: [FeedConfig]) -> [String: FeedConfig] {
        Dictionary(feeds.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// What a fleet does not do yet, said at start and at each reload rather than found out.
    private func warnAboutWhatTheFleetLacks(_ configuration: Configuration) {
        if configuration.feeds.contains(where: { !$0.hooks.isEmpty }) {
            logger.warning("exec=/webhook= are not delivered from a PostgreSQL store yet: no deliveries are queued")
        }
        if configuration.feeds.contains(where: { $0.retention != nil }) {
            logger.warning("keep= is not applied to a PostgreSQL store yet: nothing is pruned")
        }
    }

    /// feeds.conf's modification time, which orders two daemons' files.
    static func modificationTime(_ path: String) -> Double {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// The claims a daemon holds, by feed id (with each lease's end when claimed), readable
/// from the renewal's task while the loop changes them.
final class ClaimBook: @unchecked Sendable {  // `claims` only under `lock`
    private let lock = NSLock()
    private var claims: [Int64: Date] = [:]

    func hold(_ claim: PostgresStore.Claim) { lock.withLock { claims[claim.feedID] = claim.until } }
    func drop(_ claim: PostgresStore.Claim) {
        lock.withLock { if claims[claim.feedID] == claim.until { claims[claim.feedID] = nil } }
    }
    var current: [Int64: Date] { lock.withLock { claims } }
}
