import Foundation
import PostgresStore
import Store

/// A fleet member's PollStore: reads and writes go through the daemon's one connection,
/// and a poll's result is written only while this daemon still holds the feed's claim,
/// giving the claim back in the same transaction.
final class FleetPollStore: PollStore {
    let connection: FleetConnection
    let daemon: String

    init(connection: FleetConnection, daemon: String) {
        self.connection = connection
        self.daemon = daemon
    }

    func pollState(url: String) async throws -> FeedState? {
        try await connection.use { try await $0.feed(url: url) }
    }

    func storedHostPause(host: String, now: Date) async throws -> HostPause? {
        try await connection.use { try await $0.hostPause(host: host, now: now) }
    }

    func apply(_ update: FeedUpdate, toFeed url: String) async throws -> ApplySummary {
        let daemon = self.daemon
        return try await connection.use { try await $0.apply(update, toFeed: url, claimedBy: daemon) }
    }

    /// Writes are one transaction per poll on one connection: nothing queues up to wait for.
    func waitForWriter() async {}

    /// A store that cannot be reached is the fleet's outage (the loop says so and claims
    /// nothing until it is back); other failures are this update's.
    func storageFault(of error: any Error) -> StorageFault? { nil }
}
