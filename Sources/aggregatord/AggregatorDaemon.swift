import ArgumentParser
import CommandSupport
import Config
import Daemon
import Fetcher
import Foundation
import Logging
import PostgresStore
import Store

/// The daemon: polls the feeds in feeds.conf for ever, storing what it finds.
@main
struct AggregatorDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregatord",
        abstract: "Poll the feeds in feeds.conf and store their articles, until stopped.",
        discussion: """
            Exit status 78 means feeds.conf has errors; 73 that the store cannot be opened; 65 that it \
            is damaged (aggregator check says more); 75 that another aggregatord uses it.
            """,
        version: UserAgent.version)

    @OptionGroup var paths: PathOptions

    @Option(name: .long, help: "Least important messages to log: trace, debug, info, notice, warning, error.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        // First of all: from here on a SIGTERM waits, caught, until the daemon acts on it.
        let signals = try ProcessSignals()
        LogSetup.bootstrap(level: logLevel)
        let logger = Logger(label: "aggregatord")
        let postgres: (address: PostgresAddress, origin: String)?
        do { postgres = try paths.postgres() } catch {
            logger.critical("\(error.message)")
            throw ExitStatus.configuration
        }
        if let postgres {
            try await FleetMember.run(address: postgres.address, paths: paths, signals: signals, logger: logger)
            return
        }
        let resolved = paths.resolve(writable: true)

        let feeds = try ConfigLoading.load(resolved.config) { logger.error("\($0)") }
        if feeds.feeds.isEmpty { logger.warning("\(resolved.config): no feeds configured") }
        ProcessMemory.limitArenas(feeds.network.memory.heapArenas)

        // Reload requests reach the daemon once it runs (earlier ones are moot: it reads
        // feeds.conf as it starts).
        let reloads = ReloadForwarder()

        let notifier = SystemdNotifier()
        let fetcher = Fetcher(network: feeds.network)
        // Everything from opening the store on is one cancellable piece of work, so a
        // SIGTERM stops the daemon as well while it waits for a store it cannot write yet.
        let work = Task { () throws -> StoreOpening.Opened in
            // One daemon per store: the lock is taken before anything is opened for writing.
            let opened: StoreOpening.Opened
            do {
                opened = try await StoreOpening.open(directory: resolved.data, configuration: feeds, notifier: notifier,
                                                            logger: logger, watchdogInterval: Daemon.watchdogInterval())
            } catch let error as DaemonLock.Held {
                logger.critical("\(error)")
                throw ExitStatus.locked
            } catch let error as Store.OpenError where error.kind == .damaged {
                let advice = "`aggregator check --data \(resolved.data)` says what is wrong; restore a copy made by "
                    + "`aggregator backup`, or recover what can be read with sqlite3's .recover (README: When things go wrong)"
                logger.critical("store \(error); not starting on it. \(advice)")
                throw ExitStatus.damaged
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.critical("store: \(error)")
                throw ExitStatus.store
            }
            var poller = FeedPoller(fetcher: fetcher, store: opened.store, logger: logger)
            poller.hostSpacing = feeds.network.hostSpacing
            let hooks = HookDispatcher(store: opened.store, configuration: feeds, logger: logger)
            let daemon = Daemon(configuration: feeds, store: opened.store, poller: poller, notifier: notifier, logger: logger,
                                readyAlreadySent: opened.readySent, hooks: hooks)
            reloads.set(daemon)
            await daemon.run()
            hooks.shutdown()
            return opened
        }
        let watcher = StopAndReload.install(signals: signals, config: resolved.config, logger: logger, work: work,
                                            reload: { reloads.request() })
        let outcome = await work.result
        watcher.stop()
        fetcher.shutdown()
        withExtendedLifetime(signals) {}
        switch outcome {
        case .success(let opened):
            opened.store.finishWriting()
            withExtendedLifetime(opened.lock) {}
            logger.info("stopped")
        case .failure(let error):
            if error is CancellationError {
                logger.info("stopped")
            } else {
                throw error
            }
        }
    }
}

/// Where SIGHUP and the file watcher send reload requests: the daemon, once it runs.
final class ReloadForwarder: @unchecked Sendable {  // `daemon` only under `lock`
    private let lock = NSLock()
    private var daemon: Daemon?

    func set(_ daemon: Daemon) { lock.withLock { self.daemon = daemon } }
    func request() { lock.withLock { daemon }?.requestReload() }
}
