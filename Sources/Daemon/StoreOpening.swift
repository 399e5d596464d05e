import Config
import Foundation
import Logging
import Store

/// Opens the daemon's store; while the file system is the reason it cannot (full, mounted
/// read-only, a folder the service may not write), waits instead of exiting: said once,
/// READY=1 with a STATUS= that says what it waits for, watchdog keep-alives, and retries
/// with the same backoff as a store that stops taking writes mid-run. Exiting would only
/// have systemd restart it every 10 s, with a line each time.
public enum StoreOpening {
    /// The store and the lock that makes this daemon its only writer (taken first: another
    /// daemon holding it is an error at once, `DaemonLock.Held`).
    public static func open(directory: String, configuration: Configuration, notifier: SystemdNotifier,
                            logger: Logger, watchdogInterval: TimeInterval?) async throws -> Opened {
        var health = StorageHealth()
        var lastKeepAlive = Date.distantPast
        var lock: DaemonLock?
        var checked = false
        var readySent = false
        while true {
            let fault: StorageFault
            let error: any Error
            do {
                if lock == nil { lock = try DaemonLock(directory: directory) }
                if !checked {
                    // Before anything is written: a damaged store is refused, not made worse.
                    if let problem = try await checkForDamage(directory: directory, notifier: notifier,
                                                              watchdogInterval: watchdogInterval) {
                        throw Store.OpenError(path: directory + "/" + Store.fileName, reason: "damaged: \(problem)",
                                              kind: .damaged)
                    }
                    checked = true
                }
                // Opening migrates an older store: adding an index reads every article (70 s
                // for 3.7 million on this machine), so the start is extended meanwhile too.
                let store = try await extendingStart(
                    "opening the store (an older one is brought up to date)", notifier: notifier,
                    watchdogInterval: watchdogInterval) {
                    try Store.openForPolling(directory: directory, configuration: configuration)
                }
                if let line = health.probeSucceeded(at: Date(), freeBytes: Volume.of(directory: directory).freeBytes) {
                    logger.notice("\(line)")
                }
                return Opened(store: store, lock: lock!, readySent: readySent)
            } catch let held as DaemonLock.Held where held.openErrno != nil {
                fault = Volume.of(directory: Self.existingFolder(of: directory)).fault(directory: directory)
                    ?? StorageFault(kind: .notWritable, directory: directory, detail: held.description)
                error = held
            } catch let failure as Store.OpenError where failure.fault != nil && failure.kind != .damaged {
                fault = failure.fault!
                error = failure
            }
            if let line = health.writeFailed(fault, at: Date()) {
                logger.error("\(line) (\(error))")
                notifier.send("READY=1\nSTATUS=\(fault); waiting for it to take writes")
                readySent = true
            } else {
                health.probeFailed(fault, at: Date())
                notifier.send("STATUS=\(fault); waiting for it to take writes")
            }
            // Sleep until the next try, petting the watchdog meanwhile: waiting is the loop's work.
            let next = health.nextProbe ?? Date().addingTimeInterval(StorageHealth.longestProbeDelay)
            while Date() < next {
                if let watchdogInterval, Date().timeIntervalSince(lastKeepAlive) >= watchdogInterval {
                    notifier.send("WATCHDOG=1")
                    lastKeepAlive = Date()
                }
                let nap = min(next.timeIntervalSinceNow, watchdogInterval ?? 1, 1)
                try await Task.sleep(nanoseconds: UInt64(max(0.01, nap) * 1e9))
            }
        }
    }

    /// SQLite's quick check of an existing store: it reads every page (12 s for 570 MB
    /// from a cold disk).
    static func checkForDamage(directory: String, notifier: SystemdNotifier,
                               watchdogInterval: TimeInterval?) async throws -> String? {
        guard access(directory + "/" + Store.fileName, F_OK) == 0 else { return nil }
        return try await extendingStart("checking the store for damage (SQLite's quick check)", notifier: notifier,
                                        watchdogInterval: watchdogInterval) {
            try StoreCheck.damage(in: directory)
        }
    }

    /// `work` on a thread of its own while systemd is told what the daemon is doing and
    /// its start timeout is extended (still starting, not READY), rather than kept waiting.
    static func extendingStart<T: Sendable>(_ doing: String, notifier: SystemdNotifier, watchdogInterval: TimeInterval?,
                                            _ work: @escaping @Sendable () throws -> T) async throws -> T {
        let task = Task.detached { try work() }
        let petting = Task {
            let step = min(watchdogInterval ?? 10, 10)
            while !Task.isCancelled {
                notifier.send("STATUS=\(doing)\n"
                    + "EXTEND_TIMEOUT_USEC=\(UInt64(step * 3 * 1e6))" + (watchdogInterval != nil ? "\nWATCHDOG=1" : ""))
                try await Task.sleep(nanoseconds: UInt64(step * 1e9))
            }
        }
        defer { petting.cancel() }
        return try await task.value
    }

    /// What `open` gives the daemon.
    public struct Opened: Sendable {
        public let store: Store
        /// Held for as long as the daemon runs.
        public let lock: DaemonLock
        /// Whether systemd was already told READY=1 (while waiting for a store it could not write).
        public let readySent: Bool
    }

    /// `directory`, or the nearest folder above it that exists (where it would be created).
    static func existingFolder(of directory: String) -> String {
        var folder = directory
        while access(folder, F_OK) != 0, folder != "/", !folder.isEmpty {
            folder = (folder as NSString).deletingLastPathComponent
        }
        return folder.isEmpty ? "." : folder
    }
}
