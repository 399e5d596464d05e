import Config
import Store

extension Store {
    /// Opens the store for polling and makes its feed table match `configuration`.
    public static func openForPolling(directory: String, configuration: Configuration) throws -> Store {
        let store = try Store(directory: directory, writable: true, limits: limits(for: configuration.network.memory))
        try store.syncFeeds(configuration.feeds.map(subscription(for:)))
        return store
    }

    /// The store's share of a memory profile.
    static func limits(for profile: MemoryProfile) -> MemoryLimits {
        var limits = MemoryLimits()
        limits.writerCacheKiB = profile.writerCacheKiB
        limits.readerCacheKiB = profile.readerCacheKiB
        limits.readers = profile.readers
        limits.writesQueued = profile.writesQueued
        limits.indexBatch = profile.indexBatch
        return limits
    }

    /// A configured feed as the store keeps it.
    static func subscription(for feed: FeedConfig) -> FeedSubscription {
        var subscription = FeedSubscription(url: feed.url, title: feed.title, tags: feed.tags,
                                            intervalSeconds: feed.interval, configKey: configKey(of: feed))
        subscription.keepDays = feed.retention?.days
        subscription.keepCount = feed.retention?.count
        subscription.hooks = feed.hooks.map { HookSubscription(target: $0.target, events: $0.events.map(\.rawValue).sorted()) }
        subscription.hookBacklog = feed.hookBacklog
        return subscription
    }

    /// What the user wrote for a feed, reduced to a fingerprint: editing the line in any
    /// way (title, tags, interval, timeout, adaptive, user-agent) changes it. Options added
    /// later join only when set, so keys stored by older versions stay the same.
    static func configKey(of feed: FeedConfig) -> String {
        var line = [feed.url, feed.title ?? "", feed.tags.joined(separator: ","), "\(feed.interval)", "\(feed.timeout)"]
        if feed.adaptive { line.append("adaptive") }
        if let agent = feed.userAgent { line.append("ua:" + agent) }
        if let keep = feed.retention { line.append("keep:\(keep.days ?? 0),\(keep.count ?? 0)") }
        if !feed.filters.isEmpty { line.append("filters:" + feed.filters.map(\.text).joined(separator: "\u{1E}")) }
        if !feed.hooks.isEmpty { line.append("hooks:" + feed.hooks.map(\.target).joined(separator: "\u{1E}")) }
        return fingerprint(Array(line.joined(separator: "\u{1F}").utf8))
    }
}
