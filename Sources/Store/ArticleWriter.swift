import FeedParser
import Foundation
import GRDB

/// Inserts new articles and updates changed ones for one feed, inside the caller's
/// transaction. An article whose fingerprint is unchanged is not written at all, so
/// re-polling an unchanged feed changes nothing on disk.
struct ArticleWriter {
    let db: Database
    let feedID: Int64
    let now: Date

    func write(_ entries: [ParsedEntry]) throws -> ApplySummary {
        var summary = ApplySummary()
        let keys = DedupKey.keys(for: entries)
        let lookup = try db.cachedStatement(
            sql: "SELECT id, fingerprint, firstSeen FROM article WHERE feedId = ? AND dedupKey = ?")
        let insert = try db.cachedStatement(sql: """
            INSERT INTO article (feedId, dedupKey, guid, link, title, author, published, updated, firstSeen,
                sortDate, summary, content, categories, enclosures, fingerprint)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let update = try db.cachedStatement(sql: """
            UPDATE article SET guid = ?, link = ?, title = ?, author = ?, published = ?, updated = ?,
                sortDate = ?, summary = ?, content = ?, categories = ?, enclosures = ?, fingerprint = ?,
                changedAt = ?
            WHERE id = ?
            """)
        let nowSeconds = Seconds.from(now)

        for (entry, key) in zip(entries, keys) {
            let fields = StoredFields(entry)
            if let row = try Row.fetchOne(lookup, arguments: [feedID, key]) {
                let fingerprint: String = row["fingerprint"]
                guard fingerprint != fields.fingerprint else {
                    summary.unchanged += 1
                    continue
                }
                let firstSeen: Int64 = row["firstSeen"]
                try update.execute(arguments: [
                    entry.id, entry.link, entry.title, entry.author, fields.published, fields.updated,
                    fields.published ?? fields.updated ?? firstSeen, entry.summary, entry.content,
                    fields.categories, fields.enclosures, fields.fingerprint, nowSeconds, row["id"] as Int64,
                ])
                summary.updated += 1
            } else {
                try insert.execute(arguments: [
                    feedID, key, entry.id, entry.link, entry.title, entry.author, fields.published, fields.updated,
                    nowSeconds, fields.published ?? fields.updated ?? nowSeconds, entry.summary, entry.content,
                    fields.categories, fields.enclosures, fields.fingerprint,
                ])
                summary.inserted += 1
            }
        }
        return summary
    }
}

/// The derived columns of one entry.
private struct StoredFields {
    let published: Int64?
    let updated: Int64?
    let categories: String?
    let enclosures: String?
    let fingerprint: String

    init(_ entry: ParsedEntry) {
        published = entry.published.map(Seconds.from)
        updated = entry.updated.map(Seconds.from)
        categories = entry.categories.isEmpty ? nil : JSONText.encode(entry.categories)
        enclosures = entry.enclosures.isEmpty ? nil : JSONText.encode(entry.enclosures)
        fingerprint = Hash.fnv1a64Hex([
            entry.id ?? "", entry.title ?? "", entry.link ?? "", entry.author ?? "",
            published.map(String.init) ?? "", updated.map(String.init) ?? "",
            entry.summary ?? "", entry.content ?? "", categories ?? "", enclosures ?? "",
        ])
    }
}

enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func decodeStrings(_ text: String?) -> [String] {
        guard let data = text?.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }
}
