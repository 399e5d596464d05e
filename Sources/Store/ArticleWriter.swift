import FeedParser
import Foundation
import GRDB

/// One entry ready to store: its identity and derived columns, computed before the
/// write transaction so the single writer only does SQL (polls prepare in parallel).
/// Both backends write these (PostgresStore too: the same keys and fingerprints).
public struct PreparedArticle: Sendable {
    public let entry: ParsedEntry
    public let key: String
    public let fields: StoredFields

    public static func prepare(_ entries: [ParsedEntry], identity: DedupKey.Identity = .guid) -> [PreparedArticle] {
        zip(entries, DedupKey.keys(for: entries, identity: identity)).map { PreparedArticle(entry: $0, key: $1, fields: StoredFields($0)) }
    }

    /// The same article under another identity (a feed identified by link).
    public func rekeyed(_ key: String) -> PreparedArticle { PreparedArticle(entry: entry, key: key, fields: fields) }
}

/// Inserts new articles and updates changed ones for one feed, inside the caller's
/// transaction. An article whose fingerprint is unchanged is not written at all, so
/// re-polling an unchanged feed changes nothing on disk.
struct ArticleWriter {
    let db: Database
    let feedID: Int64
    let now: Date
    /// The feed's hooks that fire for this write: a delivery per article and hook is
    /// queued in the outbox, in the same transaction as the article.
    var hooks: [HookSubscription] = []

    init(db: Database, feedID: Int64, now: Date) {
        self.db = db
        self.feedID = feedID
        self.now = now
    }

    /// The articles to store: those `skip=`/`only=` left in. The others are recorded as
    /// skipped (by key, so a feed's count does not grow with each poll of the same items);
    /// a key stored now that was skipped before (the rule changed) is no longer counted.
    func recordSkipped(_ articles: [PreparedArticle], skipped: [Int: String]) throws -> [PreparedArticle] {
        let hadSkipped = try has("SELECT EXISTS (SELECT 1 FROM skipped WHERE feedId = ?)")
        guard !skipped.isEmpty || hadSkipped else { return articles }
        let record = try db.cachedStatement(sql: """
            INSERT INTO skipped (feedId, dedupKey, rule, at) VALUES (?, ?, ?, ?)
            ON CONFLICT (feedId, dedupKey) DO UPDATE SET rule = excluded.rule
            """)
        let forget = try db.cachedStatement(sql: "DELETE FROM skipped WHERE feedId = ? AND dedupKey = ?")
        var kept: [PreparedArticle] = []
        for (index, article) in articles.enumerated() {
            if let rule = skipped[index] {
                try record.execute(arguments: [feedID, article.key, rule, Seconds.from(now)])
            } else {
                if hadSkipped { try forget.execute(arguments: [feedID, article.key]) }
                kept.append(article)
            }
        }
        return kept
    }

