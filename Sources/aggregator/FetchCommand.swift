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
        discussion: "Exits non-zero only when every feed failed.")

    @OptionGroup var paths: PathOptions

    func run() async throws {
        let resolved = paths.resolve(writable: true)
        let configuration = try ConfigLoading.load(resolved.config) { printError($0) }
        let store: Store
        do {
            store = try Store.openForPolling(directory: resolved.data, configuration: configuration)
        } catch {
            printError("aggregator: \(error)")
            throw ExitStatus.store
        }
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        let poller = FeedPoller(fetcher: fetcher, store: store, logger: LogSetup.silent)
        let reports = await poller.pollAll(configuration.feeds)

        var inserted = 0, updated = 0, failed = 0, notModified = 0, gone = 0
        for report in reports {
            print(TerminalText.clean(report.summary))
            for warning in report.warnings.prefix(3) { print("  warning: \(TerminalText.clean(warning))") }
            switch report.outcome {
            case .fetched(let new, let changed): inserted += new; updated += changed
            case .notModified, .unchanged, .deferred: notModified += 1
            case .gone: gone += 1
            case .failed, .cancelled: failed += 1
            }
        }
        print("\(reports.count) feeds: \(reports.count - failed - notModified - gone) fetched, \(notModified) not modified, "
              + "\(failed) failed\(gone > 0 ? ", \(gone) gone" : ""); \(inserted) new and \(updated) updated articles")
        if !reports.isEmpty && failed + gone == reports.count { throw ExitCode.failure }
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
