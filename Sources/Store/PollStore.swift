import Foundation

/// What one poll needs of a store, whichever backend holds it: the feed's state before
/// the request (validators, a permanent redirect, errors so far), a host's pause as the
/// store knows it, and a place for the poll's result. The SQLite `Store` is one; a fleet
/// member's view of a PostgreSQL store (`Daemon.FleetPollStore`) is the other, which
/// writes a result only while its daemon still holds the feed's claim.
public protocol PollStore: AnyObject, Sendable {
    /// The feed's stored state; nil for a feed never polled.
    func pollState(url: String) async throws -> FeedState?
    /// The host's pause if one is still running at `now`.
    func storedHostPause(host: String, now: Date) async throws -> HostPause?
    /// Records one poll's result and its articles atomically.
    func apply(_ update: FeedUpdate, toFeed url: String) async throws -> ApplySummary
    /// Waits while the store's writer is behind (parsing then does not run far ahead).
    func waitForWriter() async
    /// When `error` (from `apply`) is a fault of the whole store rather than of this one
    /// update: what it is. The daemon pauses polling on one.
    func storageFault(of error: any Error) -> StorageFault?
}

extension Store: PollStore {
    public func pollState(url: String) async throws -> FeedState? { try feed(url: url) }
    public func storedHostPause(host: String, now: Date) async throws -> HostPause? { try hostPause(host: host, now: now) }
    public func storageFault(of error: any Error) -> StorageFault? { StorageFault.of(error, directory: directory) }
}