    /// Writes what changed; `presentIDs` gets the id of every article the document holds.
    func write(_ articles: [PreparedArticle], presentIDs: inout [Int64]) throws -> ApplySummary {
        var summary = ApplySummary()
        let insert = try db.cachedStatement(sql: """
            INSERT INTO article (feedId, dedupKey, guid, link, title, author, published, updated, firstSeen,
                sortDate, summary, content, categories, enclosures, fingerprint, storyHash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let update = try db.cachedStatement(sql: """
            UPDATE article SET guid = ?, link = ?, title = ?, author = ?, published = ?, updated = ?,
                sortDate = ?, summary = ?, content = ?, categories = ?, enclosures = ?, fingerprint = ?,
                changedAt = ?, storyHash = ?
            WHERE id = ?
            """)
        let nowSeconds = Seconds.from(now)
        let stored = try existing(keys: articles.map(\.key))
        let pruned = try tombstoned(keys: articles.map(\.key))
        var toIndex: [Int64] = []  // queued together at the end: after each changed one's drop

        for article in articles {
            let entry = article.entry, fields = article.fields, key = article.key
            if pruned.contains(key) {
                summary.unchanged += 1  // pruned by retention: it does not come back as new
                continue
            }
            if let row = stored[key] {
                presentIDs.append(row.id)
                guard !fields.matches(stored: row.fingerprint, entry: entry) else {
                    summary.unchanged += 1
                    continue
                }
                let firstSeen = row.firstSeen
                try SearchQueue.drop(articleID: row.id, in: db)  // its old words, before they change
                var values = DirectBinding(update)
                values.bind(entry.id); values.bind(entry.link); values.bind(entry.title); values.bind(entry.author)
                values.bind(fields.published); values.bind(fields.updated)
                values.bind(fields.published ?? fields.updated ?? firstSeen); values.bind(entry.summary)
                values.bind(fields.content); values.bind(fields.categories); values.bind(fields.enclosures)
                values.bind(fields.fingerprint); values.bind(nowSeconds); values.bind(fields.storyHash); values.bind(row.id)
                try values.run(in: db)
                toIndex.append(row.id)
                summary.updated += 1
                summary.deliveries += try queueDeliveries(articleID: row.id, event: "updated")
            } else {
                var values = DirectBinding(insert)
                values.bind(feedID); values.bind(key); values.bind(entry.id); values.bind(entry.link)
                values.bind(entry.title); values.bind(entry.author); values.bind(fields.published); values.bind(fields.updated)
                values.bind(nowSeconds); values.bind(fields.published ?? fields.updated ?? nowSeconds); values.bind(entry.summary)
                values.bind(fields.content); values.bind(fields.categories); values.bind(fields.enclosures)
                values.bind(fields.fingerprint); values.bind(fields.storyHash)
                try values.run(in: db)
                let id = db.lastInsertedRowID
                presentIDs.append(id)
                toIndex.append(id)
                summary.inserted += 1
                summary.deliveries += try queueDeliveries(articleID: id, event: "new")
            }
        }
        try SearchQueue.add(articleIDs: toIndex, in: db)
        return summary
    }

    /// One outbox row per hook that fires on `event`; how many.
    private func queueDeliveries(articleID: Int64, event: String) throws -> Int {
        guard !hooks.isEmpty else { return 0 }
        var queued = 0
        for hook in hooks where hook.events.contains(event) {
            try db.cachedStatement(sql: """
                INSERT INTO outbox (delivery, articleId, feedId, target, event, nextAttemptAt, createdAt)
                VALUES (lower(hex(randomblob(16))), ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [articleID, feedID, hook.target, event, Seconds.from(now), Seconds.from(now)])
            queued += 1
        }
        return queued
    }

