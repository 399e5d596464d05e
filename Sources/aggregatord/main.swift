import ArgumentParser
import CommandSupport
import Config
import Daemon
import Fetcher
import Foundation
import Logging
import Store

/// The daemon: polls the feeds in feeds.conf for ever, storing what it finds.
@main
struct AggregatorDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregatord",
        abstract: "Poll the feeds in feeds.conf and store their articles, until stopped.",
        discussion: "Exit status 78 means feeds.conf has errors; 73 that the store cannot be opened.",
        version: UserAgent.version)

    @OptionGroup var paths: PathOptions

    @Option(name: .long, help: "Least important messages to log: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        // First of all: from here on a SIGTERM waits, caught, until the daemon acts on it.
        let signals = try ProcessSignals()
        LogSetup.bootstrap(level: logLevel)
        let logger = Logger(label: "aggregatord")
        let resolved = paths.resolve(writable: true)

        let feeds = try ConfigLoading.load(resolved.config) { logger.error("\($0)") }
        if feeds.feeds.isEmpty { logger.warning("\(resolved.config): no feeds configured") }

        // One daemon per store, checked before anything is opened for writing.
        let lock: DaemonLock
        do {
            lock = try DaemonLock(directory: resolved.data)
        } catch {
            logger.critical("\(error)")
            throw ExitStatus.locked
        }

        let store: Store
        do {
            store = try Store.openForPolling(directory: resolved.data, configuration: feeds)
        } catch {
            logger.critical("store: \(error)")
            throw ExitStatus.store
        }

        let fetcher = Fetcher(network: feeds.network)
        var poller = FeedPoller(fetcher: fetcher, store: store, logger: logger)
        poller.hostSpacing = feeds.network.hostSpacing
        let daemon = Daemon(configuration: feeds, store: store, poller: poller, notifier: SystemdNotifier(), logger: logger)
        signal(SIGPIPE, SIG_IGN)  // a closed stderr or socket must not kill the daemon
        let work = Task { await daemon.run() }
        @Sendable func stop(_ number: Int32) {
            logger.info("received \(number == SIGTERM ? "SIGTERM" : "SIGINT"), stopping")
            work.cancel()
            // A backstop: whatever hangs, the process is gone within 5 s. Committed data
            // is safe in SQLite's WAL whatever happens to a transaction in progress.
            DispatchQueue.global().asyncAfter(deadline: .now() + 4.5) {
                logger.error("shutdown took longer than 4.5 s; exiting now")
                Foundation.exit(0)
            }
        }
        signals.handle([
            SIGTERM: stop, SIGINT: stop,
            SIGHUP: { _ in
                logger.info("received SIGHUP, reloading \(resolved.config)")
                daemon.requestReload()
            },
        ])
        // Edits to feeds.conf apply by themselves, within a couple of seconds.
        let watcher = ConfigWatcher(path: resolved.config) {
            logger.info("\(resolved.config) changed, reloading")
            daemon.requestReload()
        }
        await work.value
        watcher.stop()
        fetcher.shutdown()
        store.finishWriting()
        withExtendedLifetime((signals, lock)) {}
        logger.info("stopped")
    }
}
