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
        abstract: "Copy every article, feed state, tombstone and pending delivery from one store into another (SQLite <-> PostgreSQL).",
        discussion: """
            Ids are kept; the search index is built by the destination. Stop aggregatord first (or copy a
            backup). Interrupted, the same command goes on where it stopped.
            Example: aggregator store copy --from /var/lib/aggregator --to postgresql://aggregator@db/aggregator
            """)

    @Option(help: ArgumentHelp("The store to read: a folder, or a postgresql:// address.", valueName: "dir|url"))
    var from: String

    @Option(help: ArgumentHelp("The store to write: a postgresql:// address (its tables made when the database has none), "
                               + "or a folder (a store made there when there is none).", valueName: "url|dir"))
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
        switch (source, destination) {
        case (.directory(let folder), .postgres(let address)):
            let store = try Self.openSQLite(folder, create: false)
            let postgres = try await Self.openPostgres(address, create: true)
            try await report(from: folder, to: address.description) { progress in
                try await postgres.closing { try await $0.copy(from: store, progress: progress) }
            }
        case (.postgres(let address), .directory(let folder)):
            let postgres = try await Self.openPostgres(address, create: false)
            let store = try Self.openSQLite(folder, create: true)
            try await report(from: address.description, to: folder) { progress in
                try await postgres.closing { try await $0.copy(into: store, progress: progress) }
            }
            store.finishWriting()
        default:
            printError("aggregator: store copy goes between a folder and PostgreSQL: --from DIR --to postgresql://… "
                + "or --from postgresql://… --to DIR")
            throw ExitStatus.configuration
        }
    }

    static func openSQLite(_ folder: String, create: Bool) throws -> Store {
        if !create && !FileManager.default.fileExists(atPath: folder + "/" + Store.fileName) {
            printError("aggregator: no store in \(folder)")
            throw ExitStatus.noStore
        }
        do {
            return try Store(directory: folder, writable: create)
        } catch {
            printError("aggregator: \(error)")
            throw error.kind == .missing ? ExitStatus.noStore : ExitStatus.store
        }
    }

    static func openPostgres(_ address: PostgresAddress, create: Bool) async throws -> PostgresStore {
        do {
            return try await PostgresStore.open(address, create: create)
        } catch {
            printError("aggregator: \(error.message)")
            throw error.exitStatus
        }
    }

    /// Runs the copy with a progress line on a terminal, then says what it did.
    func report(from: String, to: String,
                _ copy: (@escaping @Sendable (PostgresStore.CopyProgress) -> Void) async throws -> PostgresStore.CopySummary) async throws {
        let started = Date()
        let showProgress = isatty(STDERR_FILENO) == 1
        let summary: PostgresStore.CopySummary
        do {
            summary = try await copy { progress in
                guard showProgress else { return }
                let percent = progress.total > 0 ? 100 * progress.done / progress.total : 100
                FileHandle.standardError.write(Data("\r\u{1B}[K\(progress.table): \(progress.done) of \(progress.total) (\(percent)%)".utf8))
            }
        } catch {
            if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
            printError("aggregator: store copy stopped: \(error)\n  Run the same command again to go on where it stopped.")
            throw ExitStatus.store
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let copied = summary.copied["article", default: 0], already = summary.alreadyThere["article", default: 0]
        var line = "copied \(copied) articles and \(summary.copied["feed", default: 0]) feeds from \(from) to \(to) "
            + "in \(String(format: "%.1f s", Date().timeIntervalSince(started)))"
        if already > 0 { line += " (\(already) articles were there already: went on after them)" }
        print(line)
    }
}
