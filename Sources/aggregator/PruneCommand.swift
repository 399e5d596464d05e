import ArgumentParser
import CommandSupport
import Daemon
import Foundation
import Store

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete articles beyond each feed's keep= now (aggregatord also does it daily).",
        discussion: """
            Articles still in a feed's latest document are never deleted; pruned ones are
            remembered so they are not stored again as new.
            """)

    @OptionGroup var paths: PathOptions

    func run() async throws {
        try paths.requireSQLite("`aggregator prune`")
        let resolved = paths.resolve(writable: true)
        let configuration = try ConfigLoading.load(resolved.config) { printError($0) }
        let summary: PruneSummary
        do {
            // The feed table takes the current keep= values first.
            let store = try Store.openForPolling(directory: resolved.data, configuration: configuration)
            summary = try await store.prune()
        } catch {
            printError("aggregator: \(error)")
            throw ExitStatus.store
        }
        print("pruned \(summary.articles) articles from \(summary.feeds) feeds; "
            + "\(String(format: "%.1f", Double(summary.bytesFreed) / 1_048_576)) MB freed")
    }
}
