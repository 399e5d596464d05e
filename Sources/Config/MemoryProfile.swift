/// `default memory=normal|small`: how much the daemon and `aggregator fetch` may hold at
/// once. Everything that grows with load has its bound here, so a Raspberry Pi or a 512 MB
/// VPS says `memory=small` once instead of learning each knob; `max-transfers=` still
/// overrides the transfers. The figures behind each choice are in docs/memory.md.
public struct MemoryProfile: Sendable, Equatable {
    public let name: String
    /// Transfers at once when `max-transfers=` is not given.
    public let transfers: Int
    /// Bodies held at once, downloading or downloaded and not yet parsed: the fetcher
    /// starts no transfer while this many are held (each up to the body limit).
    public let bodiesHeld: Int
    /// Parsed feeds waiting for the store's single writer: a poll waits before parsing
    /// while this many are queued.
    public let writesQueued: Int
    /// Articles the search indexer reads and indexes per transaction (and one batch read
    /// ahead): the words of this many bodies are in memory at once.
    public let indexBatch: Int
    /// SQLite's page cache, KiB: the writer's (it holds a combined batch of updates) and
    /// each reading connection's.
    public let writerCacheKiB: Int
    public let readerCacheKiB: Int
    /// Reading connections the store keeps open at most.
    public let readers: Int
    /// malloc arenas (glibc): each thread that allocates may get an arena of its own, and
    /// freed memory stays in the arena it came from. Two were 92 MB where the default (16 on
    /// two cores) was 174 MB, for the same 29 MB in use.
    public let heapArenas: Int

    public static let normal = MemoryProfile(name: "normal", transfers: 32, bodiesHeld: 24, writesQueued: 8,
                                             indexBatch: 500, writerCacheKiB: 4000, readerCacheKiB: 1000, readers: 2,
                                             heapArenas: 2)
    public static let small = MemoryProfile(name: "small", transfers: 8, bodiesHeld: 12, writesQueued: 4,
                                            indexBatch: 250, writerCacheKiB: 2000, readerCacheKiB: 500, readers: 2,
                                            heapArenas: 1)
    public static let all = [normal, small]

    public static func named(_ name: String) -> MemoryProfile? {
        all.first { $0.name == name }
    }
}
