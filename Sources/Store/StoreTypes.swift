import FeedParser
import Foundation

/// One feed as the configuration describes it, for `Store.syncFeeds`.
public struct FeedSubscription: Sendable, Equatable {
    public var url: String
    public var title: String?
    public var tags: [String]
    public var intervalSeconds: Int
    /// Changes whenever the feed's feeds.conf line changes; a feed gone (410) comes back then.
    public var configKey: String
    /// Retention (`keep=`): prune articles older than this many days…
    public var keepDays: Int?
    /// …or beyond this many newest. nil and nil keep everything.
    public var keepCount: Int?

    /// The feed's hooks (`exec=`, `webhook=`): which, for which events.
    public var hooks: [HookSubscription] = []
    /// Whether the first poll of the feed fires its hooks for every article it brings.
    public var hookBacklog = false

    public init(url: String, title: String? = nil, tags: [String] = [], intervalSeconds: Int, configKey: String = "") {
        self.url = url
        self.title = title
        self.tags = tags
        self.intervalSeconds = intervalSeconds
        self.configKey = configKey
    }
}

/// One hook of a feed, as the store's outbox names it.
public struct HookSubscription: Sendable, Equatable, Codable {
    /// `HookConfig.target`: the same hook, the same name.
    public var target: String
    /// `new`, `updated`.
    public var events: [String]

    public init(target: String, events: [String]) {
        self.target = target
        self.events = events
    }
}

/// How the last poll of a feed ended.
public enum FetchOutcome: String, Sendable, Codable {
    case ok, notModified = "not-modified", unchanged, error, gone
}

/// A feed's row: configuration, fetch state and validators.
public struct FeedState: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var configTitle: String?
    public var title: String?
    public var tags: [String]
    public var inConfig: Bool
    public var siteLink: String?
    public var etag: String?
    public var lastModified: String?
    public var lastFetchAt: Date?
    public var lastSuccessAt: Date?
    public var lastOutcome: FetchOutcome?
    public var lastError: String?
    public var errorCount: Int
    public var nextDueAt: Date?
    public var articleCount: Int
    /// Fingerprint of the last body that was parsed and stored.
    public var bodyHash: String?
    /// Where a permanent redirect said the feed now lives; polled instead of `url`.
    public var movedTo: String?
    /// When the server last sent a whole body (200), which is when the validators were set.
    public var lastBodyAt: Date?
    /// The document's own refresh hint (RSS `ttl`, `sy:update*`), in seconds.
    public var refreshHint: Int?
    /// The server said 410 Gone for the feed as it is configured now: not polled until
    /// its feeds.conf line changes.
    public var isGone: Bool

    /// The name to show: the user's title, else the feed's own, else the URL.
    public var displayTitle: String { configTitle ?? title ?? url }

    public init(id: Int64, url: String, configTitle: String?, title: String?, tags: [String], inConfig: Bool,
                siteLink: String?, etag: String?, lastModified: String?, lastFetchAt: Date?, lastSuccessAt: Date?,
                lastOutcome: FetchOutcome?, lastError: String?, errorCount: Int, nextDueAt: Date?, articleCount: Int,
                bodyHash: String? = nil, movedTo: String? = nil, lastBodyAt: Date? = nil, refreshHint: Int? = nil, isGone: Bool) {
        self.id = id
        self.url = url
        self.configTitle = configTitle
        self.title = title
        self.tags = tags
        self.inConfig = inConfig
        self.siteLink = siteLink
        self.etag = etag
        self.lastModified = lastModified
        self.lastFetchAt = lastFetchAt
        self.lastSuccessAt = lastSuccessAt
        self.lastOutcome = lastOutcome
        self.lastError = lastError
        self.errorCount = errorCount
        self.nextDueAt = nextDueAt
        self.articleCount = articleCount
        self.bodyHash = bodyHash
        self.movedTo = movedTo
        self.lastBodyAt = lastBodyAt
        self.refreshHint = refreshHint
        self.isGone = isGone
    }
}

/// What one poll learned about a feed, applied in one transaction.
public struct FeedUpdate: Sendable {
    public enum Result: Sendable {
        /// A feed document was fetched and parsed.
        case fetched(title: String?, siteLink: String?, entries: [ParsedEntry])
        case notModified
        /// A 200 whose body is byte-identical to the last one parsed: not parsed again.
        case unchanged
        /// 410 Gone: polling stops until the feed's feeds.conf line changes.
        case gone
        /// Nothing usable: `message` says why, e.g. `HTTP 404` or `connect: Connection refused`.
        /// `counts` is false when the fault was not the feed's (the machine was offline):
        /// the error is shown but the feed does not move further into backoff.
        case failed(message: String, counts: Bool = true)
    }

    public var result: Result
    public var fetchedAt: Date
    public var nextDueAt: Date
    /// New validators to keep; nil leaves the stored ones as they are.
    public var etag: String??
    public var lastModified: String??
    /// The fingerprint of a body that was parsed and stored.
    public var bodyHash: String?
    /// A permanent redirect's destination, to poll from now on.
    public var movedTo: String?
    /// The document's refresh hint, kept with each parsed body (nil clears it).
    public var refreshHint: Int??
    /// A pause the feed's host asked for (429/503 Retry-After), kept for every feed on it.
    public var hostPause: HostPause?
    /// Entries of a fetched document that `skip=`/`only=` kept out (by position), with
    /// the rule: not stored, counted per feed.
    public var skipped: [Int: String] = [:]

