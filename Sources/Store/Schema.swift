import GRDB

/// The store's schema, grown only by appending migrations.
/// Times are whole seconds since 1970 (UTC): compact, and range queries stay simple.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: feeds and articles") { db in
            try db.execute(sql: """
                CREATE TABLE feed (
                    id INTEGER PRIMARY KEY,
                    url TEXT NOT NULL UNIQUE,
                    configTitle TEXT,                 -- title= in feeds.conf
                    tags TEXT NOT NULL DEFAULT '',    -- comma-separated, from feeds.conf
                    intervalSeconds INTEGER,
                    inConfig INTEGER NOT NULL DEFAULT 1,
                    title TEXT,                       -- the document's own title
                    siteLink TEXT,
                    etag TEXT,
                    lastModified TEXT,
                    lastFetchAt INTEGER,
                    lastSuccessAt INTEGER,
                    lastOutcome TEXT,                 -- FetchOutcome.rawValue
                    lastError TEXT,
                    errorCount INTEGER NOT NULL DEFAULT 0,
                    nextDueAt INTEGER,
                    createdAt INTEGER NOT NULL
                );
                CREATE TABLE article (
                    id INTEGER PRIMARY KEY,
                    feedId INTEGER NOT NULL REFERENCES feed(id) ON DELETE CASCADE,
                    dedupKey TEXT NOT NULL,           -- see DedupKey: never changes once stored
                    guid TEXT,
                    link TEXT,
                    title TEXT,
                    author TEXT,
                    published INTEGER,
                    updated INTEGER,
                    firstSeen INTEGER NOT NULL,
                    changedAt INTEGER,
                    sortDate INTEGER NOT NULL,        -- published, else updated, else firstSeen
                    summary TEXT,
                    content TEXT,
                    categories TEXT,                  -- JSON array
                    enclosures TEXT,                  -- JSON array
                    fingerprint TEXT NOT NULL,        -- of the stored fields: unchanged items write nothing
                    UNIQUE(feedId, dedupKey)
                );
                CREATE INDEX article_sortDate ON article(sortDate, id);
                CREATE INDEX article_feed_sortDate ON article(feedId, sortDate);
                """)
        }
        migrator.registerMigration("v2: unchanged bodies and gone feeds") { db in
            try db.execute(sql: """
                ALTER TABLE feed ADD COLUMN bodyHash TEXT;      -- fingerprint of the last parsed body
                ALTER TABLE feed ADD COLUMN configKey TEXT;     -- fingerprint of the feed's feeds.conf line
                ALTER TABLE feed ADD COLUMN goneForKey TEXT;    -- configKey when the server said 410 Gone
                """)
        }
        migrator.registerMigration("v3: permanent redirects") { db in
            try db.execute(sql: "ALTER TABLE feed ADD COLUMN movedTo TEXT")  // where 301/308 said the feed now lives
        }
        migrator.registerMigration("v4: age of validators") { db in
            try db.execute(sql: "ALTER TABLE feed ADD COLUMN lastBodyAt INTEGER")  // last 200 with a body
        }
        migrator.registerMigration("v5: publisher refresh hints") { db in
            try db.execute(sql: "ALTER TABLE feed ADD COLUMN refreshHint INTEGER")  // ttl / sy:update*, seconds
        }
        migrator.registerMigration("v6: one story, many feeds") { db in
            // A 64-bit hash of the canonical link (StoryKey): articles sharing it are one
            // story. The hash, not the link again, keeps row and index small.
            try db.execute(sql: "ALTER TABLE article ADD COLUMN storyHash INTEGER")
            let rows = try Row.fetchAll(db, sql: "SELECT id, link FROM article WHERE link IS NOT NULL")
            let update = try db.makeStatement(sql: "UPDATE article SET storyHash = ? WHERE id = ?")
            for row in rows {
                if let hash = StoryKey.hash(row["link"]) { try update.execute(arguments: [hash, row["id"] as Int64]) }
            }
            try db.execute(sql: "CREATE INDEX article_storyHash ON article(storyHash) WHERE storyHash IS NOT NULL")
        }
        migrator.registerMigration("v7: retention") { db in
            try db.execute(sql: """
                ALTER TABLE feed ADD COLUMN keepDays INTEGER;
                ALTER TABLE feed ADD COLUMN keepCount INTEGER;
                ALTER TABLE feed ADD COLUMN latestIds TEXT;   -- article ids in the latest document: never pruned
                CREATE TABLE tombstone (                      -- pruned articles, so they never come back as new
                    feedId INTEGER NOT NULL REFERENCES feed(id) ON DELETE CASCADE,
                    dedupKey TEXT NOT NULL,
                    prunedAt INTEGER NOT NULL,
                    PRIMARY KEY (feedId, dedupKey)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v8: full-text search") { db in
            // Contentless: the index holds words, not a second copy of every article. (With
            // detail=column it would be 40% smaller, but bm25 then ranked a body match over a
            // title match.) New
            // articles wait in search_pending and are indexed off the poll's path
            // (SearchIndexer); every existing article starts there too.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE article_fts USING fts5(title, body, content='',
                    tokenize='unicode61 remove_diacritics 2');
                CREATE TABLE search_pending (articleId INTEGER PRIMARY KEY);
                INSERT INTO search_pending SELECT id FROM article;
                """)
        }
        migrator.registerMigration("v9: article counts") { db in
            // Kept by the writer and by pruning (a trigger per row cost 13% of a cold poll),
            // so `feeds` does not count a million rows each time.
            try db.execute(sql: """
                ALTER TABLE feed ADD COLUMN articleCount INTEGER NOT NULL DEFAULT 0;
                UPDATE feed SET articleCount = (SELECT count(*) FROM article WHERE feedId = feed.id);
                """)
        }
        migrator.registerMigration("v10: story index off the writer's path") { db in
            // An index on storyHash took a random page of it into every commit (a hash has no
            // order): at 1M articles it halved ingest and doubled the time to store one feed.
            // Stories are now indexed like words, by the background indexer in big sorted
            // batches; articles still in search_pending are found through that (small) table.
            try db.execute(sql: """
                CREATE TABLE story (
                    storyHash INTEGER NOT NULL,
                    articleId INTEGER NOT NULL,
                    PRIMARY KEY (storyHash, articleId)
                ) WITHOUT ROWID;
                INSERT INTO story (storyHash, articleId)
                    SELECT storyHash, id FROM article
                    WHERE storyHash IS NOT NULL AND id NOT IN (SELECT articleId FROM search_pending)
                    ORDER BY storyHash, id;
                DROP INDEX article_storyHash;
                """)
        }
        migrator.registerMigration("v11: identity by link") { db in
            // 'link' once a feed's guids proved unable to tell its items apart (DedupKey).
            try db.execute(sql: "ALTER TABLE feed ADD COLUMN identity TEXT")
        }
        migrator.registerMigration("v12: full-text index tuning") { db in
            // Measured on 200k bench articles (Python's sqlite3, the same FTS5 table): a 16 MB
            // in-memory hash (default 1 MB) flushes fewer, larger segments and merging 8 at a
            // time (default 4) rewrites them less often: 20k -> 28k rows/s indexed, the same
            // query time (22 ms), 2.5% larger. Both settings persist in article_fts_config.
            try db.execute(sql: """
                INSERT INTO article_fts (article_fts, rank) VALUES ('hashsize', 16777216);
                INSERT INTO article_fts (article_fts, rank) VALUES ('automerge', 8);
                """)
        }
        migrator.registerMigration("v13: tombstone links") { db in
            // The pruned article's link, so a feed switching to link identity re-keys its
            // tombstones too (older tombstones have none and keep their key).
            try db.execute(sql: "ALTER TABLE tombstone ADD COLUMN link TEXT")
        }
        migrator.registerMigration("v14: search index in its own file") { db in
            // The full-text and story indexes move to search.sqlite (SearchIndexFile), written by
            // the indexer on its own connection while this file's writer stores polls: on two
            // cores, indexing no longer takes turns with storing. What the index still has to
            // do is this ordered queue (SearchQueue); the index file records how far it applied
            // it, in the same transaction as the words, so a crash between the files applies
            // nothing twice. AUTOINCREMENT: a sequence number is never reused once emptied.
            // `epoch` ties an index file to this store (a restored or replaced store rebuilds it).
            try db.execute(sql: """
                CREATE TABLE search_queue (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    op TEXT NOT NULL,            -- 'add': index the article; 'drop': remove these words
                    articleId INTEGER NOT NULL,
                    title TEXT,                  -- drop only: the words indexed for the article
                    body TEXT,
                    storyHash INTEGER
                );
                -- The indexer looks for drops queued after its batch (SearchQueue.changes): drops
                -- are few, adds may be a million (this migration queues every article).
                CREATE INDEX search_queue_drops ON search_queue(seq) WHERE op = 'drop';
                CREATE TABLE search_meta (epoch TEXT NOT NULL);
                INSERT INTO search_meta (epoch) VALUES (lower(hex(randomblob(8))));
                INSERT INTO search_queue (op, articleId) SELECT 'add', id FROM article ORDER BY id;
                DROP TABLE article_fts;
                DROP TABLE story;
                DROP TABLE search_pending;
                """)
        }
        migrator.registerMigration("v15: host pauses") { db in
            // A 429/503's Retry-After, kept so the pause binds every later run (`fetch` from
            // cron, a restarted daemon) and every feed on the host, not only this process.
            try db.execute(sql: """
                CREATE TABLE host_pause (
                    host TEXT PRIMARY KEY,         -- lower-cased, as HostPauses.host(of:) gives it
                    untilAt INTEGER NOT NULL,
                    status INTEGER,                -- the HTTP status that asked for it
                    setAt INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v16: write probe") { db in
            // One row the daemon rewrites to learn whether the store takes writes again
            // after a full disk or a read-only file system (StorageHealth).
            try db.execute(sql: "CREATE TABLE write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL)")
        }
        migrator.registerMigration("v17: hooks, outbox, skipped") { db in
            // A feed's hooks as feeds.conf gives them (JSON: [{"target":…,"events":[…]}]),
            // and what `skip=`/`only=` kept out. The outbox is written in the transaction that
            // stores the article, so an article stored is an article delivered (at least
            // once); `delivery` is the id receivers see, the same on every attempt.
            try db.execute(sql: """
                ALTER TABLE feed ADD COLUMN hooks TEXT;
                ALTER TABLE feed ADD COLUMN hookBacklog INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    delivery TEXT NOT NULL UNIQUE,
                    articleId INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
                    feedId INTEGER NOT NULL REFERENCES feed(id) ON DELETE CASCADE,
                    target TEXT NOT NULL,          -- HookConfig.target: which hook
                    event TEXT NOT NULL,           -- new | updated
                    state TEXT NOT NULL DEFAULT 'pending',  -- pending | failed (done ones are deleted)
                    attempts INTEGER NOT NULL DEFAULT 0,
                    nextAttemptAt INTEGER NOT NULL,
                    createdAt INTEGER NOT NULL,
                    lastError TEXT
                );
                CREATE INDEX outbox_due ON outbox(state, nextAttemptAt);
                CREATE INDEX outbox_article ON outbox(articleId);
                CREATE TABLE skipped (
                    feedId INTEGER NOT NULL REFERENCES feed(id) ON DELETE CASCADE,
                    dedupKey TEXT NOT NULL,
                    rule TEXT,
                    at INTEGER NOT NULL,
                    PRIMARY KEY (feedId, dedupKey)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v18: stories folded from the date index") { db in
            // `list` folds the copies of a story several feeds carried: it reads articles by
            // date until it has enough stories. With each row's story and feed in the date
            // index, that reads the index alone; reading the rows took 45 ms for 10,000 (a
            // story in 200 feeds). Dates are mostly recent, so the wider index is written
            // at its end, as before. The copies' feeds are then named from an index of the
            // names alone: a feed's row holds its validators, errors and hooks (600 bytes
            // at 100,000 feeds), and naming 8,600 feeds read most of the table.
            try db.execute(sql: """
                DROP INDEX article_sortDate;
                CREATE INDEX article_sortDate ON article(sortDate, id, storyHash, feedId);
                CREATE INDEX feed_names ON feed(id, url, configTitle, title);
                """)
        }
        return migrator
    }
}
