import Foundation

/// The formats the parser recognises, named as in the `aggregator parse` JSON contract.
public enum FeedFormat: String, Sendable, Codable {
    case rss090 = "rss0.90", rss091 = "rss0.91", rss092 = "rss0.92", rss10 = "rss1.0", rss20 = "rss2.0"
    case atom03 = "atom0.3", atom10 = "atom1.0"
    case json10 = "json1.0", json11 = "json1.1"
    /// Microsoft's Channel Definition Format (1997): `<CHANNEL HREF=…>` with `<ITEM>`s.
    case cdf
}

public struct ParsedPerson: Sendable, Equatable, Hashable {
    public var name: String?
    public var email: String?
    public var uri: String?

    public init(name: String? = nil, email: String? = nil, uri: String? = nil) {
        self.name = name
        self.email = email
        self.uri = uri
    }

    var isEmpty: Bool { name == nil && email == nil && uri == nil }
}

public struct ParsedEnclosure: Sendable, Equatable, Hashable {
    public var url: String
    public var type: String?
    public var length: Int64?

    public init(url: String, type: String? = nil, length: Int64? = nil) {
        self.url = url
        self.type = type
        self.length = length
    }
}

/// One item (RSS) or entry (Atom), in the shape every format is adapted to.
public struct ParsedEntry: Sendable, Equatable {
    /// guid / atom:id as written; nil when the document has none.
    public var id: String?
    /// Plain text.
    public var title: String?
    /// Absolute URL.
    public var link: String?
    public var published: Date?
    public var updated: Date?
    public var authors: [ParsedPerson] = []
    /// HTML.
    public var summary: String?
    /// HTML.
    public var content: String?
    public var categories: [String] = []
    public var enclosures: [ParsedEnclosure] = []
    /// Podcast episode length in seconds (`itunes:duration`).
    public var duration: Int?
    /// Episode artwork (`itunes:image`).
    public var image: String?
    /// `slash:comments`.
    public var commentCount: Int?

    public init(id: String? = nil, title: String? = nil, link: String? = nil, published: Date? = nil,
                updated: Date? = nil, authors: [ParsedPerson] = [], summary: String? = nil,
                content: String? = nil, categories: [String] = [], enclosures: [ParsedEnclosure] = []) {
        self.id = id
        self.title = title
        self.link = link
        self.published = published
        self.updated = updated
        self.authors = authors
        self.summary = summary
        self.content = content
        self.categories = categories
        self.enclosures = enclosures
    }

    /// The first author's name, or their e-mail when that is all there is.
    public var author: String? { authors.lazy.compactMap { $0.name ?? $0.email }.first }
}

/// What the parser understood of one feed document.
public struct ParsedFeed: Sendable, Equatable {
    public var format: FeedFormat
    public var title: String?
    public var link: String?
    public var description: String?
    public var language: String?
    public var updated: Date?
    public var authors: [ParsedPerson] = []
    /// The feed's artwork (`itunes:image`).
    public var image: String?
    /// The feed's own categories (`itunes:category`, nested ones included; RSS and Atom
    /// channel-level categories).
    public var categories: [String] = []
    /// How often the publisher says the feed changes, in seconds: RSS `ttl`, or
    /// `sy:updatePeriod` / `sy:updateFrequency`. A hint for the scheduler.
    public var refreshInterval: Int?
    /// Document order.
    public var entries: [ParsedEntry] = []
    /// Recoverable problems, each starting with `line L:C:` where the document had one.
    public var warnings: [String] = []

    public init(format: FeedFormat) {
        self.format = format
    }
}

/// The input is not a feed at all; `reason` says what it looks like instead.
public struct NotAFeed: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { "not a feed: \(reason)" }
}
