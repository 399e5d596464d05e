import FeedParser
import Foundation
import GRDB

/// The on-disk store: SQLite in WAL mode through GRDB, so the CLI reads while the daemon
/// writes. A narrow interface (sync feeds, apply a poll's result, query articles) keeps
/// SQL inside this module.
public final class Store: Sendable {
    public static let fileName = "aggregator.sqlite"
    /// Past this size the writer folds the WAL back and empties it itself. Background
    /// (PASSIVE) checkpoints cannot reset the WAL while commits follow each other without
    /// a pause — a sustained ingest grew it to 16 GB before this bound.
    public static let defaultWALLimit: Int64 = 64 * 1024 * 1024

    public struct OpenError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var kind: Kind = .other
        /// For a writer: the file system's reason it cannot open the store for writing (a
        /// full disk, a read-only mount, a folder it may not write), which may pass.
        public var fault: StorageFault?
        public var description: String { "\(path): \(reason)" }

        public init(path: String, reason: String, kind: Kind = .other, fault: StorageFault? = nil) {
            self.path = path
            self.reason = reason
            self.kind = kind
            self.fault = fault
        }

        /// What a reader can do about it (the CLI words each one for people).
        public enum Kind: Sendable, Equatable {
            /// There is no store here (yet).
            case missing
            /// The store exists; this account may not read it.
            case permissionDenied
            /// The store exists, but its `-wal`/`-shm` files are missing and only the
            /// account that writes it may create them (see `PersistentWAL`).
            case needsWriter
            /// The database file is damaged (SQLite's quick check failed, or it is not a
            /// database at all): the daemon refuses it; `aggregator check` says more.
            case damaged
            case other
        }
    }

    public let path: String
    let reader: any DatabaseReader
    let writer: (any DatabaseWriter)?
    private let combiner: WriteCombiner?
    /// The search index's own file, written by `indexPending` (writable stores only).
    let searchIndex: SearchIndexFile?
    /// Whether reading connections have the search index attached (as `search`): false
    /// only when a read-only store has no index file yet.
    let hasSearchIndex: Bool
    /// One person's reading (ReadState's file), attached to the reading connections as
    /// `state` when given at open: `--unread`, `--starred`, and read/starred in results.
    let readStatePath: String?
    /// The indexer's next batch, read ahead (`indexPending`).
    let indexReadAhead = IndexReadAhead()
    /// Articles `indexPending` takes at a time unless told.
    let indexBatch: Int
    /// Whether a release of the indexer's memory waits for its connection (`releaseMemory`).
    private let indexRelease = OneAtATime()

    /// What a writable store may hold in memory at once; every value grows with load.
    public struct MemoryLimits: Sendable {
        /// Page cache of the writer and of each reading connection, KiB.
        public var writerCacheKiB = 8000
        public var readerCacheKiB = 2000
        /// Reading connections open at most.
        public var readers = 5  // GRDB's own default
        /// Parsed feeds waiting for the writer before a poll waits (`waitForWriter`).
        public var writesQueued = 16
        /// Articles indexed per transaction (`indexPending`), one more batch read ahead.
        public var indexBatch = 5000

        public init() {}
    }

    /// Opens (creating it when `writable`) the store in `directory`.
    /// `walLimit`: the WAL size past which the writer (and the indexer, for the index
    /// file's) empties it (tests use a small one).
    /// `limits`: what a writable store may hold in memory (`memory=` in feeds.conf).
    public init(directory: String, writable: Bool, walLimit: Int64 = Store.defaultWALLimit,
                readState: ReadState? = nil, limits: MemoryLimits = MemoryLimits()) throws(OpenError) {
        let path = directory + "/" + Self.fileName
        self.path = path
        indexBatch = limits.indexBatch
        let statePath = readState?.path
        readStatePath = statePath
        do {
            if writable {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                // Before the pool: its reading connections attach the index file as they open.
                let index = try SearchIndexFile.open(directory: directory, walLimit: walLimit)
                var configuration = Configuration()
                configuration.busyMode = .timeout(10)
                configuration.prepareDatabase { db in
                    try PersistentWAL.keep(on: db)  // so the group can read the store while the daemon is stopped
                    try db.execute(sql: "PRAGMA synchronous = NORMAL")  // durable at checkpoints; safe in WAL
                    // 16 KiB pages (new stores only): article bodies of a few KB need fewer
                    // overflow pages; measured 10-20% less writer time than 4 KiB on a cold poll.
                    try db.execute(sql: "PRAGMA page_size = 16384")
                    // The writer's cache holds a combined batch of updates without spilling
                    // mid-transaction (4 MB for the daemon's batches of a few feeds; 8 MB by
                    // default, as for a bulk import); readers need less.
                    let cacheKiB = db.configuration.readonly ? limits.readerCacheKiB : limits.writerCacheKiB
                    try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB)")
                    // New stores give pages freed by pruning back to the file system
                    // (incremental_vacuum). Set on the writer only: readers may not.
                    if !db.configuration.readonly { try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL") }
                    // Checkpoints run on the Checkpointer's connection, not in the writer's commits.
                    try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
                    // Readers only: the writer attaching it would take its lock in every
                    // write transaction and so wait for the indexer.
                    if db.configuration.readonly {
                        try Self.attachSearchIndex(index.path, to: db)
                        if let statePath { try Self.attachReadState(statePath, to: db) }
                    }
                }
                configuration.maximumReaderCount = limits.readers
                let pool = try DatabasePool(path: path, configuration: configuration)
                try Schema.migrator.migrate(pool)
                try Self.matchSearchIndex(index, to: pool)
                reader = pool
                writer = pool
                searchIndex = index
                hasSearchIndex = true
                combiner = WriteCombiner(writer: pool, checkpointer: try Checkpointer(path: path), walLimit: walLimit,
                                         backlogLimit: limits.writesQueued)
            } else {
                try Self.checkReadable(directory: directory, path: path)
                // The index file is attached when there is one to read (a store an older
                // version wrote has none until it is upgraded).
                let indexPath = directory + "/" + SearchIndexFile.fileName
                var indexUsable = FileManager.default.isReadableFile(atPath: indexPath)
                    && Self.canReadWAL(of: indexPath, in: directory)
                func readingPool() throws -> (DatabasePool, hasIndex: Bool) {
                    let hasIndex = indexUsable
                    var configuration = Configuration()
                    configuration.readonly = true
                    configuration.busyMode = .timeout(10)
                    configuration.prepareDatabase { db in
                        if hasIndex { try Self.attachSearchIndex(indexPath, to: db) }
                        if let statePath { try Self.attachReadState(statePath, to: db) }
                    }
                    return (try DatabasePool(path: path, configuration: configuration), hasIndex)
                }
                var (pool, hasIndex): (DatabasePool, Bool)
                do {
                    (pool, hasIndex) = try TransientErrors.retrying { try readingPool() }
                } catch let error as DatabaseError where indexUsable && StoreCheck.isDamage(error) {
                    // A damaged index file must not keep anyone from the articles: read
                    // without it (the daemon rebuilds it).
                    indexUsable = false
                    (pool, hasIndex) = try TransientErrors.retrying { try readingPool() }
                }
                // A store written by an older version: upgrade it when this user may write
                // it (the migrations are the writer's), else say how.
                let current = try TransientErrors.retrying { try pool.read { try Schema.migrator.hasCompletedMigrations($0) } }
                if !current {
                    guard access(path, W_OK) == 0 else {
                        throw OpenError(path: path, reason: "written by an older aggregator: start aggregatord "
                            + "(or run aggregator fetch) once to upgrade it")
                    }
                    try pool.close()
                    _ = try Store(directory: directory, writable: true)
                    (pool, hasIndex) = try readingPool()
                }
                // An index file a writer created but never filled (it stopped first) has no
                // index to search yet.
                if hasIndex {
                    hasIndex = try TransientErrors.retrying {
                        try pool.read { try Bool.fetchOne($0, sql: "SELECT count(*) > 0 FROM search.sqlite_schema WHERE name = 'article_fts'") ?? false }
                    }
                }
                reader = pool
                writer = nil
                combiner = nil
                searchIndex = nil
                hasSearchIndex = hasIndex
            }
        } catch let error as OpenError {
            throw error
        } catch let error as DatabaseError where StoreCheck.isDamage(error) {
            throw OpenError(path: path, reason: "damaged: \(error.message ?? "\(error.resultCode)")", kind: .damaged)
        } catch {
            var failure = OpenError(path: path, reason: "\(error)")
            if writable {
                failure.fault = StorageFault.of(error, directory: directory)
                    ?? Volume.of(directory: Self.existingFolder(of: directory)).fault(directory: directory)
            }
            throw failure
        }
    }

    /// Gives back SQLite's caches (pages, compiled statements, idle reading connections)
    /// without waiting for a transaction under way: they refill from the page cache as
    /// they are used. The daemon calls it every few seconds while polling and when it goes
    /// quiet; at 2,000 feeds the caches held 16 of the 22 MB the daemon had in use.
    public func releaseMemory() {
        (writer as? DatabasePool)?.releaseMemoryEventually()
        // The indexer's connection, once its batch (if any) is done: on a thread of its own,
        // not the caller's nor one of Swift's few cooperative threads, and one at a time.
        if let searchIndex, indexRelease.start() {
            DispatchQueue.global(qos: .utility).async { [indexRelease] in
                searchIndex.queue.releaseMemory()
                indexRelease.finish()
            }
        }
    }

    /// `directory`, or the nearest folder above it that exists (where it would be created).
    private static func existingFolder(of directory: String) -> String {
        var folder = directory
        while access(folder, F_OK) != 0, folder != "/", !folder.isEmpty {
            folder = (folder as NSString).deletingLastPathComponent
        }
        return folder.isEmpty ? "." : folder
    }

    /// Why a reader cannot open the store at `path`, told apart: nothing there, a
    /// permission, or `-wal`/`-shm` files this account cannot create.
    private static func checkReadable(directory: String, path: String) throws(OpenError) {
        if access(path, R_OK) != 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw OpenError(path: directory, reason: "no store here", kind: .missing)
            }
            throw OpenError(path: directory, reason: String(cString: strerror(code)), kind: .permissionDenied)
        }
        guard canReadWAL(of: path, in: directory) else {
            throw OpenError(path: path, reason: "its -wal and -shm files are missing (it was last closed by an "
                + "older aggregatord), and only the account that writes the store may create them; "
                + "restart aggregatord once", kind: .needsWriter)
        }
    }

    /// Whether a read-only connection can open the WAL database at `path`: its `-wal` and
    /// `-shm` exist, or this account may create them.
    private static func canReadWAL(of path: String, in directory: String) -> Bool {
        PersistentWAL.companions(of: path).allSatisfy { access($0, F_OK) == 0 } || access(directory, W_OK) == 0
    }

    private func requireWriter() throws -> any DatabaseWriter {
        guard let writer else { throw OpenError(path: path, reason: "opened read-only") }
        return writer
    }

    private static func attachSearchIndex(_ indexPath: String, to db: Database) throws {
        try db.execute(sql: "ATTACH DATABASE ? AS search", arguments: [indexPath])
    }

    private static func attachReadState(_ statePath: String, to db: Database) throws {
        try db.execute(sql: "ATTACH DATABASE ? AS state", arguments: [statePath])
    }

    /// Makes sure the index file belongs to this store and has not applied queue entries
    /// the store never had (a store restored from a backup, an index file copied from
    /// elsewhere or deleted): otherwise it starts over, with every article queued again.
    private static func matchSearchIndex(_ index: SearchIndexFile, to pool: DatabasePool) throws {
        let (epoch, lastSeq) = try pool.read { db in
            (try String.fetchOne(db, sql: "SELECT epoch FROM search_meta") ?? "",
             try SearchQueue.lastQueued(in: db))
        }
        if let state = try index.state(), state.epoch == epoch, state.appliedThrough <= lastSeq { return }
        // Queue first: a crash before the index is reset leaves it mismatched, so this runs again.
        let before = try pool.write { db -> Int64 in
            try db.execute(sql: "DELETE FROM search_queue")
            let before = try SearchQueue.lastQueued(in: db)
            try db.execute(sql: "INSERT INTO search_queue (op, articleId) SELECT 'add', id FROM article ORDER BY id")
            return before
        }
        try index.reset(epoch: epoch, appliedThrough: before)
    }

    // MARK: Feeds

    /// Makes the feed table match the configuration: new feeds are added, changed options
    /// applied, and feeds no longer configured are marked so (their articles stay).
    public func syncFeeds(_ subscriptions: [FeedSubscription], now: Date = Date()) throws {
        try requireWriter().write { db in
            try db.execute(sql: "UPDATE feed SET inConfig = 0")
            try Self.upsert(subscriptions, now: now, in: db)
        }
    }

    /// The feed table moved from one configuration to the next by what changed: the
    /// feeds `removed` leave it, those `changed` (new or edited lines) are written. A reload
    /// that edits one line of 100,000 writes one row instead of all.
    public func updateFeeds(changed: [FeedSubscription], removed: [String], now: Date = Date()) throws {
        guard !changed.isEmpty || !removed.isEmpty else { return }
        try requireWriter().write { db in
            let remove = try db.makeStatement(sql: "UPDATE feed SET inConfig = 0 WHERE url = ?")
            for url in removed { try remove.execute(arguments: [url]) }
            try Self.upsert(changed, now: now, in: db)
        }
    }

    private static func upsert(_ subscriptions: [FeedSubscription], now: Date, in db: Database) throws {
        // A changed line (configKey) also lifts a 410's stop: the user has looked at it.
        // One compiled statement for every feed: compiling it 500 times was most of the cost.
        let upsert = try db.makeStatement(sql: """
            INSERT INTO feed (url, configTitle, tags, intervalSeconds, inConfig, createdAt, configKey, keepDays, keepCount,
                hooks, hookBacklog)
            VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(url) DO UPDATE SET configTitle = excluded.configTitle, tags = excluded.tags,
                intervalSeconds = excluded.intervalSeconds, inConfig = 1, configKey = excluded.configKey,
                keepDays = excluded.keepDays, keepCount = excluded.keepCount, hooks = excluded.hooks,
                hookBacklog = excluded.hookBacklog
            """)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for subscription in subscriptions {
            let hooks = subscription.hooks.isEmpty ? nil
                : String(decoding: try encoder.encode(subscription.hooks), as: UTF8.self)
            try upsert.execute(arguments: [subscription.url, subscription.title, subscription.tags.joined(separator: ","),
                                           subscription.intervalSeconds, Seconds.from(now), subscription.configKey,
                                           subscription.keepDays, subscription.keepCount, hooks, subscription.hookBacklog])
        }
    }

    public func feeds(includingRemoved: Bool = false) throws -> [FeedState] {
        try read { db in
            let filter = includingRemoved ? "" : "WHERE inConfig = 1"
            // Read from the cursor's live row: fetchAll copied every value first (half the time).
            return try Array(Row.fetchCursor(db, sql: "\(FeedState.selectSQL) \(filter) ORDER BY id").map(FeedState.init(row:)))
        }
    }

    public func feed(url: String) throws -> FeedState? {
        try read { db in
            // Cached: every poll asks, and compiling this statement was 4% of a cold poll's CPU.
            try Row.fetchOne(db.cachedStatement(sql: "\(FeedState.selectSQL) WHERE url = ?"), arguments: [url])
                .map(FeedState.init(row:))
        }
    }

    // MARK: Applying a poll

    /// Records one poll's result and its articles atomically: a reader sees the feed's
    /// update whole or not at all. Updates arriving together share one transaction, which
    /// cuts SQLite's page writes several times over (a failing one is written again alone).
    @discardableResult
    public func apply(_ update: FeedUpdate, toFeed url: String) async throws -> ApplySummary {
        // Identities, fingerprints and JSON columns are worked out here, in the caller's
        // task, so the one writer spends its time on SQL alone.
        let prepared: [PreparedArticle]
        if case .fetched(_, _, let entries) = update.result { prepared = PreparedArticle.prepare(entries) } else { prepared = [] }
        guard let combiner else { throw OpenError(path: path, reason: "opened read-only") }
        return try await combiner.submit(url: url, update: update, prepared: prepared)
    }

    /// Folds the whole WAL back into the database and empties it, as closing the last
    /// connection would (the checkpointer's own connection can keep that from happening).
    /// Call when done writing: `aggregator fetch` at its end, the daemon when it stops.
    public func finishWriting() {
        if let combiner, let writer { combiner.checkpointer.foldWAL(on: writer) }
        searchIndex?.foldWAL()
    }

    /// The store's folder.
    public var directory: String { (path as NSString).deletingLastPathComponent }

    /// Whether a write reaches the disk now: enough room on the file system, then a real
    /// (one-row) transaction through the writer. nil when the store takes writes.
    public func probeWrites(now: Date = Date()) async -> StorageFault? {
        let volume = Volume.of(directory: directory)
        if let fault = volume.fault(directory: directory) { return fault }
        guard let writer else { return StorageFault(kind: .notWritable, directory: directory, detail: "opened read-only") }
        do {
            // SQLite's own limit counts as the disk's edge too (tests set it: limitPages):
            // a one-row write may fit in a page already there while the next poll does not.
            let room = try await writer.writeWithoutTransaction { db -> Int64 in  // the writer's own limit
                let limit = try Int64.fetchOne(db, sql: "PRAGMA max_page_count") ?? 0
                let used = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                return (limit - used + free) * size
            }
            if room < volume.roomToResume {
                return StorageFault(kind: .full, directory: directory, freeBytes: max(0, room), detail: "SQLite's page limit")
            }
            try await writer.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO write_probe (id, at) VALUES (1, ?)", arguments: [Seconds.from(now)])
            }
            return nil
        } catch {
            return StorageFault.of(error, directory: directory)
                ?? StorageFault(kind: .ioError, directory: directory, detail: "\(error)")
        }
    }

    /// Pages in the database file as the writer sees it (tests size their limits by it).
    func pageCount() async throws -> Int {
        try await requireWriter().writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
    }

    /// Tests: SQLite's own limit on the database's size (`PRAGMA max_page_count`) on the
    /// writer, which fails writes past it with SQLITE_FULL as a full disk does; nil lifts it.
    func limitPages(_ count: Int?) async throws {
        try await requireWriter().writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA max_page_count = \(count ?? 0xFFFF_FFFE)")
        }
    }

    /// Waits while many updates are already queued for the writer: a poller calls this
    /// before parsing, so parsing does not run far ahead of storing.
    public func waitForWriter() async {
        await combiner?.waitForRoom()
    }

    /// One feed's update, inside the combined transaction (WriteCombiner).
    static func write(_ update: FeedUpdate, toFeed url: String, prepared: [PreparedArticle],
                      in db: Database) throws -> ApplySummary {
        let target = try Self.feed(db, url: url, now: update.fetchedAt)
        let feedID = target.id, storedIdentity = target.identity
        var summary = ApplySummary()
        var assignments: [String] = ["lastFetchAt = :fetched", "nextDueAt = :due"]
        var arguments: [String: (any DatabaseValueConvertible)?] = [
            "fetched": Seconds.from(update.fetchedAt), "due": Seconds.from(update.nextDueAt), "id": feedID,
        ]
        switch update.result {
        case .fetched(let title, let siteLink, let entries):
            var present: [Int64] = []
            var articles = prepared
            if try identity(ofFeed: feedID, stored: storedIdentity, entries: entries, in: db) == .link {
                articles = zip(prepared, DedupKey.keys(for: entries, identity: .link)).map { $0.rekeyed($1) }
            }
            var writer = ArticleWriter(db: db, feedID: feedID, now: update.fetchedAt)
            writer.hooks = target.hooks
            let kept = try writer.recordSkipped(articles, skipped: update.skipped)
            summary = try writer.write(kept, presentIDs: &present)
            summary.skipped = articles.count - kept.count
            // What the latest document holds is never pruned.
            assignments.append("latestIds = :latest")
            assignments.append("articleCount = articleCount + :inserted")
            arguments.updateValue(summary.inserted, forKey: "inserted")
            arguments.updateValue(present.map(String.init).joined(separator: ","), forKey: "latest")
            assignments += ["title = coalesce(:title, title)", "siteLink = coalesce(:site, siteLink)",
                            "lastSuccessAt = :fetched", "lastOutcome = 'ok'", "lastError = NULL", "errorCount = 0",
                            "lastBodyAt = :fetched"]
            // updateValue, because assigning nil to a dictionary key removes it.
            arguments.updateValue(title, forKey: "title")
            arguments.updateValue(siteLink, forKey: "site")
        case .notModified, .unchanged:
            let outcome = update.result.isUnchanged ? "unchanged" : "not-modified"
            assignments += ["lastSuccessAt = :fetched", "lastOutcome = '\(outcome)'", "lastError = NULL",
                            "errorCount = 0"]
            if update.result.isUnchanged { assignments.append("lastBodyAt = :fetched") }
        case .gone:
            assignments += ["lastOutcome = 'gone'", "lastError = 'HTTP 410 Gone'", "goneForKey = configKey"]
        case .failed(let message, let counts):
            assignments += ["lastOutcome = 'error'", "lastError = :error"]
            if counts { assignments.append("errorCount = errorCount + 1") }
            arguments.updateValue(message, forKey: "error")
        }
        // Columns the update may carry: absent leaves the column alone, present (even
        // as nil) sets it. `present` is a plain flag to keep the types simple.
        func set(_ column: String, _ value: (any DatabaseValueConvertible)?, present: Bool) {
            guard present else { return }
            assignments.append("\(column) = :\(column)")
            arguments.updateValue(value, forKey: column)
        }
        let etag: String? = update.etag ?? nil
        let lastModified: String? = update.lastModified ?? nil
        let refreshHint: Int? = update.refreshHint ?? nil
        set("etag", etag, present: update.etag != nil)
        set("lastModified", lastModified, present: update.lastModified != nil)
        set("refreshHint", refreshHint, present: update.refreshHint != nil)
        set("movedTo", update.movedTo, present: update.movedTo != nil)
        set("bodyHash", update.bodyHash, present: update.bodyHash != nil)
        // Few distinct shapes of this statement exist, so each is compiled once per connection.
        try db.cachedStatement(sql: "UPDATE feed SET \(assignments.joined(separator: ", ")) WHERE id = :id")
            .execute(arguments: StatementArguments(arguments))
        if let pause = update.hostPause { try keep(pause, at: update.fetchedAt, in: db) }
        return summary
    }

    /// Records a host's pause (a later end wins) and forgets the pauses that are over.
    private static func keep(_ pause: HostPause, at now: Date, in db: Database) throws {
        try db.execute(sql: "DELETE FROM host_pause WHERE untilAt <= ?", arguments: [Seconds.from(now)])
        try db.execute(sql: """
            INSERT INTO host_pause (host, untilAt, status, setAt) VALUES (?, ?, ?, ?)
            ON CONFLICT(host) DO UPDATE SET untilAt = max(untilAt, excluded.untilAt), status = excluded.status,
                setAt = excluded.setAt
            """, arguments: [pause.host, Seconds.from(pause.until.addingTimeInterval(0.999)), pause.status,
                             Seconds.from(now)])
    }

    // MARK: Host pauses

    /// Every host pause that has not ended by `now`, by host.
    public func hostPauses(now: Date = Date()) throws -> [String: HostPause] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT host, untilAt, status FROM host_pause WHERE untilAt > ?",
                                        arguments: [Seconds.from(now)])
            return Dictionary(rows.map { row in
                (row[0], HostPause(host: row[0], until: Seconds.date(row[1])!, status: row[2]))
            }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The host's pause, if one is still running at `now`.
    public func hostPause(host: String, now: Date = Date()) throws -> HostPause? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT untilAt, status FROM host_pause WHERE host = ? AND untilAt > ?"),
                             arguments: [host, Seconds.from(now)])
                .map { HostPause(host: host, until: Seconds.date($0[0])!, status: $0[1]) }
        }
    }

    /// How the feed's articles are identified: by guid until one of its documents shows
    /// guids that cannot tell items apart, then by link for good. On that switch, stored
    /// articles and tombstones take their link keys, so none of them comes back as new.
    private static func identity(ofFeed feedID: Int64, stored: DedupKey.Identity, entries: [ParsedEntry],
                                 in db: Database) throws -> DedupKey.Identity {
        if stored == .link { return .link }
        guard DedupKey.guidsAreUnreliable(entries) else { return .guid }
        for table in ["article", "tombstone"] {  // pruned articles stay pruned under their new key
            try db.execute(sql: """
                UPDATE OR IGNORE \(table) SET dedupKey = 'link:' || link
                WHERE feedId = ? AND link IS NOT NULL AND link != '' AND dedupKey NOT LIKE 'link:%'
                """, arguments: [feedID])
        }
        try db.execute(sql: "UPDATE feed SET identity = 'link' WHERE id = ?", arguments: [feedID])
        return .link
    }

    /// The feed's row id and how its articles are identified (a new row when the URL is unknown).
    /// The feed's row as a write needs it (created when the store does not know the URL).
    struct WriteTarget {
        var id: Int64
        var identity: DedupKey.Identity
        /// Hooks that fire for this write: none on the first body of a feed unless
        /// `hook-backlog=yes` (a new feed's whole backlog is not news).
        var hooks: [HookSubscription]
    }

    private static func feed(_ db: Database, url: String, now: Date) throws -> WriteTarget {
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT id, identity, hooks, hookBacklog, lastBodyAt IS NOT NULL FROM feed WHERE url = ?
            """), arguments: [url]) {
            var hooks: [HookSubscription] = []
            if let text: String = row[2], row[3] as Bool || row[4] as Bool {
                hooks = (try? JSONDecoder().decode([HookSubscription].self, from: Data(text.utf8))) ?? []
            }
            return WriteTarget(id: row[0], identity: (row[1] as String?).flatMap(DedupKey.Identity.init(rawValue:)) ?? .guid,
                               hooks: hooks)
        }
        try db.execute(sql: "INSERT INTO feed (url, inConfig, createdAt) VALUES (?, 0, ?)",
                       arguments: [url, Seconds.from(now)])
        return WriteTarget(id: db.lastInsertedRowID, identity: .guid, hooks: [])
    }
}

extension FeedUpdate.Result {
    var isUnchanged: Bool {
        if case .unchanged = self { return true }
        return false
    }
}

extension Store {
    /// A stable fingerprint of bytes (a fetched body, a config line), for change checks.
    public static func fingerprint(_ bytes: [UInt8]) -> String {
        Hash.fnv1a64Hex(bytes: bytes)
    }

    /// A fast fingerprint of a fetched body, to skip parsing one that did not change.
    public static func bodyFingerprint(_ bytes: [UInt8]) -> String {
        Hash.fast64Hex(bytes: bytes)
    }
}

/// Whole seconds since 1970, the store's time unit.
/// Times as both stores keep them: whole seconds since 1970 (UTC).
public enum Seconds {
    public static func from(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
    public static func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: Double($0)) } }
}

/// A piece of work of which at most one runs or waits at a time.
final class OneAtATime: @unchecked Sendable {  // `running` only under `lock`
    private let lock = NSLock()
    private var running = false

    /// True when the caller may start it (then it must call `finish`).
    func start() -> Bool {
        lock.withLock {
            if running { return false }
            running = true
            return true
        }
    }

    func finish() {
        lock.withLock { running = false }
    }
}
