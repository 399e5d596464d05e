import Foundation

/// One `skip=` or `only=` rule: a regular expression on one field of an article
/// (`title:`, `author:`, `category:`, `link:`, `content:`; no prefix means the title),
/// case-insensitive unless the pattern says `(?-i)`.
public struct FilterRule: Sendable, Hashable {
    public enum Kind: String, Sendable { case skip, only }
    public enum Field: String, Sendable, CaseIterable { case title, author, category, link, content }

    public var kind: Kind
    public var field: Field
    public var pattern: String

    /// As written in feeds.conf (`skip=title:…`), for messages.
    public var text: String { "\(kind.rawValue)=\(field.rawValue):\(pattern)" }

    public init(kind: Kind, field: Field, pattern: String) {
        self.kind = kind
        self.field = field
        self.pattern = pattern
    }

    /// Reads `title:Sponsored|Advert`; nil (and why) for an empty or invalid pattern.
    public static func parse(_ kind: Kind, _ value: String) -> Result<FilterRule, ConfigProblem> {
        var field = Field.title
        var pattern = value
        if let colon = value.firstIndex(of: ":"), let named = Field(rawValue: value[..<colon].lowercased()) {
            field = named
            pattern = String(value[value.index(after: colon)...])
        }
        guard !pattern.isEmpty else { return .failure(ConfigProblem("\(kind.rawValue)=\(value): empty pattern")) }
        do {
            _ = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        } catch {
            return .failure(ConfigProblem("invalid \(kind.rawValue) pattern '\(pattern)': not a regular expression "
                + "(ICU syntax; inside quotes write \\\\ for a backslash only before a quote or a backslash)"))
        }
        return .success(FilterRule(kind: kind, field: field, pattern: pattern))
    }
}

/// A problem with one option's value, said in the words of feeds.conf.
public struct ConfigProblem: Error, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
}
