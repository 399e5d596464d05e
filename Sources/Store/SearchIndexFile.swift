import Foundation
import GRDB

/// `search.sqlite`, next to the store: the full-text index (FTS5, contentless), which also
/// tells which articles share a story; written only by the indexer on this connection. A
/// file of its own so that indexing — the costliest thing done with an article — runs on
/// the second core while the store's writer keeps storing polls (SQLite allows one writer
/// per file). It holds nothing that cannot be rebuilt from the store: deleting it is safe.
final class SearchIndexFile: Sendable {
    static let fileName = "search.sqlite"

    let path: String
    let queue: DatabaseQueue
    let checkpointer: Checkpointer

    /// Where the index stands: the store it was built for and how far into that store's
    /// `search_queue` it has applied.
    struct State: Sendable, Equatable {
        var epoch: String
        var appliedThrough: Int64
    }

    /// Opens the index file, or — when it cannot be read as a database (corrupt, or not
    /// SQLite at all) — deletes it and starts a new one: it holds nothing the store cannot
    /// rebuild, and the store must open all the same.
    static func open(directory: String, walLimit: Int64) throws -> SearchIndexFile {
        do {
            let file = try SearchIndexFile(directory: directory, walLimit: walLimit)
            _ = try file.state()
            // Damage deeper in the file shows only when its pages are read: looked for now.
            if let problem = try StoreCheck.quickCheck(file.queue) {
                throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: problem)
            }
            return file
        } catch let error as DatabaseError where StoreCheck.isDamage(error) {
            // Its connections are closed once `file` is gone (it never left this function).
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: directory + "/" + fileName + suffix)
            }
            return try SearchIndexFile(directory: directory, walLimit: walLimit)
        }
    }

    /// The WAL size past which `apply` folds the WAL back itself (see `Store.defaultWALLimit`).
    private let walLimit: Int64

    private init(directory: String, walLimit: Int64) throws {
        self.walLimit = walLimit
        path = directory + "/" + Self.fileName
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try PersistentWAL.keep(on: db)  // readers attach it without being able to create files
            try db.execute(sql: "PRAGMA synchronous = NORMAL")  // as the store: durable at checkpoints
            // Checkpoints run on `checkpointer`'s connection: each waits for two fsyncs,
            // which on this connection's thread held up indexing.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            // New files only (both take effect before the first table): 16 KiB pages hold
            // FTS5's 16 KB leaves (pgsz, below) — 9% faster indexing of 1M bench articles;
            // pages freed by segment merges go back to the file system (giveBackFreePages).
            try db.execute(sql: "PRAGMA page_size = 16384")
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")  // readers attach it while it is written
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS search_state (epoch TEXT NOT NULL, appliedThrough INTEGER NOT NULL)")
        }
        checkpointer = try Checkpointer(path: path)
    }

    /// The index's columns, in order. The body comes first: FTS5 marks every hit outside
    /// the first column with its column number (two bytes), and most words of an article
    /// are in its body — this order made the index 29% smaller than (title, body, story)
    /// (100k bench articles, Python's sqlite3: 40.8 -> 28.9 MB).
    static let columns = "body, title, story"

    /// Nil when the file has no index yet, or one laid out otherwise than `columns` (an
    /// older version's): it is then rebuilt.
    func state() throws -> State? {
        try queue.read { db in
            let table = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE name = 'article_fts'") ?? ""
            guard table.contains("fts5(\(Self.columns),") else { return nil }
            return try Row.fetchOne(db, sql: "SELECT epoch, appliedThrough FROM search_state").map { State(epoch: $0[0], appliedThrough: $0[1]) }
        }
    }

    /// Empties the index and starts it over for `epoch`, to apply the queue after `appliedThrough`.
    func reset(epoch: String, appliedThrough: Int64) throws {
        try queue.write { db in
            // `story` holds one word per article, its story (SearchIndex.storyWord): FTS5
            // finds the copies of a story as it finds any word, and takes the random order of
            // story hashes in its stride (a B-tree keyed by hash rewrote most of its pages in
            // every batch: 12 s of every 1M articles indexed, growing with the store).
            try db.execute(sql: """
                DROP TABLE IF EXISTS article_fts;
                CREATE VIRTUAL TABLE article_fts USING fts5(\(Self.columns), content='',
                    tokenize='unicode61 remove_diacritics 2');
                DELETE FROM search_state;
                """)
            // Measured with 1M bench articles (Python's sqlite3, this table): a 16 MB in-memory
            // hash (default 1 MB) flushes fewer, larger segments; merging 16 at a time (default
            // 4) rewrites them less often: 20k -> 34.8k rows/s indexed, the same query time
            // (96 ms), 1.5% larger. Leaves of 16,000 bytes (default 4,050) on 16 KiB pages: a
            // further 9%. All persist in article_fts_config.
            try db.execute(sql: """
                INSERT INTO article_fts (article_fts, rank) VALUES ('hashsize', 16777216);
                INSERT INTO article_fts (article_fts, rank) VALUES ('automerge', \(Self.automerge));
                INSERT INTO article_fts (article_fts, rank) VALUES ('crisismerge', 500);
                INSERT INTO article_fts (article_fts, rank) VALUES ('pgsz', 16000);
                """)
            try db.execute(sql: "INSERT INTO search_state (epoch, appliedThrough) VALUES (?, ?)",
                           arguments: [epoch, appliedThrough])
        }
    }

    static let automerge = 16

    /// Gives the pages FTS5's merges freed back to the file system once they are a tenth
    /// of the file (merging writes the new segment before freeing the old ones, so a
    /// growing index leaves free pages behind: a fifth of the file after 1M articles).
    func giveBackFreePages() async throws {
        try await queue.writeWithoutTransaction { db in
            let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let total = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            if free > 0 && free * 10 >= total { try db.execute(sql: "PRAGMA incremental_vacuum") }
        }
    }

    /// Merges segments on levels holding 4 or more (FTS5's 'usermerge'), writing about 2,000
    /// pages (~1 s); false when there was nothing left to merge.
    func mergeStep() async throws -> Bool {
        try await queue.writeWithoutTransaction { db in
            let before = db.totalChangesCount
            try db.execute(sql: "INSERT INTO article_fts (article_fts, rank) VALUES ('merge', 2000)")
            return db.totalChangesCount - before >= 2  // FTS5's sign that it merged something
        }
    }

    /// Applies queue entries in order, and records the last one applied in the same
    /// transaction — so a crash before the store's queue is trimmed applies nothing twice.
    /// False (nothing done) when the index no longer stands at `from`: another process
    /// applied them first.
    ///
    /// `moreWaiting`: the indexer is behind (a burst of new articles). FTS5 then merges
    /// nothing as it goes (automerge 0) and segments gather — the daemon merges them when
    /// nothing waits (`mergeStep`) — and merges as usual (automerge 16) once it caught up.
    /// Measured on 1M bench articles (Python's sqlite3, this table): 35.6k -> 50.4k rows/s
    /// indexed, a search 103 -> 117 ms until merged, then the same. `crisismerge` (set in
    /// `reset`) still bounds a level's segments under a burst that never ends.
    func apply(_ changes: [SearchQueue.Change], from: Int64, through seq: Int64, moreWaiting: Bool = false) async throws -> Bool {
        // Async: the work runs on the queue's own thread, not on one of the few threads
        // that parse polls. IMMEDIATE: another process (`search` while the daemon runs)
        // may index too; the write lock is taken before reading where the index stands.
        let applied = try await queue.writeWithoutTransaction { db in
            var applied = false
            try db.inTransaction(.immediate) {
                try self.mergeAsItGoes(!moreWaiting, in: db)
                applied = try self.apply(changes, from: from, through: seq, in: db)
                return .commit
            }
            return applied
        }
        // As the store's writer does, but on this queue's thread: a fold waits for fsyncs,
        // and the caller's thread is one of the few that parse polls.
        if checkpointer.isLarger(than: walLimit) {
            try await queue.writeWithoutTransaction { db in self.checkpointer.foldWAL(in: db) }
        }
        checkpointer.request()
        return applied
    }

    /// Folds the WAL back into the file and empties it (when done writing).
    func foldWAL() {
        checkpointer.foldWAL(on: queue)
    }

    /// Back to merging as it goes once the indexer has caught up (see `apply`).
    func endBurst() async throws {
        try await queue.write { db in try self.mergeAsItGoes(true, in: db) }
    }

    /// Whether FTS5 merges segments as it writes (see `apply`); written only on a change.
    private func mergeAsItGoes(_ merge: Bool, in db: Database) throws {
        let automerge = merge ? Self.automerge : 0
        let current = try Int.fetchOne(db, sql: "SELECT v FROM article_fts_config WHERE k = 'automerge'")
        if current != automerge {
            try db.execute(sql: "INSERT INTO article_fts (article_fts, rank) VALUES ('automerge', ?)", arguments: [automerge])
        }
    }

    private func apply(_ changes: [SearchQueue.Change], from: Int64, through seq: Int64, in db: Database) throws -> Bool {
        guard try Int64.fetchOne(db, sql: "SELECT appliedThrough FROM search_state") == from else { return false }
        let add = try db.cachedStatement(sql: "INSERT INTO article_fts (rowid, title, body, story) VALUES (?, ?, ?, ?)")
        let remove = try db.cachedStatement(
            sql: "INSERT INTO article_fts (article_fts, rowid, title, body, story) VALUES ('delete', ?, ?, ?, ?)")
        for change in changes {
            let words = change.words
            let arguments: StatementArguments = [change.articleID, words.title, words.body,
                                                 words.storyHash.map(SearchIndex.storyWord) ?? ""]
            switch change.op {
            case .add: try add.execute(arguments: arguments)
            case .drop: try remove.execute(arguments: arguments)
            }
        }
        try db.execute(sql: "UPDATE search_state SET appliedThrough = ?", arguments: [seq])
        return true
    }
}
