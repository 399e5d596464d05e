import ArgumentParser
import CommandSupport
import Config
import Foundation
import PostgresStore
import Store

/// `--config`, `--data` and `--verbose` for the commands that read the store, and the one
/// way they open it: the system store when this account may read it, else the person's
/// own — and every reason a store cannot be read, said so a person can act on it.
struct ReadingOptions: ParsableArguments {
    @OptionGroup var paths: PathOptions

    @Flag(name: [.customShort("v"), .long], help: "Say which store and feeds.conf are read (on stderr).")
    var verbose = false

    /// The store, read-only, with as much of the person's reading (ReadState) as the
    /// command needs; or the command ends with the reason and a sysexits status.
    func open(reading need: ReadingNeed = .ifKept) throws -> ReadStore {
        try paths.requireSQLite("`aggregator \(CommandLine.arguments.dropFirst().first ?? "")`")
        let resolved = paths.resolve(writable: false)
        let state = try PersonalReading.open(need)
        if verbose {
            printError("aggregator: store \(resolved.data) (\(resolved.dataOrigin.rawValue)); feeds.conf \(resolved.config)")
        }
        if let denied = resolved.unreadableSystemStore {
            // Never passed over in silence: the person's own store is read only when there is one.
            guard StoreAccess.probe(directory: resolved.data) == .readable else {
                printError(StoreMessages.permissionDenied(denied))
                throw ExitStatus.permission
            }
            printError("aggregator: note: reading your own store \(resolved.data); "
                + StoreMessages.systemStoreNotReadable(denied))
        }
        do {
            return ReadStore(store: try Store(directory: resolved.data, writable: false, readState: state),
                             paths: resolved, state: state)
        } catch {
            switch error.kind {
            case .missing:
                printError(StoreMessages.nothingCollected(resolved))
                throw ExitStatus.noStore
            case .permissionDenied:
                printError(StoreMessages.permissionDenied(StoreAccess.Denied(
                    directory: resolved.data, group: Self.groupName(of: resolved.data))))
                throw ExitStatus.permission
            case .damaged:
                printError("aggregator: \(error)\n" + ExitStatus.damagedAdvice)
                throw ExitStatus.damaged
            case .needsWriter:
                printError("aggregator: \(error)\n  For the system service: sudo systemctl restart aggregator")
                throw ExitStatus.locked
            case .other:
                printError("aggregator: \(error)")
                throw ExitStatus.store
            }
        }
    }

    private static func groupName(of directory: String) -> String? {
        if case .denied(let denied) = StoreAccess.probe(directory: directory) { return denied.group }
        return nil
    }
}

extension ReadingOptions {
    /// The PostgreSQL store, connected, when the store chosen is one (`--store`,
    /// `AGGREGATOR_STORE`, feeds.conf); nil for the SQLite store. Failures end the command
    /// with their reason and a sysexits status.
    func openPostgres() async throws -> PostgresStore? {
        let chosen: (address: PostgresAddress, origin: String)?
        do { chosen = try paths.postgres() } catch {
            printError("aggregator: \(error.message)")
            throw ExitStatus.configuration
        }
        guard let chosen else { return nil }
        if verbose { printError("aggregator: store \(chosen.address) (from \(chosen.origin))") }
        do {
            return try await PostgresStore.open(chosen.address, create: false)
        } catch {
            printError("aggregator: \(error.message)")
            throw error.exitStatus
        }
    }
}

extension PostgresStore.Failure {
    /// The sysexits status a command ends with.
    var exitStatus: ExitCode {
        switch kind {
        case .missing: return ExitStatus.noStore
        case .authentication: return ExitStatus.permission
        case .unreachable: return ExitStatus.unavailable
        case .other: return ExitStatus.store
        }
    }
}

/// An open store and where it was found, with the person's reading when there is one.
struct ReadStore {
    let store: Store
    let paths: Paths
    let state: ReadState?

