import Daemon
import Foundation
import Logging

/// What both kinds of aggregatord (the SQLite daemon, a fleet member) do about signals and
/// feeds.conf edits: SIGTERM/SIGINT cancel `work` (with a backstop), SIGHUP and a changed
/// file ask `reload`. Returns the file watcher, to be stopped at the end.
enum StopAndReload {
    static func install(signals: ProcessSignals, config: String, logger: Logger, work: Task<some Sendable, some Error>,
                        reload: @escaping @Sendable () -> Void) -> ConfigWatcher {
        signal(SIGPIPE, SIG_IGN)  // a closed stderr or socket must not kill the daemon
        @Sendable func stop(_ number: Int32) {
            logger.info("received \(number == SIGTERM ? "SIGTERM" : "SIGINT"), stopping")
            work.cancel()
            // A backstop: whatever hangs, the process is gone within 9 s, inside the unit's
            // TimeoutStopSec=10s (hook deliveries under way get 7 s of it). Committed data
            // is safe in SQLite's WAL, and in PostgreSQL, whatever happens to a transaction
            // in progress.
            DispatchQueue.global().asyncAfter(deadline: .now() + 9) {
                logger.error("shutdown took longer than 9 s; exiting now")
                Foundation.exit(0)
            }
        }
        signals.handle([
            SIGTERM: stop, SIGINT: stop,
            SIGHUP: { _ in
                logger.info("received SIGHUP, reloading \(config)")
                reload()
            },
        ])
        // Edits to feeds.conf apply by themselves, within a couple of seconds.
        return ConfigWatcher(path: config) {
            logger.info("\(config) changed, reloading")
            reload()
        }
    }
}
