import FeedParser
import Foundation
import PostgresNIO
import Store

/// A poll's result written to PostgreSQL: the SQLite store's `Store.write` and
/// `ArticleWriter` in PostgreSQL's SQL, with the same rules — identities and the switch to
/// link identity, skipped entries recorded by key, tombstoned keys never coming back,
/// updates in place when the fingerprint changed, the feed's row (validators, errors, the
/// next due time) and a host's pause, all in one transaction. In a fleet the same
/// transaction gives the feed's claim back; a daemon whose claim another took writes
/// nothing (`ClaimLost`). New articles go in with `ON CONFLICT DO NOTHING` on
/// (feedId, dedupKey): the constraint decides between two writers, never timing.
extension PostgresStore {
    /// The daemon no longer holds the feed it polled (its lease ran out and another daemon
    /// took it): this poll's result is not written.
    public struct ClaimLost: Error, CustomStringConvertible {
        public var url: String
        public var description: String { "the claim on \(url) was lost (lease ran out); its result is not kept" }
    }

    public func feed(url: String) async throws -> FeedState? {
        var binds = PostgresBindings()
        binds.append(url)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "\(Self.feedStateSelect) WHERE url = $1", binds: binds),
                                              logger: logger)
        for try await row in rows { return try Self.feedState(row) }
        return nil
    }

    public func hostPause(host: String, now: Date = Date()) async throws -> HostPause? {
        var binds = PostgresBindings()
        binds.append(host)
        binds.append(Self.seconds(now))
        let rows = try await connection.query(PostgresQuery(
            unsafeSQL: "SELECT untilAt, status FROM host_pause WHERE host = $1 AND untilAt > $2", binds: binds), logger: logger)
        for try await (until, status) in rows.decode((Int64, Int64?).self) {
            return HostPause(host: host, until: Self.date(until)!, status: status.map(Int.init))
        }
        return nil
    }

    /// Records one poll's result. `claimedBy`: the daemon that must still hold the feed's
    /// claim (which this gives back); nil outside a fleet.
    @discardableResult
    public func apply(_ update: FeedUpdate, toFeed url: String, claimedBy daemon: String? = nil) async throws -> ApplySummary {
        var prepared: [PreparedArticle] = []
        if case .fetched(_, _, let entries) = update.result { prepared = PreparedArticle.prepare(entries) }
        var summary = ApplySummary()
        try await transaction {
            summary = try await self.write(update, toFeed: url, prepared: prepared, claimedBy: daemon)
        }
        return summary
    }

    private func write(_ update: FeedUpdate, toFeed url: String, prepared: [PreparedArticle],
                       claimedBy daemon: String?) async throws -> ApplySummary {
        let now = Self.seconds(update.fetchedAt)
        var lookup = PostgresBindings()
        lookup.append(url)
        var target: (id: Int64, identity: String?, claimedBy: String?)?
        for try await row in try await connection.query(PostgresQuery(
            unsafeSQL: "SELECT id, identity, claimedBy FROM feed WHERE url = $1 FOR UPDATE", binds: lookup), logger: logger)
            .decode((Int64, String?, String?).self) {
            target = (row.0, row.1, row.2)
        }
        if let daemon, target?.claimedBy != daemon { throw ClaimLost(url: url) }
        if target == nil {
            var binds = PostgresBindings()
            binds.append(url)
            binds.append(now)
            let id = try await scalarInt("""
                INSERT INTO feed (url, inConfig, createdAt) VALUES ($1, 0, $2)
                ON CONFLICT (url) DO UPDATE SET url = excluded.url RETURNING id
                """, binds) ?? 0
            target = (Int64(id), nil, nil)
        }
        let feedID = target!.id
        var summary = ApplySummary()
        var assignments = ["lastFetchAt = $2", "nextDueAt = $3"]
        var binds = PostgresBindings()
        binds.append(feedID)
        binds.append(now)
        binds.append(Self.seconds(update.nextDueAt))
        // Each value bound in turn; its placeholder goes into the statement.
        func bind(_ value: String?) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        func bind(_ value: Int64?) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        switch update.result {
        case .fetched(let title, let siteLink, let entries):
            var articles = prepared
            if try await identityIsLink(feedID: feedID, stored: target!.identity, entries: entries) {
                articles = zip(prepared, DedupKey.keys(for: entries, identity: .link)).map { $0.rekeyed($1) }
            }
            let kept = try await recordSkipped(articles, skipped: update.skipped, feedID: feedID, now: now)
            var present: [Int64] = []
            summary = try await writeArticles(kept, feedID: feedID, now: now, present: &present)
            summary.skipped = articles.count - kept.count
            assignments += ["latestIds = \(bind(present.map(String.init).joined(separator: ",")))",
                            "articleCount = articleCount + \(bind(Int64(summary.inserted)))",
                            "title = coalesce(\(bind(title)), title)",
                            "siteLink = coalesce(\(bind(siteLink)), siteLink)",
                            "lastSuccessAt = $2", "lastOutcome = 'ok'", "lastError = NULL", "errorCount = 0",
                            "lastBodyAt = $2"]
        case .notModified, .unchanged:
            let unchanged: Bool = { if case .unchanged = update.result { return true } else { return false } }()
            assignments += ["lastSuccessAt = $2", "lastOutcome = '\(unchanged ? "unchanged" : "not-modified")'",
                            "lastError = NULL", "errorCount = 0"]
            if unchanged { assignments.append("lastBodyAt = $2") }
        case .gone:
            assignments += ["lastOutcome = 'gone'", "lastError = 'HTTP 410 Gone'", "goneForKey = configKey"]
        case .failed(let message, let counts):
            assignments += ["lastOutcome = 'error'", "lastError = \(bind(message))"]
            if counts { assignments.append("errorCount = errorCount + 1") }
        }
        // Present (even as nil) sets the column; absent leaves it.
        if let etag = update.etag { assignments.append("etag = \(bind(etag))") }
        if let lastModified = update.lastModified { assignments.append("lastModified = \(bind(lastModified))") }
        if let hint = update.refreshHint { assignments.append("refreshHint = \(bind(hint.map(Int64.init)))") }
        if let movedTo = update.movedTo { assignments.append("movedTo = \(bind(movedTo))") }
        if let bodyHash = update.bodyHash { assignments.append("bodyHash = \(bind(bodyHash))") }
        if let daemon {
            assignments += ["claimedBy = NULL", "claimUntil = NULL", "lastPolledBy = \(bind(daemon))"]
        }
        try await connection.query(PostgresQuery(
            unsafeSQL: "UPDATE feed SET \(assignments.joined(separator: ", ")) WHERE id = $1", binds: binds), logger: logger)
        if let pause = update.hostPause { try await keep(pause, at: now) }
        return summary
    }

    /// Whether the feed identifies its articles by link: once a document shows guids that
    /// cannot tell items apart, for good, its stored articles and tombstones re-keyed (a
    /// row whose link key another already has keeps its key, as SQLite's UPDATE OR IGNORE).
    private func identityIsLink(feedID: Int64, stored: String?, entries: [ParsedEntry]) async throws -> Bool {
        if stored == DedupKey.Identity.link.rawValue { return true }
        guard DedupKey.guidsAreUnreliable(entries) else { return false }
        for table in ["article", "tombstone"] {
            var binds = PostgresBindings()
            binds.append(feedID)
            try await connection.query(PostgresQuery(unsafeSQL: """
                UPDATE \(table) t SET dedupKey = 'link:' || t.link
                WHERE t.feedId = $1 AND t.link IS NOT NULL AND t.link <> '' AND t.dedupKey NOT LIKE 'link:%'
                  AND NOT EXISTS (SELECT 1 FROM \(table) o WHERE o.feedId = t.feedId AND o.dedupKey = 'link:' || t.link)
                  AND t.dedupKey = (SELECT min(s.dedupKey) FROM \(table) s WHERE s.feedId = t.feedId AND s.link = t.link
                                    AND s.dedupKey NOT LIKE 'link:%')
                """, binds: binds), logger: logger)
        }
        var binds = PostgresBindings()
        binds.append(feedID)
        try await connection.query(PostgresQuery(unsafeSQL: "UPDATE feed SET identity = 'link' WHERE id = $1", binds: binds),
                                   logger: logger)
        return true
    }

    /// As ArticleWriter.recordSkipped: the skipped recorded by key, the kept returned.
    private func recordSkipped(_ articles: [PreparedArticle], skipped: [Int: String], feedID: Int64,
                               now: Int64) async throws -> [PreparedArticle] {
        var probe = PostgresBindings()
        probe.append(feedID)
        let hadSkipped = try await scalarInt("SELECT count(*) FROM (SELECT 1 FROM skipped WHERE feedId = $1 LIMIT 1) s", probe) ?? 0 > 0
        guard !skipped.isEmpty || hadSkipped else { return articles }
        var kept: [PreparedArticle] = []
        var forgotten: [String] = []
        for (index, article) in articles.enumerated() {
            if let rule = skipped[index] {
                var binds = PostgresBindings()
                binds.append(feedID)
                binds.append(article.key)
                binds.append(rule)
                binds.append(now)
                try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO skipped (feedId, dedupKey, rule, at) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (feedId, dedupKey) DO UPDATE SET rule = excluded.rule
                    """, binds: binds), logger: logger)
            } else {
                forgotten.append(article.key)
                kept.append(article)
            }
        }
        if hadSkipped && !forgotten.isEmpty {
            var binds = PostgresBindings()
            binds.append(feedID)
            binds.append(forgotten)
            try await connection.query(PostgresQuery(
                unsafeSQL: "DELETE FROM skipped WHERE feedId = $1 AND dedupKey = ANY($2)", binds: binds), logger: logger)
        }
        return kept
    }

    /// Inserts the new, updates the changed (by fingerprint), passes over the unchanged
    /// and the tombstoned; `present` gets the id of every article the document holds.
    private func writeArticles(_ articles: [PreparedArticle], feedID: Int64, now: Int64,
                               present: inout [Int64]) async throws -> ApplySummary {
        var summary = ApplySummary()
        guard !articles.isEmpty else { return summary }
        var keyBinds = PostgresBindings()
        keyBinds.append(feedID)
        keyBinds.append(articles.map(\.key))
        var stored: [String: (id: Int64, fingerprint: String, firstSeen: Int64)] = [:]
        for try await (key, id, fingerprint, firstSeen) in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT dedupKey, id, fingerprint, firstSeen FROM article WHERE feedId = $1 AND dedupKey = ANY($2)
            """, binds: keyBinds), logger: logger).decode((String, Int64, String, Int64).self) {
            stored[key] = (id, fingerprint, firstSeen)
        }
        var pruned = Set<String>()
        for try await key in try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT dedupKey FROM tombstone WHERE feedId = $1 AND dedupKey = ANY($2)
            """, binds: keyBinds), logger: logger).decode(String.self) {
            pruned.insert(key)
        }
        var fresh: [PreparedArticle] = []
        var freshKeys = Set<String>()
        for article in articles {
            if pruned.contains(article.key) {
                summary.unchanged += 1  // pruned by retention: it does not come back as new
                continue
            }
            guard let row = stored[article.key] else {
                if freshKeys.insert(article.key).inserted { fresh.append(article) }
                continue
            }
            present.append(row.id)
            if article.fields.matches(stored: row.fingerprint, entry: article.entry) {
                summary.unchanged += 1
                continue
            }
            try await updateArticle(id: row.id, article, firstSeen: row.firstSeen, now: now)
            summary.updated += 1
        }
        // New ones many to a statement; the unique (feedId, dedupKey) turns a row another
        // writer stored meanwhile into nothing.
        let columns = 16
        for start in stride(from: 0, to: fresh.count, by: 200) {
            let chunk = fresh[start..<min(start + 200, fresh.count)]
            var binds = PostgresBindings()
            var rows: [String] = []
            for (offset, article) in chunk.enumerated() {
                let base = offset * columns
                rows.append("(" + (1...columns).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
                let entry = article.entry, fields = article.fields
                binds.append(feedID)
                binds.append(article.key)
                binds.append(entry.id)
                binds.append(entry.link)
                binds.append(entry.title)
                binds.append(entry.author)
                binds.append(fields.published)
                binds.append(fields.updated)
                binds.append(now)
                binds.append(fields.published ?? fields.updated ?? now)
                binds.append(entry.summary)
                binds.append(entry.content)
                binds.append(fields.categories)
                binds.append(fields.enclosures)
                binds.append(fields.fingerprint)
                binds.append(fields.storyHash)
            }
            for try await id in try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO article (feedId, dedupKey, guid, link, title, author, published, updated, firstSeen,
                    sortDate, summary, content, categories, enclosures, fingerprint, storyHash)
                VALUES \(rows.joined(separator: ", "))
                ON CONFLICT (feedId, dedupKey) DO NOTHING RETURNING id
                """, binds: binds), logger: logger).decode(Int64.self) {
                present.append(id)
                summary.inserted += 1
            }
        }
        return summary
    }

    private func updateArticle(id: Int64, _ article: PreparedArticle, firstSeen: Int64, now: Int64) async throws {
        let entry = article.entry, fields = article.fields
        var binds = PostgresBindings()
        binds.append(entry.id)
        binds.append(entry.link)
        binds.append(entry.title)
        binds.append(entry.author)
        binds.append(fields.published)
        binds.append(fields.updated)
        binds.append(fields.published ?? fields.updated ?? firstSeen)
        binds.append(entry.summary)
        binds.append(entry.content)
        binds.append(fields.categories)
        binds.append(fields.enclosures)
        binds.append(fields.fingerprint)
        binds.append(now)
        binds.append(fields.storyHash)
        binds.append(id)
        try await connection.query(PostgresQuery(unsafeSQL: """
            UPDATE article SET guid = $1, link = $2, title = $3, author = $4, published = $5, updated = $6,
                sortDate = $7, summary = $8, content = $9, categories = $10, enclosures = $11, fingerprint = $12,
                changedAt = $13, storyHash = $14
            WHERE id = $15
            """, binds: binds), logger: logger)
    }

    /// A host's pause, kept for every daemon of the fleet (a later end wins); ended ones forgotten.
    private func keep(_ pause: HostPause, at now: Int64) async throws {
        var old = PostgresBindings()
        old.append(now)
        try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM host_pause WHERE untilAt <= $1", binds: old),
                                   logger: logger)
        var binds = PostgresBindings()
        binds.append(pause.host)
        binds.append(Self.seconds(pause.until.addingTimeInterval(0.999)))
        binds.append(pause.status.map(Int64.init))
        binds.append(now)
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO host_pause (host, untilAt, status, setAt) VALUES ($1, $2, $3, $4)
            ON CONFLICT (host) DO UPDATE SET untilAt = greatest(host_pause.untilAt, excluded.untilAt),
                status = excluded.status, setAt = excluded.setAt
            """, binds: binds), logger: logger)
    }
}
