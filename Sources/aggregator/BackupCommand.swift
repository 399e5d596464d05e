import ArgumentParser
import CommandSupport
import Foundation
import Store

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the store into a folder, safely while aggregatord runs.",
        discussion: """
            The copy is a store of its own: aggregator --data DEST list reads it. Its search index
            is rebuilt from it when first needed. Example: aggregator backup /var/backups/aggregator
            """)

    @OptionGroup var reading: ReadingOptions

    @Argument(help: ArgumentHelp("The folder to write the copy into (created when missing).", valueName: "dest"))
    var destination: String

    @Flag(help: "Replace a copy already in that folder.")
    var replace = false

    func run() throws {
        let read = try reading.open()
        let started = Date()
        do {
            let summary = try read.store.backup(to: destination, replacing: replace)
            print("backed up \(summary.articles) articles (\(String(format: "%.1f MB", Double(summary.bytes) / 1_048_576))) "
                + "from \(read.paths.data) to \(summary.path) in \(String(format: "%.1f s", Date().timeIntervalSince(started)))")
        } catch {
            printError("aggregator: backup: \(error)")
            throw ExitStatus.store
        }
    }
}