    /// The person's reading, for a command that changes it.
    func requireState() throws -> ReadState {
        guard let state else { throw ExitStatus.store }  // `open(reading: .required)` said why
        return state
    }

    /// What names this store for the `list --new` cursor: its folder, resolved.
    var cursorName: String {
        URL(fileURLWithPath: paths.data).resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// Said on stderr when a command has nothing to show, so an empty answer always names
    /// the store it came from — and tells an empty store from filters that matched nothing.
    func reportEmpty(_ what: String = "no articles match") {
        let collected = (try? store.articleCount()) ?? 0
        if collected == 0 {
            printError(StoreMessages.nothingCollected(paths, storeExists: true))
        } else {
            printError("aggregator: \(what) (store: \(paths.data), \(paths.dataOrigin.rawValue))")
        }
    }
}

/// How much a command needs of the person's reading.
enum ReadingNeed {
    /// Shown when it is kept (read/starred in JSON); never created for it.
    case ifKept
    /// Changed when possible (`show` marks read); a note when it cannot be kept.
    case whenPossible
    /// The command is about it (`read`, `list --unread`): it cannot go on without.
    case required
}

/// Opening the person's reading (`Paths.personalState`).
enum PersonalReading {
    static func open(_ need: ReadingNeed) throws -> ReadState? {
        guard let directory = Paths.personalState() else {
            if need == .required {
                printError("aggregator: no place to keep your reading: set $XDG_STATE_HOME or $HOME")
                throw ExitStatus.store
            }
            return nil
        }
        if need == .ifKept && !FileManager.default.fileExists(atPath: directory + "/" + ReadState.fileName) { return nil }
        do {
            return try ReadState(directory: directory)
        } catch {
            let message = "cannot keep your reading in \(directory): \(Self.reason(error))"
            if need == .required {
                printError("aggregator: " + message)
                throw ExitStatus.store
            }
            if need == .whenPossible { printError("aggregator: note: " + message) }
            return nil
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? CocoaError, let underlying = error.underlying as? POSIXError {
            return String(cString: strerror(underlying.code.rawValue))
        }
        return "\(error)"
    }
}

/// What a person is told about the store they tried to read.
enum StoreMessages {
    static func permissionDenied(_ denied: StoreAccess.Denied) -> String {
        let user = currentUserName()
        var text = "aggregator: permission denied: \(user) may not read the store in \(denied.directory)"
        if let group = denied.group, group != "root" {
            text += "\n  Members of the group '\(group)' may read it. To join, an administrator runs:"
                + "\n    sudo usermod -aG \(group) \(user)"
                + "\n  then log out and in again (or start a shell in the group: newgrp \(group))."
        } else {
            text += "\n  Ask its owner for read access, or read another store with --data DIR."
        }
        return text
    }

    static func systemStoreNotReadable(_ denied: StoreAccess.Denied) -> String {
        var text = "the system store \(denied.directory) exists but \(currentUserName()) may not read it"
        if let group = denied.group, group != "root" { text += " (sudo usermod -aG \(group) \(currentUserName()))" }
        return text
    }

    static func nothingCollected(_ paths: Paths, storeExists: Bool = false) -> String {
        if storeExists {
            return "aggregator: nothing collected yet in \(paths.data) (\(paths.dataOrigin.rawValue)): "
                + "no article has been stored; `aggregator feeds` shows how the polls went"
        }
        var text = "aggregator: nothing collected yet: no store in \(paths.data) (\(paths.dataOrigin.rawValue))"
        if paths.dataOrigin == .personal && paths.unreadableSystemStore == nil {
            text += " nor in \(Paths.systemData)"
        }
        return text + "\n  Start aggregatord (sudo systemctl enable --now aggregator), or poll once: aggregator fetch"
    }

    static func currentUserName() -> String {
        if let entry = getpwuid(getuid()) { return String(cString: entry.pointee.pw_name) }
        return "uid \(getuid())"
    }
}
