import CommandSupport
import Config
import Daemon
import Fetcher
import Foundation
import Logging
import PostgresStore

/// aggregatord on a PostgreSQL store: one member of a fleet (FleetDaemon). No lock file
/// (several daemons share the store on purpose); the store need not be reachable at
/// start — the daemon says so in STATUS and keeps trying.
enum FleetMember {
    static func run(address: PostgresAddress, paths: PathOptions, signals: ProcessSignals, logger: Logger) async throws {
        let resolved = paths.resolve(writable: false)
        let configuration = try ConfigLoading.load(resolved.config) { logger.error("\($0)") }
        ProcessMemory.limitArenas(configuration.network.memory.heapArenas)
        if configuration.feeds.isEmpty { logger.warning("\(resolved.config): no feeds configured") }
        let fetcher = Fetcher(network: configuration.network)
        let connection = FleetConnection(address: address)
        let daemon = FleetDaemon(configuration: configuration, connection: connection, fetcher: fetcher,
                                 notifier: SystemdNotifier(), logger: logger)
        let work = Task { await daemon.run() }
        let watcher = StopAndReload.install(signals: signals, config: resolved.config, logger: logger, work: work,
                                            reload: { daemon.requestReload() })
        await work.value
        watcher.stop()
        fetcher.shutdown()
        withExtendedLifetime(signals) {}
        logger.info("stopped")
    }
}
