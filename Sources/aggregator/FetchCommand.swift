import ArgumentParser
import CommandSupport
import Config
import Daemon
import Fetcher
import Foundation
import Store

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Poll every configured feed once, now, then exit (for cron and scripts).",
        discussion: """
            Exits non-zero only when every feed failed. Hosts that asked to wait (429/503 with
            Retry-After) are not asked again until their pause ends, in this run or a later one;
            --force asks them anyway.
            """)

    @OptionGroup var paths: PathOptions

    @Flag(help: "Poll feeds on hosts that asked to wait (429/503 Retry-After) too.")
    var force = false

    func run() async throws {
        try paths.requireSQLite("`aggregator fetch`")
        let resolved = paths.resolve(writable: true)
        let configuration = try ConfigLoading.load(resolved.config) { printError($0) }
        ProcessMemory.limitArenas(configuration.network.memory.heapArenas)
        let open = { @Sendable in try Store.openForPolling(directory: resolved.data, configuration: configuration) }
        let storeSource: StoreSource
        if FileManager.default.fileExists(atPath: resolved.data + "/" + Store.fileName) {
            do {
                storeSource = StoreSource(try open())
            } catch {
                printError(Self.openFailure(error))
                throw ExitStatus.store
            }
        } else {
            storeSource = StoreSource(creating: open)  // a first fetch: downloads start meanwhile
        }
        let fetcher = Fetcher(network: configuration.network)
        defer { fetcher.shutdown() }
        var poller = FeedPoller(fetcher: fetcher, storeSource: storeSource, logger: LogSetup.silent)
        poller.hostSpacing = configuration.network.hostSpacing
        if force {
            poller.honoursHostPauses = false
            for pause in ((try? storeSource.sqliteIfOpen?.hostPauses()) ?? [:]).values.sorted(by: { $0.host < $1.host }) {
                printError("aggregator: --force: asking \(pause.host) although it asked to wait until "
                    + ArticleOutput.localTime(pause.until))
            }
        }
        // On a terminal: one live line, then what failed and why. Piped: a line per feed.
        let onTerminal = isatty(STDOUT_FILENO) == 1
        let polling = Task { [poller] in
            var progress = FetchProgress(total: configuration.feeds.count)
            let reports = await poller.pollAll(configuration.feeds) { report in
                progress.add(report)
                if onTerminal { FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + progress.line).utf8)) }
            }
            return (reports, progress)
        }
        let store: Store
        do {
            store = try await storeSource.store() as! Store  // fetch opens SQLite only
        } catch {
            polling.cancel()  // nowhere to keep what they fetch
            _ = await polling.value
            if onTerminal { FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8)) }
            printError(Self.openFailure(error))
            throw ExitStatus.store
        }
        let (reports, progress) = await polling.value
        // A fault of the whole store is said once, below, not as a line per feed.
        let fault = reports.lazy.compactMap(\.storageFault).first
        let told = reports.filter { $0.storageFault == nil && !(fault != nil && $0.outcome == .cancelled) }
        if onTerminal {
            FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8))
            let problems = told.filter { $0.failed || $0.outcome == .gone }
            if !problems.isEmpty {
                print("Problems:")
                for report in problems { print("  " + TerminalText.clean(report.summary)) }
            }
        } else {
            for report in told {
                print(TerminalText.clean(report.summary))
                for warning in report.warnings.prefix(3) { print("  warning: \(TerminalText.clean(warning))") }
            }
        }
        // Hooks: what was just queued (and anything left from before) is delivered now, for
        // a minute at most; the rest waits in the outbox for aggregatord or the next fetch.
        var deliveriesLeft = 0
        if configuration.feeds.contains(where: { !$0.hooks.isEmpty }) || ((try? store.deliveryCounts().pending) ?? 0) > 0 {
            let hooks = HookDispatcher(store: store, configuration: configuration, logger: LogSetup.stderr(label: "aggregator"))
            deliveriesLeft = await hooks.drain(within: 60)
            hooks.shutdown()
        }
        store.finishWriting()
        print(progress.summary)
        if deliveriesLeft > 0 {
            printError("aggregator: \(deliveriesLeft) hook deliveries still wait (aggregator hooks lists them); "
                + "aggregatord or the next fetch sends them")
        }
        if let fault {
            let unkept = reports.filter { $0.storageFault != nil || $0.outcome == .cancelled }.count
            printError("aggregator: \(fault); stopped polling: \(unkept) of \(reports.count) feeds were not polled or "
                + "their articles not stored. Make room and run aggregator fetch again: it asks those feeds in full.")
            throw ExitStatus.store
        }
        if progress.everythingFailed { throw ExitCode.failure }
    }
}

extension FetchCommand {
    /// Why the store could not be opened for writing, as a person can act on it.
    static func openFailure(_ error: any Error) -> String {
        if let failure = error as? Store.OpenError, let fault = failure.fault {
            return "aggregator: \(fault): nothing could be stored. Make room (or fix the mount or the permissions) "
                + "and run aggregator fetch again."
        }
        return "aggregator: \(error)"
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