    public init(result: Result, fetchedAt: Date, nextDueAt: Date, etag: String?? = nil, lastModified: String?? = nil,
                bodyHash: String? = nil, movedTo: String? = nil) {
        self.result = result
        self.fetchedAt = fetchedAt
        self.nextDueAt = nextDueAt
        self.etag = etag
        self.lastModified = lastModified
        self.bodyHash = bodyHash
        self.movedTo = movedTo
    }
}

/// A host that asked to be left alone until a time (429 or 503 with Retry-After).
public struct HostPause: Sendable, Equatable {
    /// Lower-cased, without port: the unit a pause applies to.
    public var host: String
    public var until: Date
    /// The HTTP status that asked for it.
    public var status: Int?

    public init(host: String, until: Date, status: Int? = nil) {
        self.host = host
        self.until = until
        self.status = status
    }
}

/// What applying an update changed.
public struct ApplySummary: Sendable, Equatable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// Entries the feed's rules kept out.
    public var skipped = 0
    /// Hook deliveries queued in the outbox.
    public var deliveries = 0

    public init(inserted: Int = 0, updated: Int = 0, unchanged: Int = 0, skipped: Int = 0, deliveries: Int = 0) {
        self.inserted = inserted
        self.updated = updated
        self.unchanged = unchanged
        self.skipped = skipped
        self.deliveries = deliveries
    }
}

/// A stored article with the feed it came from.
public struct StoredArticle: Sendable, Equatable {
    public var id: Int64
    public var feedURL: String
    public var feedTitle: String
    public var guid: String?
    public var link: String?
    public var title: String?
    public var author: String?
    public var published: Date?
    public var updated: Date?
    public var firstSeen: Date
    public var changedAt: Date?
    /// The date the article sorts and filters by.
    public var date: Date
    public var summary: String?
    public var content: String?
    public var categories: [String]
    /// Hash of the canonical link that makes copies in several feeds one story.
    public var story: Int64? = nil
    /// The other feeds (titles) that carried the same story, when copies are folded into one.
    public var alsoIn: [String] = []
    /// What names it in a person's reading (ReadState): the same in any store.
    public var readKey: String = ""
    /// Whether the person whose reading was asked about has read it (nil: not asked).
    public var isRead: Bool? = nil
    public var isStarred: Bool? = nil

    public init(id: Int64, feedURL: String, feedTitle: String, guid: String?, link: String?, title: String?,
                author: String?, published: Date?, updated: Date?, firstSeen: Date, changedAt: Date?, date: Date,
                summary: String?, content: String?, categories: [String], story: Int64? = nil, alsoIn: [String] = [],
                readKey: String = "", isRead: Bool? = nil, isStarred: Bool? = nil) {
        self.id = id
        self.feedURL = feedURL
        self.feedTitle = feedTitle
        self.guid = guid
        self.link = link
        self.title = title
        self.author = author
        self.published = published
        self.updated = updated
        self.firstSeen = firstSeen
        self.changedAt = changedAt
        self.date = date
        self.summary = summary
        self.content = content
        self.categories = categories
        self.story = story
        self.alsoIn = alsoIn
        self.readKey = readKey
        self.isRead = isRead
        self.isStarred = isStarred
    }
}

/// `aggregator list`'s filters.
public struct ArticleQuery: Sendable {
    /// Inclusive lower bound on the article's date.
    public var since: Date?
    /// Exclusive upper bound.
    public var until: Date?
    /// A feed's URL, its configured title, its own title, or one of its tags.
    public var feed: String?
    /// Only feeds carrying this tag.
    public var tag: String?
    /// Only articles matching these words (full-text, as `search` takes them).
    public var search: String?
    public var limit: Int?
    /// Stories (or copies, with `allCopies`) to skip first: paging.
    public var offset: Int = 0
    /// Every copy of a story carried by several feeds, rather than the newest one naming the others.
    public var allCopies: Bool
    /// Only articles the person whose reading is attached has not read (`list --unread`)…
    public var unreadOnly = false
    /// …or has starred.
    public var starredOnly = false
    /// Only articles that arrived after this cursor (`list --new`)…
    public var arrivedAfter: NewCursor?
    /// …and by this row id (where the store stood when asked: the cursor moves there).
    public var arrivedThrough: Int64?

    public init(since: Date? = nil, until: Date? = nil, feed: String? = nil, limit: Int? = nil, allCopies: Bool = false) {
        self.since = since
        self.until = until
        self.feed = feed
        self.limit = limit
        self.allCopies = allCopies
    }
}

/// What `Store.prune` removed.
public struct PruneSummary: Sendable, Equatable {
    public var articles = 0
    public var feeds = 0
    /// Bytes the database file shrank by (freed pages returned to the file system).
    public var bytesFreed: Int64 = 0

    public init(articles: Int = 0, feeds: Int = 0, bytesFreed: Int64 = 0) {
        self.articles = articles
        self.feeds = feeds
        self.bytesFreed = bytesFreed
    }
}
