import ArgumentParser
import CommandSupport
import Config
import Foundation
import Store

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the store and its search index for damage (SQLite's integrity and foreign key checks).",
        discussion: """
            Read-only: safe while aggregatord runs, and open to members of the store's group.
            Exit status 65 when the store is damaged; a damaged search index alone is rebuilt by
            aggregatord when it starts (it holds nothing the store cannot give again).
            """)

    @OptionGroup var paths: PathOptions

    func run() throws {
        try paths.requireSQLite("`aggregator check`")
        let directory = paths.resolve(writable: false).data
        if case .denied(let denied) = StoreAccess.probe(directory: directory) {
            printError(StoreMessages.permissionDenied(denied))
            throw ExitStatus.permission
        }
        let findings = StoreCheck.run(directory: directory)
        var storeDamaged = false
        for finding in findings {
            let name = (finding.file as NSString).lastPathComponent
            let isStore = name == Store.fileName
            switch finding.verdict {
            case .ok:
                print("\(finding.file): ok" + (isStore ? " (integrity and foreign keys)" : " (integrity)"))
            case .missing:
                if isStore {
                    printError("aggregator: nothing to check: no store in \(directory)")
                    throw ExitStatus.noStore
                }
                print("\(finding.file): not there yet (aggregatord builds the search index from the store)")
            case .damaged(let problems):
                storeDamaged = storeDamaged || isStore
                print(Self.damaged(finding.file, isStore: isStore,
                                   what: "SQLite's checks found \(problems.count == 100 ? "100 or more" : "\(problems.count)") "
                                       + "problem\(problems.count == 1 ? "" : "s"); the first: \(problems[0])"))
            case .unreadable(let reason):
                storeDamaged = storeDamaged || isStore
                print(Self.damaged(finding.file, isStore: isStore, what: "SQLite could not read it through (\(reason))"))
            }
        }
        if storeDamaged { throw ExitStatus.damaged }
    }

    static func damaged(_ file: String, isStore: Bool, what: String) -> String {
        guard isStore else {
            return "\(file): DAMAGED: \(what).\n  It is the search index: it holds nothing the store cannot give again, "
                + "and aggregatord rebuilds it when it starts (searches meanwhile may miss articles)."
        }
        return "\(file): DAMAGED: \(what).\n  Articles in it may be unreadable, and aggregatord will not start on it.\n"
            + ExitStatus.damagedAdvice.replacingOccurrences(of: "FILE", with: file)
    }
}
