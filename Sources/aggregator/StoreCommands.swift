import ArgumentParser
import CommandSupport
import Config
import Foundation
import PostgresStore
import Store

/// `aggregator store …`: moving a store between backends.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Move a store between a folder (SQLite) and PostgreSQL.",
        subcommands: [StoreCopyCommand.self])
}

struct StoreCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every article, feed state, tombstone and pending delivery from one store into another.",
        discussion: """
            Ids are kept; the search index is built by the destination. Stop aggregatord first (or copy a
            backup). Interrupted, the same command goes on where it stopped.
            Example: aggregator store copy --from /var/lib/aggregator --to postgresql://aggregator@db/aggregator
            """)

    @Option(help: ArgumentHelp("The store to read: a folder, or a postgresql:// address.", valueName: "dir|url"))
    var from: String

    @Option(help: ArgumentHelp("The store to write: a postgresql:// address (created when the database has no store).",
                               valueName: "url"))
    var to: String

    func run() async throws {
        let source: StoreLocation, destination: StoreLocation
        do {
            source = try StoreLocation.parse(from)
            destination = try StoreLocation.parse(to)
        } catch {
            printError("aggregator: \(error.message)")
            throw ExitStatus.configuration
        }
        guard case .directory(let folder) = source, case .postgres(let address) = destination else {
            printError("aggregator: store copy goes from a folder to PostgreSQL in this version "
                + "(--from DIR --to postgresql://…); the other way is not written yet")
            throw ExitStatus.configuration
        }
        let store: Store
        do {
            store = try Store(directory: folder, writable: false)
        } catch {
            printError("aggregator: \(error)")
            throw error.kind == .missing ? ExitStatus.noStore : ExitStatus.store
        }
        let postgres: PostgresStore
        do {
            postgres = try await PostgresStore.open(address, create: true)
        } catch {
            printError("aggregator: \(error.message)")
            throw error.kind == .unreachable ? ExitStatus.unavailable : ExitStatus.store
        }
        let started = Date()
        let showProgress = isatty(STDERR_FILENO) == 1
        let summary: PostgresStore.CopySummary
        do {
            summary = try await postgres.closing { target in
                try await target.copy(from: store) { progress in
                    guard showProgress else { return }
                    let percent = progress.total > 0 ? 100 * progress.done / progress.total : 100
                    FileHandle.standardError.write(Data("\r\u{1B}[K\(progress.table): \(progress.done) of \(progress.total) (\(percent)%)".utf8))
                }
            }
        } catch {
            if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
            printError("aggregator: store copy stopped: \(error)\n  Run the same command again to go on where it stopped.")
            throw ExitStatus.store
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let copied = summary.copied["article", default: 0], already = summary.alreadyThere["article", default: 0]
        var line = "copied \(copied) articles and \(summary.copied["feed", default: 0]) feeds from \(folder) to \(address) "
            + "in \(String(format: "%.1f s", Date().timeIntervalSince(started)))"
        if already > 0 { line += " (\(already) articles were there already: went on after them)" }
        print(line)
    }
}
