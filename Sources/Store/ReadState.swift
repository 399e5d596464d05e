import Foundation
import GRDB

/// One person's reading of the stores they read: what they have read, starred, and where
/// their "what's new" cursor stands. In their own file (`$XDG_STATE_HOME/aggregator/
/// state.sqlite`), because readers of the system store may not write it.
///
/// Articles are named by what identifies them in any store (`ReadStateSQL.key`: the story,
/// else the feed and the entry's guid), never by row ids: marks survive pruning, a feed's
/// switch to link identity and a copied store; and reading one copy of a story reads its
/// copies in other feeds. "Everything up to here" (`read --all`, `read --feed F --until D`)
/// is one row (`Watermark`), not a mark per article.
public final class ReadState: Sendable {
    public static let fileName = "state.sqlite"

    public let path: String
    let queue: DatabaseQueue

    /// Opens the file in `directory`, creating both as needed (the folder 0700: what a
    /// person reads is theirs).
    public init(directory: String) throws {
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        path = directory + "/" + Self.fileName
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // The default rollback journal, not WAL: the file is small, written a row at a time
        // by one person's commands, and read by the store's read-only connections, which
        // could not create a WAL's companion files in another folder's name.
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(queue)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: marks, watermarks, cursors") { db in
            try db.execute(sql: """
                CREATE TABLE mark (
                    key TEXT PRIMARY KEY,        -- ReadStateSQL.key of the article
                    feed TEXT NOT NULL,          -- the copy acted on: its feed's URL,
                    date INTEGER NOT NULL,       -- its date (sortDate),
                    seen INTEGER NOT NULL,       -- when it was first seen,
                    epoch TEXT NOT NULL,         -- and its store's id space and row id
                    articleId INTEGER NOT NULL,  -- (to find it again, and to tell what a watermark covers)
                    read INTEGER,                -- 1 read, 0 unread (over a watermark), NULL: as the watermarks say
                    starred INTEGER NOT NULL DEFAULT 0,
                    at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX mark_unread ON mark(read) WHERE read = 0;
                CREATE INDEX mark_starred ON mark(starred) WHERE starred = 1;
                -- Articles of `feed` ('' for every feed) dated up to untilDate and in the store
                -- by untilId (in store `epoch`; else first seen by untilSeen) are read.
                CREATE TABLE watermark (
                    feed TEXT NOT NULL,
                    untilDate INTEGER NOT NULL,
                    untilSeen INTEGER NOT NULL,
                    epoch TEXT NOT NULL,
                    untilId INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    PRIMARY KEY (feed, untilDate)
                ) WITHOUT ROWID;
                -- Where `list --new` last left off, per store folder.
                CREATE TABLE cursor (
                    store TEXT PRIMARY KEY,
                    epoch TEXT NOT NULL,
                    lastId INTEGER NOT NULL,
                    seenThrough INTEGER NOT NULL,
                    at INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }

    // MARK: Marks

    /// Marks each article read (or unread, over any watermark).
    public func setRead(_ articles: [StoredArticle], _ read: Bool, in position: StorePosition, now: Date = Date()) throws {
        try write(articles, in: position, now: now,
                  set: "read = excluded.read", values: (read: read ? 1 : 0, starred: 0))
    }

    public func setStarred(_ articles: [StoredArticle], _ starred: Bool, in position: StorePosition, now: Date = Date()) throws {
        try write(articles, in: position, now: now,
                  set: "starred = excluded.starred", values: (read: nil, starred: starred ? 1 : 0))
        if !starred { try queue.write { try $0.execute(sql: "DELETE FROM mark WHERE read IS NULL AND starred = 0") } }
    }

    private func write(_ articles: [StoredArticle], in position: StorePosition, now: Date, set: String,
                       values: (read: Int?, starred: Int)) throws {
        try queue.write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO mark (key, feed, date, seen, epoch, articleId, read, starred, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET \(set), feed = excluded.feed, date = excluded.date,
                    seen = excluded.seen, epoch = excluded.epoch, articleId = excluded.articleId, at = excluded.at
                """)
            for article in articles {
                try statement.execute(arguments: [
                    article.readKey, article.feedURL, Seconds.from(article.date), Seconds.from(article.firstSeen),
                    position.epoch, article.id, values.read, values.starred, Seconds.from(now),
                ])
            }
        }
    }

    // MARK: Watermarks

    /// Everything of `feed` (nil: of every feed) dated up to `until` (nil: whatever its
    /// date) and in the store now is read. Marks saying "unread" that it covers give way
    /// to it: the later word counts.
    public func markRead(feed: String?, until: Date?, in position: StorePosition, now: Date = Date()) throws {
        let untilDate = until.map(Seconds.from) ?? Int64.max
        let mark = Watermark(feed: feed ?? "", untilDate: untilDate, untilSeen: position.lastSeen,
                             epoch: position.epoch, untilId: position.lastId)
        try queue.write { db in
            // One it covers goes; one covering it makes it needless.
            let existing = try Row.fetchAll(db, sql: "SELECT untilDate, untilSeen, epoch, untilId FROM watermark WHERE feed = ?",
                                            arguments: [mark.feed]).map {
                Watermark(feed: mark.feed, untilDate: $0[0], untilSeen: $0[1], epoch: $0[2], untilId: $0[3])
            }
            if existing.contains(where: { $0.covers(mark) }) { return }
            for old in existing where mark.covers(old) {
                try db.execute(sql: "DELETE FROM watermark WHERE feed = ? AND untilDate = ?", arguments: [old.feed, old.untilDate])
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO watermark (feed, untilDate, untilSeen, epoch, untilId, at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [mark.feed, mark.untilDate, mark.untilSeen, mark.epoch, mark.untilId, Seconds.from(now)])
            try db.execute(sql: """
                UPDATE mark SET read = NULL
                WHERE read = 0 AND (? = '' OR feed = ?) AND date <= ?
                    AND CASE WHEN epoch = ? THEN articleId <= ? ELSE seen <= ? END
                """, arguments: [mark.feed, mark.feed, mark.untilDate, mark.epoch, mark.untilId, mark.untilSeen])
            try db.execute(sql: "DELETE FROM mark WHERE read IS NULL AND starred = 0")
        }
    }

    /// A rectangle of read articles: dated up to `untilDate`, arrived up to `untilId`.
    struct Watermark: Equatable {
        var feed: String
        var untilDate: Int64
        var untilSeen: Int64
        var epoch: String
        var untilId: Int64

        func covers(_ other: Watermark) -> Bool {
            guard feed == "" || feed == other.feed, untilDate >= other.untilDate else { return false }
            return epoch == other.epoch ? untilId >= other.untilId : untilSeen >= other.untilSeen
        }
    }

    // MARK: What's new

    /// Where `list --new` last left off in the store in `store` (its folder).
    public func cursor(store: String) throws -> NewCursor? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT epoch, lastId, seenThrough, at FROM cursor WHERE store = ?", arguments: [store])
                .map { NewCursor(epoch: $0[0], lastId: $0[1], seenThrough: Seconds.date($0[2])!, at: Seconds.date($0[3])!) }
        }
    }

    public func moveCursor(store: String, to position: StorePosition, now: Date = Date()) throws {
        try queue.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO cursor (store, epoch, lastId, seenThrough, at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [store, position.epoch, position.lastId, position.lastSeen, Seconds.from(now)])
        }
    }

    /// Whether nothing is marked at all (then every article is unread, without asking).
    public func isEmpty() throws -> Bool {
        try queue.read { db in
            try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM mark) AND NOT EXISTS (SELECT 1 FROM watermark)") ?? true
        }
    }
}

/// Where a store stands: its id space (`epoch`: a copy or a restored backup keeps it; a
/// new store has another) and its newest article.
public struct StorePosition: Sendable, Equatable {
    public var epoch: String
    public var lastId: Int64
    /// The latest first-seen time (seconds), for another store's articles.
    public var lastSeen: Int64

    public init(epoch: String, lastId: Int64, lastSeen: Int64) {
        self.epoch = epoch
        self.lastId = lastId
        self.lastSeen = lastSeen
    }
}

/// Where `list --new` last left off.
public struct NewCursor: Sendable, Equatable {
    public var epoch: String
    public var lastId: Int64
    public var seenThrough: Date
    /// When it was moved there (the "since" a person is told).
    public var at: Date

    public init(epoch: String, lastId: Int64, seenThrough: Date, at: Date) {
        self.epoch = epoch
        self.lastId = lastId
        self.seenThrough = seenThrough
        self.at = at
    }
}
