import FeedParser
import Foundation
import Logging

/// One line per event on stderr. Under systemd (`$JOURNAL_STREAM` set) each line starts
/// with its syslog priority (`<3>`, `<6>`…) so journald files it at the right level and
/// adds its own timestamp; on a terminal or in a file, lines carry a time and a level name.
public struct ConsoleLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let journal: Bool

    public init(label: String, level: Logger.Level = .info,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.label = label
        self.logLevel = level
        self.journal = !(environment["JOURNAL_STREAM"] ?? "").isEmpty
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var text = "\(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if !merged.isEmpty {
            text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        let line: String
        if journal {
            line = "<\(Self.syslogPriority(event.level))>\(text)\n"
        } else {
            line = "\(DateFormatting.local(Date(), seconds: true)) \(event.level.rawValue) \(label): \(text)\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }
}
