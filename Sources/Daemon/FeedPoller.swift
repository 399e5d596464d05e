import Config
import FeedParser
import Fetcher
import Foundation
import Logging
import Store

/// The one place that chains fetch → parse → store for a feed (the fetcher never
/// parses, the parser does no I/O, the store knows nothing of HTTP).
public struct FeedPoller: Sendable {
    public let fetcher: Fetcher
    /// Where polls write (a store still being created for a first `aggregator fetch`).
    public let storeSource: StoreSource
    public let logger: Logger
    /// Seconds between request starts to one host (`default host-spacing=`); nil for the fetcher's default.
    public var hostSpacing: Double?
    /// Hosts that asked for a pause (429/503), shared by every poll.
    public let hostPauses: HostPauses
    /// Whether DNS and connect failures are the network's fault rather than the feed's.
    public let networkHealth: NetworkHealth
    /// False for `fetch --force`: hosts are asked even while they asked to wait.
    public var honoursHostPauses = true

    public init(fetcher: Fetcher, store: Store, logger: Logger, hostPauses: HostPauses = HostPauses(),
                networkHealth: NetworkHealth = NetworkHealth()) {
        self.init(fetcher: fetcher, storeSource: StoreSource(store), logger: logger, hostPauses: hostPauses,
                  networkHealth: networkHealth)
    }

    public init(fetcher: Fetcher, storeSource: StoreSource, logger: Logger, hostPauses: HostPauses = HostPauses(),
                networkHealth: NetworkHealth = NetworkHealth()) {
        self.fetcher = fetcher
        self.storeSource = storeSource
        self.logger = logger
        self.hostPauses = hostPauses
        self.networkHealth = networkHealth
    }

    /// Polls every feed once, concurrently (the fetcher bounds the transfers); reports
    /// come back in the feeds' order, and to `progress` as each poll ends. After a poll
    /// whose result the store could not take for a reason of the whole store (a full
    /// disk…), the polls not done yet are cancelled: nothing more is downloaded that
    /// could not be kept.
    public func pollAll(_ feeds: [FeedConfig], progress: ((PollReport) -> Void)? = nil) async -> [PollReport] {
        // Every feed's state in one read rather than one read per poll (those were 2.8% of
        // a cold 500-feed poll's CPU). A feed it lacks (or all, should it fail) reads its own.
        // A store still being created holds no state at all.
        let store = storeSource.sqliteIfOpen
        let states = (try? store.map { try Dictionary($0.feeds(includingRemoved: true).map { ($0.url, $0) },
                                                      uniquingKeysWith: { first, _ in first }) }) ?? [:]
        let pauses = (try? store?.hostPauses()) ?? [:]
        return await withTaskGroup(of: (Int, PollReport).self) { group in
            for (index, feed) in feeds.enumerated() {
                group.addTask {
                    (index, await poll(feed, state: { try states[feed.url] ?? store?.feed(url: feed.url) },
                                       storedPause: { pauses[$0]?.until }))
                }
            }
            var reports = [PollReport?](repeating: nil, count: feeds.count)
            for await (index, report) in group {
                reports[index] = report
                progress?(report)
                if report.storageFault != nil { group.cancelAll() }
            }
            return reports.compactMap { $0 }
        }
    }

    public func poll(_ feed: FeedConfig) async -> PollReport {
        let store = storeSource.ifOpen
        return await poll(feed, state: { try await store?.pollState(url: feed.url) },
                          storedPause: { host in (try? await store?.storedHostPause(host: host, now: Date()))??.until })
    }

