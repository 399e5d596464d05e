import Config
import FeedParser
import Foundation

/// A feed's `skip=`/`only=` rules, compiled, deciding for each parsed entry whether it is
/// stored. Pure: an entry in, a verdict out. An entry is kept when no `skip=` rule
/// matches and, if the feed has `only=` rules, at least one of them matches.
public struct ArticleFilter: Sendable {
    struct Compiled: @unchecked Sendable {  // NSRegularExpression is immutable once made
        let rule: FilterRule
        let expression: NSRegularExpression
    }

    let skips: [Compiled]
    let onlys: [Compiled]

    public var isEmpty: Bool { skips.isEmpty && onlys.isEmpty }

    /// Rules config already checked; one that somehow does not compile is left out.
    public init(_ rules: [FilterRule]) {
        let compiled = rules.compactMap { rule in
            (try? NSRegularExpression(pattern: rule.pattern, options: [.caseInsensitive])).map { Compiled(rule: rule, expression: $0) }
        }
        skips = compiled.filter { $0.rule.kind == .skip }
        onlys = compiled.filter { $0.rule.kind == .only }
    }

    /// nil: stored. Otherwise the rule that keeps it out, as written (`skip=title:…`), or
    /// for a feed with `only=` rules none of which matched, `only=` and its patterns.
    public func verdict(_ entry: ParsedEntry) -> String? {
        if let skip = skips.first(where: { Self.matches($0, entry) }) { return skip.rule.text }
        guard !onlys.isEmpty else { return nil }
        if onlys.contains(where: { Self.matches($0, entry) }) { return nil }
        return "no only= matched (" + onlys.map(\.rule.text).joined(separator: ", ") + ")"
    }

    /// The entries it keeps out, by position, with the rule.
    public func skipped(_ entries: [ParsedEntry]) -> [Int: String] {
        guard !isEmpty else { return [:] }
        var out: [Int: String] = [:]
        for (index, entry) in entries.enumerated() {
            if let rule = verdict(entry) { out[index] = rule }
        }
        return out
    }

    static func matches(_ compiled: Compiled, _ entry: ParsedEntry) -> Bool {
        let values: [String]
        switch compiled.rule.field {
        case .title: values = [entry.title ?? ""]
        case .author: values = [entry.author ?? ""]
        case .category: values = entry.categories
        case .link: values = [entry.link ?? ""]
        // The text as stored (summary and content, HTML as sanitised).
        case .content: values = [entry.content ?? "", entry.summary ?? ""]
        }
        return values.contains { value in
            compiled.expression.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
        }
    }
}

/// Compiled filters by their rules, so a feed's expressions are compiled once, not at
/// every poll.
final class FilterCache: @unchecked Sendable {  // `filters` only under `lock`
    static let shared = FilterCache()
    private let lock = NSLock()
    private var filters: [[FilterRule]: ArticleFilter] = [:]

    func filter(for rules: [FilterRule]) -> ArticleFilter {
        guard !rules.isEmpty else { return ArticleFilter([]) }
        return lock.withLock {
            if let known = filters[rules] { return known }
            let filter = ArticleFilter(rules)
            filters[rules] = filter
            return filter
        }
    }
}
