import ArgumentParser
import Config

public enum ConfigLoading {
    /// Loads `path`, printing every problem to `report`; throws the EX_CONFIG exit when
    /// the file is missing or has errors (warnings alone do not stop anything).
    public static func load(_ path: String, report: (String) -> Void) throws -> Configuration {
        let configuration: Configuration
        do {
            configuration = try ConfigParser.load(path: path)
        } catch {
            report("\(error)")
            throw ExitStatus.configuration
        }
        for diagnostic in configuration.diagnostics { report(diagnostic.description) }
        guard configuration.isValid else {
            let count = configuration.errors.count
            report("\(path): \(count) error\(count == 1 ? "" : "s"); nothing was started")
            throw ExitStatus.configuration
        }
        return configuration
    }
}