    /// `lookUp` gives the feed's stored state, nil for a feed never polled; `storedPause`
    /// when a host's pause ends as the store knows it (set by this or an earlier run, or
    /// by another daemon of a fleet).
    private func poll(_ feed: FeedConfig, state lookUp: () async throws -> FeedState?,
                      storedPause: (String) async -> Date?) async -> PollReport {
        let started = Date()
        let state: FeedState?
        do {
            state = try await lookUp()
        } catch {
            return report(feed, .failed("store: \(error)"), nextDue: started.addingTimeInterval(Double(feed.interval)))
        }
        if state?.isGone == true {
            return report(feed, .gone, nextDue: .distantFuture)
        }
        // After a permanent redirect the feed is polled where it now lives. Validators
        // older than a week are left out: some servers answer 304 for ever.
        let validatorsFresh = state?.lastBodyAt.map { started.timeIntervalSince($0) < Validators.maximumAge } ?? true
        let request = FetchRequest(url: state?.movedTo ?? feed.url,
                                   etag: validatorsFresh ? state?.etag : nil,
                                   lastModified: validatorsFresh ? state?.lastModified : nil,
                                   timeout: feed.timeout, userAgent: feed.userAgent ?? UserAgent.default,
                                   hostSpacing: hostSpacing)
        let host = HostPauses.host(of: request.url)
        if honoursHostPauses, let host,
           let until = [hostPauses.pausedUntil(host: host, now: started), await storedPause(host)].compactMap({ $0 })
               .filter({ $0 > started }).max() {
            return report(feed, .deferred(until: until), nextDue: until)
        }
        var update: FeedUpdate
        var status: Int?
        var movedTo: String?
        var warnings: [String] = []
        do {
            let response = try await fetcher.fetch(request)
            status = response.status
            if let host { networkHealth.reached(host: host) }
            if let permanent = response.permanentURL, permanent != state?.movedTo, permanent != feed.url {
                movedTo = permanent
            }
            let validators = Validators.change(after: response)
            // Worked out once, only for bodies that may be compared or stored.
            var computedBodyHash: String?
            func bodyHash(_ response: FetchResponse) -> String {
                if let computedBodyHash { return computedBodyHash }
                let hash = Store.bodyFingerprint(response.body)
                computedBodyHash = hash
                return hash
            }
            let now = Date()
            let served = Scheduler.freshness(cacheControl: response.header("cache-control"),
                                             expires: response.header("expires"), now: now)
            // The interval after a success, stretched (within bounds) by the publisher's hints.
            func interval(documentHint: Int?) -> Int {
                Scheduler.effectiveInterval(configured: feed.interval, hints: [documentHint, served])
            }
            func nextDueAfterSuccess(hint: Int?) -> Date {
                Scheduler.nextDue(afterSuccessAt: now, interval: interval(documentHint: hint))
            }
            let meaning = ResponseMeaning.of(response, now: now) { state?.bodyHash.map { $0 == bodyHash(response) } ?? false }
            switch meaning {
            case .notModified:
                update = FeedUpdate(result: .notModified, fetchedAt: now, nextDue: nextDueAfterSuccess(hint: state?.refreshHint),
                                    validators: validators)
            case .hostBusy(let status, let delay):
                // The server speaks for the whole host: every feed there waits, in this
                // process at once and in every later run through the store.
                let until = now.addingTimeInterval(delay)
                var failed = failure("HTTP \(status), host asked to wait \(Interval.format(seconds: Int(delay)))",
                                     state: state, feed: feed, at: now)
                failed.nextDueAt = max(failed.nextDueAt, until)
                if let host {
                    hostPauses.pause(host: host, until: until)
                    failed.hostPause = HostPause(host: host, until: until, status: status)
                }
                update = failed
            case .gone:
                update = FeedUpdate(result: .gone, fetchedAt: now, nextDue: .distantFuture)
            case .unchanged:
                // Byte for byte what was parsed last time.
                update = FeedUpdate(result: .unchanged, fetchedAt: now, nextDue: nextDueAfterSuccess(hint: state?.refreshHint),
                                    validators: validators)
            case .document:
                // Parsing waits while the writer is behind; a store still being created
                // has no writer yet, and no backlog.
                await storeSource.ifOpen?.waitForWriter()
                do {
                    let parsed = try FeedParser.parse(response.body, url: response.effectiveURL,
                                                      contentType: response.contentType)
                    warnings = parsed.warnings
                    // The feed's own hint, and with adaptive=yes its posting rate: both are
                    // kept, so the 304s that follow are spaced the same way.
                    var hint = parsed.refreshInterval
                    if feed.adaptive, let rate = Scheduler.postingRateHint(dates: parsed.entries.map(\.published), now: now) {
                        hint = max(hint ?? 0, rate)
                    }
                    update = FeedUpdate(result: .fetched(title: parsed.title, siteLink: parsed.link, entries: parsed.entries),
                                        fetchedAt: now, nextDue: nextDueAfterSuccess(hint: hint),
                                        validators: validators, bodyHash: bodyHash(response))
                    update.refreshHint = .some(hint)
                    // skip=/only=: the store keeps them out (keys still come from the whole document).
                    update.skipped = FilterCache.shared.filter(for: feed.filters).skipped(parsed.entries)
                } catch {
                    update = failure(error.description, state: state, feed: feed, at: now)
                }
            case .httpError(let status):
                update = failure("HTTP \(status)", state: state, feed: feed, at: now)
            }
        } catch where error.kind == .cancelled {
            return report(feed, .cancelled, nextDue: started)
        } catch where error.kind == .dns || error.kind == .connect {
            let now = Date()
            if let host, await networkHealth.isOffline(failedHost: host, at: now) {
                update = FeedUpdate(result: .failed(message: "offline: \(error.kind.rawValue): \(error.message)", counts: false),
                                    fetchedAt: now, nextDue: Scheduler.nextDue(afterOfflineAt: now, interval: feed.interval))
            } else {
                update = failure("\(error.kind.rawValue): \(error.message)", state: state, feed: feed, at: now)
            }
        } catch {
            update = failure("\(error.kind.rawValue): \(error.message)", state: state, feed: feed, at: Date())
        }

        if let movedTo {
            update.movedTo = movedTo
            // Said once, when it happens: the user's file is never rewritten behind their back.
            let message = "\(LogRedaction.redact(feed.url)) moved permanently to \(LogRedaction.redact(movedTo)); "
                + "polling the new URL (feeds.conf line \(feed.line) could be updated)"
            logger.notice("\(message)")
        }
        let outcome: PollReport.Outcome
        let store: any PollStore
        do {
            store = try await storeSource.store()
        } catch is CancellationError {
            return report(feed, .cancelled, nextDue: started)
        } catch {
            return finish(PollReport(url: feed.url, outcome: .notStored("\(error)", fault: nil), status: status,
                                     warnings: warnings, duration: Date().timeIntervalSince(started), nextDue: started))
        }
        do {
            let summary = try await store.apply(update, toFeed: feed.url)
            switch update.result {
            case .fetched: outcome = .fetched(inserted: summary.inserted, updated: summary.updated)
            case .notModified: outcome = .notModified
            case .unchanged: outcome = .unchanged
            case .gone: outcome = .gone
            case .failed(let message, _): outcome = .failed(message)
            }
        } catch is CancellationError {
            return report(feed, .cancelled, nextDue: started)
        } catch {
            // Nothing this poll learnt is kept: the report carries no schedule of its own.
            outcome = .notStored("\(error)", fault: store.storageFault(of: error))
        }
        let stored = { if case .notStored = outcome { return false } else { return true } }()
        return finish(PollReport(url: feed.url, outcome: outcome, status: status, warnings: warnings,
                                 duration: Date().timeIntervalSince(started), nextDue: stored ? update.nextDueAt : started))
    }

