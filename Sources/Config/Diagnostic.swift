/// A problem found in `feeds.conf`, located by file and line so an editor can jump to it.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }

    public let file: String
    public let line: Int
    public let severity: Severity
    public let message: String

    public init(file: String, line: Int, severity: Severity, message: String) {
        self.file = file
        self.line = line
        self.severity = severity
        self.message = message
    }

    /// `feeds.conf:12: unknown option 'intervall'` — warnings say so, errors need no label.
    public var description: String {
        switch severity {
        case .error: return "\(file):\(line): \(message)"
        case .warning: return "\(file):\(line): warning: \(message)"
        }
    }
}
