import Foundation
import Store

/// The store polls write to: one already open (SQLite, or a fleet member's PostgreSQL
/// view), or one SQLite is still creating.
///
/// A first `aggregator fetch` into an empty directory creates the store while the first
/// feeds download and parse: creating it (two files, their switch to WAL, the schema)
/// takes about 30 ms, half of it waiting for file syncs, and nothing needs the store
/// before a parsed document is written. A store that does not exist yet holds no state
/// for any feed, so those first requests are the ones they would have been anyway.
public final class StoreSource: Sendable {
    private let creation: Task<any PollStore, any Error>
    private let opened: OpenedStore

    /// A store that is open.
    public init(_ store: any PollStore) {
        opened = OpenedStore(store)
        creation = Task { store }
    }

    /// A store `create` makes on another thread, starting now.
    public init(creating create: @escaping @Sendable () throws -> Store) {
        let opened = OpenedStore(nil)
        self.opened = opened
        creation = Task.detached {
            let store = try create()
            opened.set(store)
            return store
        }
    }

    /// The store if it is open; nil while it is still being created (or if that failed).
    public var ifOpen: (any PollStore)? { opened.get() }

    /// The SQLite store if that is what is open (`aggregator fetch` reads it whole).
    public var sqliteIfOpen: Store? { ifOpen as? Store }

    /// The store, once open; the creation's error if it failed.
    public func store() async throws -> any PollStore {
        if let store = ifOpen { return store }
        return try await creation.value
    }

    private final class OpenedStore: @unchecked Sendable {  // `store` only under `lock`
        private let lock = NSLock()
        private var store: (any PollStore)?

        init(_ store: (any PollStore)?) { self.store = store }
        func get() -> (any PollStore)? { lock.withLock { store } }
        func set(_ store: any PollStore) { lock.withLock { self.store = store } }
    }
}