    /// Whether `sql` (an EXISTS over this feed's rows) is true.
    private func has(_ sql: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: sql), arguments: [feedID]) ?? false
    }

    /// The keys among `keys` that retention pruned.
    private func tombstoned(keys: [String]) throws -> Set<String> {
        // Most feeds never had an article pruned: one probe instead of a lookup per key
        // (the lookups were 3% of a cold 500-feed poll's CPU).
        guard try has("SELECT EXISTS (SELECT 1 FROM tombstone WHERE feedId = ?)") else { return [] }
        var found = Set<String>()
        for start in stride(from: 0, to: keys.count, by: 500) {
            let chunk = Array(keys[start..<min(start + 500, keys.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            // Cached: feeds repeat their entry counts, and compiling cost as much as running.
            found.formUnion(try String.fetchAll(
                db.cachedStatement(sql: "SELECT dedupKey FROM tombstone WHERE feedId = ? AND dedupKey IN (\(marks))"),
                arguments: StatementArguments([feedID] + chunk)))
        }
        return found
    }

    /// The stored articles among `keys`, found with one query per chunk of keys instead
    /// of one per article (the unique index on feedId, dedupKey answers it).
    private func existing(keys: [String]) throws -> [String: (id: Int64, fingerprint: String, firstSeen: Int64)] {
        // A feed's first poll (every feed of a new store) has nothing to look up.
        guard try has("SELECT EXISTS (SELECT 1 FROM article WHERE feedId = ?)") else { return [:] }
        var found: [String: (id: Int64, fingerprint: String, firstSeen: Int64)] = [:]
        for start in stride(from: 0, to: keys.count, by: 500) {
            let chunk = Array(keys[start..<min(start + 500, keys.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: "SELECT dedupKey, id, fingerprint, firstSeen FROM article WHERE feedId = ? AND dedupKey IN (\(marks))"),
                arguments: StatementArguments([feedID] + chunk))
            while let row = try rows.next() {
                found[row[0]] = (row[1], row[2], row[3])
            }
        }
        return found
    }
}

/// The derived columns of one entry.
public struct StoredFields: Sendable {
    public let published: Int64?
    public let updated: Int64?
    public let categories: String?
    public let enclosures: String?
    public let fingerprint: String
    public let storyHash: Int64?
    /// The body as stored (see BodyCompression): compressed here, by the task that parsed
    /// the feed, not by the one writer.
    let content: DatabaseValue

    init(_ entry: ParsedEntry) {
        storyHash = StoryKey.hash(entry.link)
        content = BodyCompression.stored(entry.content)
        published = entry.published.map(Seconds.from)
        updated = entry.updated.map(Seconds.from)
        categories = entry.categories.isEmpty ? nil : JSONText.encode(entry.categories)
        enclosures = entry.enclosures.isEmpty ? nil : JSONText.encode(entry.enclosures)
        fingerprint = Hash.fast64Hex(Self.fingerprintParts(entry, published: published, updated: updated,
                                                            categories: categories, enclosures: enclosures))
    }

    /// The fields whose change is a change of the article.
    private static func fingerprintParts(_ entry: ParsedEntry, published: Int64?, updated: Int64?,
                                         categories: String?, enclosures: String?) -> [String] {
        [entry.id ?? "", entry.title ?? "", entry.link ?? "", entry.author ?? "",
         published.map(String.init) ?? "", updated.map(String.init) ?? "",
         entry.summary ?? "", entry.content ?? "", categories ?? "", enclosures ?? ""]
    }

    /// Whether `stored` (a fingerprint from the store) says the article is unchanged;
    /// fingerprints written before the `2:` hash are compared the old way (FNV-1a), so
    /// upgrading does not mark every stored article as changed.
    public func matches(stored: String, entry: ParsedEntry) -> Bool {
        if stored.hasPrefix("2:") { return stored == fingerprint }
        return stored == Hash.fnv1a64Hex(Self.fingerprintParts(entry, published: published, updated: updated,
                                                               categories: categories, enclosures: enclosures))
    }
}

/// The JSON arrays kept in `categories` and `enclosures`. Written by hand: JSONEncoder
/// cost a twentieth of a whole cold poll for these few short strings.
public enum JSONText {
    static func encode(_ strings: [String]) -> String {
        var out = "["
        for (index, string) in strings.enumerated() {
            if index > 0 { out += "," }
            appendQuoted(string, to: &out)
        }
        return out + "]"
    }

    /// `[{"url":…,"type":…,"length":…}]`, nulls included, as ParsedEnclosure encodes.
    static func encode(_ enclosures: [ParsedEnclosure]) -> String {
        var out = "["
        for (index, enclosure) in enclosures.enumerated() {
            out += index > 0 ? ",{\"url\":" : "{\"url\":"
            appendQuoted(enclosure.url, to: &out)
            out += ",\"type\":"
            if let type = enclosure.type { appendQuoted(type, to: &out) } else { out += "null" }
            out += ",\"length\":" + (enclosure.length.map(String.init) ?? "null") + "}"
        }
        return out + "]"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the
    /// rest (non-ASCII included) as is.
    static func appendQuoted(_ string: String, to out: inout String) {
        // Nearly always nothing needs escaping: one pass over the bytes, then append whole.
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += "\"" + string + "\""
            return
        }
        out += "\""
        var plainStart = string.unicodeScalars.startIndex
        var index = plainStart
        let scalars = string.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                out += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        out += "\""
    }

    public static func decodeStrings(_ text: String?) -> [String] {
        guard let data = text?.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }
}
