import Foundation
import ArgumentParser
import Config

/// `--config` and `--data`, the same in both binaries.
public struct PathOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The feeds.conf to read (default: $AGGREGATOR_CONFIG, /etc/aggregator/feeds.conf, "
            + "~/.config/aggregator/feeds.conf, ./feeds.conf).", valueName: "path"))
    public var config: String?

    @Option(name: .long, help: ArgumentHelp(
        "The folder holding the store (default: $AGGREGATOR_DATA, /var/lib/aggregator, "
            + "~/.local/share/aggregator).", valueName: "dir"))
    public var data: String?

    @Option(name: .long, help: ArgumentHelp(
        "The store: a PostgreSQL address (postgresql://user@host:5432/aggregator) or a folder "
            + "(default: $AGGREGATOR_STORE, else feeds.conf's `default store=`, else --data's).", valueName: "url|dir"))
    public var store: String?

    public init() {}

    public func resolve(writable: Bool) -> Paths {
        var paths = Paths.resolve(config: config, data: data, writable: writable)
        if case .directory(let folder)? = (try? choice(config: paths.config))??.location {
            paths = Paths.resolve(config: config, data: folder, writable: writable)
        }
        return paths
    }

    /// The store `--store`, `AGGREGATOR_STORE` or feeds.conf names, when one does.
    public func choice(config path: String? = nil) throws(StoreChoice.Problem) -> (location: StoreLocation, origin: String)? {
        try StoreChoice.resolve(flagStore: store, flagData: data) {
            let file = path ?? Paths.resolve(config: config, data: data, writable: false).config
            return ConfigParser.storeSetting(path: file).map { ($0.location, "\(file):\($0.line)") }
        }
    }

    /// The PostgreSQL store chosen, if it is one.
    public func postgres() throws(StoreChoice.Problem) -> (address: PostgresAddress, origin: String)? {
        guard let chosen = try choice(), case .postgres(let address) = chosen.location else { return nil }
        return (address, chosen.origin)
    }

    /// For what works on the SQLite store only, so far: stops, saying so, when the store
    /// chosen is PostgreSQL, instead of quietly using another store.
    public func requireSQLite(_ what: String) throws {
        let chosen: (address: PostgresAddress, origin: String)?
        do { chosen = try postgres() } catch {
            FileHandle.standardError.write(Data("aggregator: \(error.message)\n".utf8))
            throw ExitStatus.configuration
        }
        guard let chosen else { return }
        FileHandle.standardError.write(Data(("aggregator: \(what) works on the SQLite store only in this version; "
            + "the store is \(chosen.address) (from \(chosen.origin)). On PostgreSQL today: aggregatord (a fleet), "
            + "list, feeds, search, store copy (README: Many feeds, several machines)\n").utf8))
        throw ExitStatus.store
    }
}

/// Exit statuses from sysexits.h, which systemd and shell scripts understand.
public enum ExitStatus {
    /// A broken `feeds.conf` (EX_CONFIG).
    public static let configuration = ExitCode(78)
    /// The store cannot be opened or created (EX_CANTCREAT).
    public static let store = ExitCode(73)
    /// Another aggregatord holds the store's lock, or the store needs its writer once
    /// before it can be read (EX_TEMPFAIL: it may work later).
    public static let locked = ExitCode(75)
    /// There is no store to read where it was looked for (EX_NOINPUT).
    public static let noStore = ExitCode(66)
    /// The store exists, but this account may not read it (EX_NOPERM).
    public static let permission = ExitCode(77)
    /// The store's server cannot be reached (EX_UNAVAILABLE).
    public static let unavailable = ExitCode(69)
    /// The store is damaged (EX_DATAERR): refused, never written to; `aggregator check` says more.
    public static let damaged = ExitCode(65)

    /// What a person does about a damaged store, after the line that names it.
    public static let damagedAdvice = """
          `aggregator check` says what is wrong. The way out: stop aggregatord, then restore a copy made by
          `aggregator backup`, or keep what can still be read: sqlite3 FILE .recover | sqlite3 NEW.sqlite
          (README: When things go wrong).
        """
}
