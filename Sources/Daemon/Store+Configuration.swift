import Config
import Store

extension Store {
    /// Opens the store for polling and makes its feed table match `configuration`.
    public static func openForPolling(directory: String, configuration: Configuration) throws -> Store {
        let store = try Store(directory: directory, writable: true)
        try store.syncFeeds(configuration.feeds.map {
            FeedSubscription(url: $0.url, title: $0.title, tags: $0.tags, intervalSeconds: $0.interval)
        })
        return store
    }
}
