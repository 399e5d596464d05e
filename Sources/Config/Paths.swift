import Foundation

/// Where the configuration and the store live. Both binaries resolve them the same way:
/// command-line flag → environment variable → systemd's directories → system path if
/// present → XDG base directories → the current directory.
public struct Paths: Sendable, Equatable {
    public static let configEnvironment = "AGGREGATOR_CONFIG"
    public static let dataEnvironment = "AGGREGATOR_DATA"
    public static let systemConfig = "/etc/aggregator/feeds.conf"
    public static let systemData = "/var/lib/aggregator"

    public var config: String
    public var data: String

    public init(config: String, data: String) {
        self.config = config
        self.data = data
    }

    /// - Parameter writable: the daemon needs to write the store; the CLI's queries only read it.
    public static func resolve(
        config flagConfig: String?, data flagData: String?, writable: Bool,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        fileManager: FileManager = .default
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

        let data: String = {
            if let flag = flagData { return flag }
            if let env = nonEmpty(dataEnvironment) { return env }
            if let dir = nonEmpty("STATE_DIRECTORY")?.split(separator: ":").first { return String(dir) }
            let usable = writable ? fileManager.isWritableFile(atPath: systemData)
                                  : fileManager.isReadableFile(atPath: systemData + "/aggregator.sqlite")
            if usable { return systemData }
            let xdg = nonEmpty("XDG_DATA_HOME") ?? home.map { $0 + "/.local/share" }
            if let xdg { return xdg + "/aggregator" }
            return "."
        }()
        return Paths(config: config, data: data)
    }
}
