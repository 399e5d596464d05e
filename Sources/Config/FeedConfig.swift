/// One feed as the user configured it in `feeds.conf`.
public struct FeedConfig: Sendable, Equatable {
    /// The URL to poll, absolute (`file:` paths already resolved against the config's folder).
    public var url: String
    public var title: String?
    public var tags: [String]
    /// Seconds between polls.
    public var interval: Int
    /// Seconds a whole transfer may take.
    public var timeout: Int
    /// Where the feed is listed, for messages.
    public var line: Int
    /// Stretch the interval to the feed's own posting rate (never below `interval`).
    public var adaptive: Bool = false
    /// Sent instead of the default `User-Agent`; nil for the default.
    public var userAgent: String?
    /// How much of the feed's history to keep (`keep=`); nil keeps everything.
    public var retention: Retention?
    /// `skip=` and `only=` rules, a `default` line's first: which articles are not stored.
    public var filters: [FilterRule] = []
    /// `exec=`: a program run for each new article (split like systemd's ExecStart=).
    public var exec: [String]?
    /// `webhook=`: a URL the article is POSTed to; `webhook-secret-file=` signs it.
    public var webhook: String?
    public var webhookSecretFile: String?
    /// `on=`: which events fire the hooks.
    public var hookEvents: Set<HookConfig.Event> = [.new]
    /// `hook-backlog=yes`: the first poll of the feed fires for every article it brings.
    public var hookBacklog = false
    /// `hook-timeout=`: seconds a program or a receiver may take.
    public var hookTimeout = 30
    /// `hook-retry=`: how long a failing delivery is retried before it is kept as failed.
    public var hookRetry = 86_400
    /// `hook-backoff=`: the wait before the first retry (it doubles from there, up to an hour).
    public var hookBackoff = 10

    /// The feed's hooks, as configured.
    public var hooks: [HookConfig] {
        var hooks: [HookConfig] = []
        if let exec { hooks.append(HookConfig(action: .exec(exec), events: hookEvents)) }
        if let webhook { hooks.append(HookConfig(action: .webhook(url: webhook, secretFile: webhookSecretFile), events: hookEvents)) }
        return hooks
    }

    public init(url: String, title: String? = nil, tags: [String] = [], interval: Int = Defaults.interval,
                timeout: Int = Defaults.timeout, line: Int = 0) {
        self.url = url
        self.title = title
        self.tags = tags
        self.interval = interval
        self.timeout = timeout
        self.line = line
    }
}

/// Values used when neither the feed's line nor a `default` line sets one.
public enum Defaults {
    public static let interval = 30 * 60
    public static let timeout = 60
}

/// `keep=90d`, `keep=500` or `keep=90d,500`: an article is pruned once it is older than
/// the days or no longer among the newest count (either limit, when both are given).
/// Articles still in the feed's latest document are never pruned.
public struct Retention: Sendable, Equatable {
    public var days: Int?
    public var count: Int?

    public init(days: Int? = nil, count: Int? = nil) {
        self.days = days
        self.count = count
    }

    /// nil when the text is not such a value.
    public static func parse(_ text: String) -> Retention? {
        var retention = Retention()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = String(part)
            if part.hasSuffix("d"), let days = Int(part.dropLast()), days > 0, retention.days == nil {
                retention.days = days
            } else if let count = Int(part), count > 0, retention.count == nil {
                retention.count = count
            } else {
                return nil
            }
        }
        return retention.days == nil && retention.count == nil ? nil : retention
    }
}

/// Settings for the whole fetcher, from `default` lines.
public struct NetworkSettings: Sendable, Equatable {
    /// Transfers running at once, all hosts together.
    public var maximumTransfers = 32
    /// Transfers running at once to one host.
    public var maximumPerHost = 2
    /// Seconds between request starts to one host; nil for the fetcher's default
    /// (none on loopback, a quarter second elsewhere).
    public var hostSpacing: Double?
    /// Hook deliveries (programs and webhooks) running at once.
    public var maximumDeliveries = 4
    /// A fleet member's hold on a feed it polls (PostgreSQL store): renewed while it polls;
    /// a daemon that dies loses its feeds to the others when it runs out.
    public var fleetLease: Double = 60
    /// `memory=`: the bounds on what is held at once (transfers unless `max-transfers=` is given).
    public var memory = MemoryProfile.normal

    public init() {}
}

/// A parsed `feeds.conf`: the feeds that can be polled, and every problem found on the way.
public struct Configuration: Sendable {
    public var path: String
    public var feeds: [FeedConfig]
    public var network = NetworkSettings()
    /// `default store=`: where the store is, when the command line and AGGREGATOR_STORE do not say.
    public var store: StoreLocation?
    public var storeLine: Int?
    public var diagnostics: [Diagnostic]
    /// What each line parsed to, for the next load of the same file (`ConfigParser.load(path:reusing:)`).
    public var parsedLines: ParsedLines?
    /// Set when this configuration was made from the previous load by parsing only the
    /// lines an edit replaced: which of that load's feeds were replaced.
    public var splice: FeedSplice?

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var isValid: Bool { errors.isEmpty }

    public init(path: String, feeds: [FeedConfig], diagnostics: [Diagnostic]) {
        self.path = path
        self.feeds = feeds
        self.diagnostics = diagnostics
    }
}

extension FeedConfig {
    /// Whether `other` asks for the same as this feed, wherever each is listed: a line
    /// inserted above moves every feed below it without changing any.
    public func sameSettings(as other: FeedConfig) -> Bool {
        var moved = other
        moved.line = line
        return moved == self
    }
}
