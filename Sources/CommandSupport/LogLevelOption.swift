import ArgumentParser
import CProcessShims
import Daemon
import Foundation
import Logging

extension Logger.Level: @retroactive ExpressibleByArgument {}

public enum LogSetup {
    /// Routes swift-log to stderr, journald-aware, once per process.
    public static func bootstrap(level: Logger.Level) {
        _ = aggregator_thread_priorities_fixed()  // libdispatch's renicing is answered here (thread_priority.c)
        LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: level) }
    }

    /// A logger to stderr, warnings and worse, for a CLI command that runs daemon parts
    /// (`fetch` delivering hooks).
    public static func stderr(label: String) -> Logger {
        Logger(label: label, factory: { label in ConsoleLogHandler(label: label, level: .warning) })
    }

    /// A logger that prints nothing, for CLI commands that report on their own.
    public static let silent = Logger(label: "aggregator", factory: { _ in SwiftLogNoOpLogHandler() })
}
