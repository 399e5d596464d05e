import Config
import Fetcher
import Foundation
import Logging
import Store

/// The long-running poll loop: each feed is polled when due, several at once, and the
/// next due time of each is kept in the store so a restart does not refetch everything.
public final class Daemon: Sendable {
    let configuration: Configuration
    let poller: FeedPoller
    let notifier: SystemdNotifier
    let logger: Logger

    public init(configuration: Configuration, poller: FeedPoller, notifier: SystemdNotifier, logger: Logger) {
        self.configuration = configuration
        self.poller = poller
        self.notifier = notifier
        self.logger = logger
    }

    private enum Event: Sendable {
        case polled(PollReport)
        case wake
    }

    /// Runs until the calling task is cancelled (SIGTERM); polls under way are cancelled
    /// too, and a store transaction already started is allowed to finish.
    public func run() async {
        let feeds = configuration.feeds
        var due = [String: Date]()
        let now = Date()
        for feed in feeds {
            let state = try? poller.store.feed(url: feed.url)
            due[feed.url] = Scheduler.dueDate(for: state, interval: feed.interval, now: now)
        }
        notifier.send("READY=1\nSTATUS=polling \(feeds.count) feeds")
        logger.info("started: \(feeds.count) feeds from \(configuration.path), store \(poller.store.path)")

        await withTaskGroup(of: Event.self) { group in
            var inFlight = Set<String>()
            var failing = Set<String>()
            var earliestWake: Date?

            while !Task.isCancelled {
                let now = Date()
                for feed in feeds where !inFlight.contains(feed.url) && due[feed.url, default: now] <= now {
                    inFlight.insert(feed.url)
                    group.addTask { [poller] in .polled(await poller.poll(feed)) }
                }
                // Sleep until the next feed that is waiting falls due; an earlier wake-up
                // already pending covers it.
                let waiting = feeds.filter { !inFlight.contains($0.url) }.compactMap { due[$0.url] }
                // With nothing to poll (an empty feeds.conf) the daemon idles until it is stopped.
                let idle = waiting.isEmpty && inFlight.isEmpty ? Date().addingTimeInterval(3600) : nil
                if let next = waiting.min() ?? idle, earliestWake.map({ next < $0 }) ?? true {
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
                    inFlight.remove(report.url)
                    if report.outcome == .cancelled { continue }
                    due[report.url] = report.nextDue
                    if report.failed { failing.insert(report.url) } else { failing.remove(report.url) }
                    notifier.send("STATUS=polling \(feeds.count) feeds, \(failing.count) failing")
                }
            }
            notifier.send("STOPPING=1")
            group.cancelAll()
        }
    }
}
