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

    public init() {}

    public func resolve(writable: Bool) -> Paths {
        Paths.resolve(config: config, data: data, writable: writable)
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
    /// The store is damaged (EX_DATAERR): refused, never written to; `aggregator check` says more.
    public static let damaged = ExitCode(65)

    /// What a person does about a damaged store, after the line that names it.
    public static let damagedAdvice = """
          `aggregator check` says what is wrong. The way out: stop aggregatord, then restore a copy made by
          `aggregator backup`, or keep what can still be read: sqlite3 FILE .recover | sqlite3 NEW.sqlite
          (README: When things go wrong).
        """
}
