import Foundation

/// Where the configuration and the store live. Both binaries resolve them the same way:
/// command-line flag → environment variable → systemd's directories → system path if
/// usable → XDG base directories → the current directory.
public struct Paths: Sendable, Equatable {
    public static let configEnvironment = "AGGREGATOR_CONFIG"
    public static let dataEnvironment = "AGGREGATOR_DATA"
    public static let systemConfig = "/etc/aggregator/feeds.conf"
    public static let systemData = "/var/lib/aggregator"

    public var config: String
    public var data: String
    /// Why `data` is the store: said with an empty answer and by `--verbose`.
    public var dataOrigin: DataOrigin
    /// Readers only: a system store that exists but that this account may not read. It is
    /// never passed over in silence: `data` then names the personal store, and the CLI
    /// says why the system store was not read (or stops, when there is no personal store).
    public var unreadableSystemStore: StoreAccess.Denied?

    public init(config: String, data: String, dataOrigin: DataOrigin = .flag,
                unreadableSystemStore: StoreAccess.Denied? = nil) {
        self.config = config
        self.data = data
        self.dataOrigin = dataOrigin
        self.unreadableSystemStore = unreadableSystemStore
    }

    /// - Parameters:
    ///   - writable: the daemon and `fetch` write the store; the CLI's queries only read it.
    ///   - systemData: the system store's folder (tests point it elsewhere).
    ///   - probe: whether a folder holds a store this account may read.
    public static func resolve(
        config flagConfig: String?, data flagData: String?, writable: Bool,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        fileManager: FileManager = .default,
        systemData: String = Paths.systemData,
        probe: (String) -> StoreAccess = StoreAccess.probe(directory:)
    ) -> Paths {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }

        let config: String = {
            if let flag = flagConfig { return flag }
            if let env = nonEmpty(configEnvironment) { return env }
            // systemd's ConfigurationDirectory= sets this; it may list several folders.
            if let dir = nonEmpty("CONFIGURATION_DIRECTORY")?.split(separator: ":").first {
                return dir + "/feeds.conf"
            }
            if fileManager.isReadableFile(atPath: systemConfig) { return systemConfig }
            let xdg = nonEmpty("XDG_CONFIG_HOME") ?? home.map { $0 + "/.config" }
            if let xdg, fileManager.isReadableFile(atPath: xdg + "/aggregator/feeds.conf") {
                return xdg + "/aggregator/feeds.conf"
            }
            return "feeds.conf"
        }()

        var denied: StoreAccess.Denied?
        let (data, origin): (String, DataOrigin) = {
            if let flag = flagData { return (flag, .flag) }
            if let env = nonEmpty(dataEnvironment) { return (env, .environment) }
            if let dir = nonEmpty("STATE_DIRECTORY")?.split(separator: ":").first { return (String(dir), .systemd) }
            if writable {
                if fileManager.isWritableFile(atPath: systemData) { return (systemData, .system) }
            } else {
                switch probe(systemData) {
                case .readable: return (systemData, .system)
                case .denied(let reason): denied = reason
                case .missing: break
                }
            }
            let xdg = nonEmpty("XDG_DATA_HOME") ?? home.map { $0 + "/.local/share" }
            if let xdg { return (xdg + "/aggregator", .personal) }
            return (".", .currentDirectory)
        }()
        return Paths(config: config, data: data, dataOrigin: origin, unreadableSystemStore: denied)
    }
}

extension Paths {
    public static let stateEnvironment = "AGGREGATOR_STATE"

    /// Where a person's reading (read, starred, the `list --new` cursor) is kept: their
    /// own, whichever store they read — readers of the system store may not write it.
    /// `$AGGREGATOR_STATE`, else `$XDG_STATE_HOME/aggregator`, else `~/.local/state/aggregator`.
    public static func personalState(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        if let flag = nonEmpty(stateEnvironment) { return flag }
        if let xdg = nonEmpty("XDG_STATE_HOME") { return xdg + "/aggregator" }
        if let home = nonEmpty("HOME") { return home + "/.local/state/aggregator" }
        if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) + "/.local/state/aggregator" }
        return nil
    }
}

/// Why a folder was taken for the store.
public enum DataOrigin: String, Sendable, Equatable {
    case flag = "--data"
    case environment = "$AGGREGATOR_DATA"
    case systemd = "$STATE_DIRECTORY"
    case system = "the system store"
    case personal = "your own store"
    case currentDirectory = "the current folder"
}

/// Whether this account may read the store in a folder. `FileManager.fileExists` cannot
/// tell: it answers false for a store that exists behind a folder the account may not
/// enter, and a person would be told there is no store when the truth is a permission.
public enum StoreAccess: Sendable, Equatable {
    case readable
    /// No store there: the folder or its database file does not exist.
    case missing
    /// It exists, but this account may not read it.
    case denied(Denied)

    public struct Denied: Sendable, Equatable {
        /// The store's folder.
        public var directory: String
        /// The group whose members may read it (the folder's group), when it can be told.
        public var group: String?

        public init(directory: String, group: String?) {
            self.directory = directory
            self.group = group
        }
    }

    /// The store's database file in its folder.
    public static let databaseName = "aggregator.sqlite"

    public static func probe(directory: String) -> StoreAccess {
        if access(directory + "/" + databaseName, R_OK) == 0 { return .readable }
        switch errno {
        case ENOENT, ENOTDIR: return .missing
        default: return .denied(Denied(directory: directory, group: groupName(of: directory)))  // EACCES, EPERM
        }
    }

    /// The name of the group owning `path` (nil when it cannot be looked at or named).
    static func groupName(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, let group = getgrgid(info.st_gid) else { return nil }
        return String(cString: group.pointee.gr_name)
    }
}