    private func finish(_ report: PollReport) -> PollReport {
        log(report)
        return report
    }

    private func failure(_ message: String, state: FeedState?, feed: FeedConfig, at now: Date) -> FeedUpdate {
        let errors = (state?.errorCount ?? 0) + 1
        return FeedUpdate(result: .failed(message: message), fetchedAt: now,
                          nextDue: Scheduler.nextDue(afterFailureAt: now, interval: feed.interval,
                                                     consecutiveErrors: errors))
    }

    private func report(_ feed: FeedConfig, _ outcome: PollReport.Outcome, nextDue: Date) -> PollReport {
        PollReport(url: feed.url, outcome: outcome, status: nil, warnings: [], duration: 0, nextDue: nextDue)
    }

    private func log(_ report: PollReport) {
        let url = LogRedaction.redact(report.url)
        switch report.outcome {
        case .fetched, .notModified, .unchanged:
            logger.info("\(LogRedaction.redact(report.summary))")
        case .gone:
            logger.warning("\(LogRedaction.redact(report.summary))")
            for warning in report.warnings.prefix(5) { logger.warning("parse \(url): \(warning)") }
        case .failed(let message):
            logger.error("fetch \(url): \(message)")
        case .notStored(let message, let fault):
            // A fault of the whole store is one state, said once by whoever keeps it (the
            // daemon's StorageHealth), not a line per feed.
            if fault == nil { logger.error("store \(url): \(message)") }
        case .cancelled, .deferred:
            break
        }
    }
}

extension FeedUpdate {
    init(result: Result, fetchedAt: Date, nextDue: Date, validators: Validators.Change? = nil, bodyHash: String? = nil) {
        self.init(result: result, fetchedAt: fetchedAt, nextDueAt: nextDue,
                  etag: validators?.etag, lastModified: validators?.lastModified, bodyHash: bodyHash)
    }
}
