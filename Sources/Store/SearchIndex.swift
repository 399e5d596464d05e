import Foundation
import GRDB

/// Full-text search over titles, summaries and content (SQLite FTS5, contentless), and
/// the story index (`story`: which articles share a canonical link).
///
/// Storing an article only queues it (`search_pending`); `indexPending` does the costly
/// tokenising and the random-order story inserts later, in batches — the daemon between
/// polls, `search` before it answers — so a poll never waits for either. A contentless
/// index forgets a row only when told the words it indexed for it, so changes and
/// deletions go through `forget`, which recomputes them from the stored row.
enum SearchIndex {
    /// Removes an indexed article's words (before it changes or goes); a queued one was
    /// never indexed and has nothing to remove.
    static func forget(articleID: Int64, in db: Database) throws {
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM search_pending WHERE articleId = ?)",
                             arguments: [articleID]) == true {
            return
        }
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT title, summary, content, storyHash FROM article WHERE id = ?"),
            arguments: [articleID]) else { return }
        if let story = row["storyHash"] as Int64? {
            try db.cachedStatement(sql: "DELETE FROM story WHERE storyHash = ? AND articleId = ?")
                .execute(arguments: [story, articleID])
        }
        try db.cachedStatement(sql: "INSERT INTO article_fts (article_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)")
            .execute(arguments: [articleID, (row["title"] as String?) ?? "",
                                 SearchText.of(summary: row["summary"], content: row["content"])])
    }

    /// The user's words as an FTS5 query: each word quoted (so `C++`, `"` or `AND` are
    /// just words), all required; a trailing `*` keeps a prefix search.
    static func matchExpression(_ query: String) -> String? {
        let words = query.split(whereSeparator: { $0.isWhitespace }).compactMap { word -> String? in
            let prefix = word.hasSuffix("*")
            let bare = (prefix ? word.dropLast() : word[...]).replacingOccurrences(of: "\"", with: "\"\"")
            guard !bare.isEmpty else { return nil }
            return "\"\(bare)\"" + (prefix ? "*" : "")
        }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }
}

extension Store {
    /// Indexes up to `limit` queued articles in one transaction; returns how many. (2,000
    /// holds the writer ~0.1 s; smaller batches cost FTS5 more segment merging.)
    @discardableResult
    public func indexPending(limit: Int = 2000) async throws -> Int {
        guard let writer else { throw OpenError(path: path, reason: "opened read-only") }
        return try await writer.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.id, a.title, a.summary, a.content, a.storyHash FROM search_pending p
                JOIN article a ON a.id = p.articleId
                ORDER BY p.articleId LIMIT ?
                """, arguments: [limit])
            let insert = try db.cachedStatement(sql: "INSERT INTO article_fts (rowid, title, body) VALUES (?, ?, ?)")
            for row in rows {
                try insert.execute(arguments: [row[0] as Int64, (row[1] as String?) ?? "",
                                               SearchText.of(summary: row[2], content: row[3])])
            }
            // In hash order, so each page of the story index is written once per batch.
            let stories = rows.compactMap { row in (row[4] as Int64?).map { ($0, row[0] as Int64) } }.sorted { $0 < $1 }
            let addStory = try db.cachedStatement(sql: "INSERT OR IGNORE INTO story (storyHash, articleId) VALUES (?, ?)")
            for (story, id) in stories { try addStory.execute(arguments: [story, id]) }
            if let last = rows.last?[0] as Int64? {
                try db.execute(sql: "DELETE FROM search_pending WHERE articleId <= ?", arguments: [last])
            } else {
                // Queued ids whose article is gone (pruned before indexing).
                try db.execute(sql: "DELETE FROM search_pending WHERE articleId NOT IN (SELECT id FROM article)")
            }
            return rows.count
        }
    }

    /// Articles stored but not yet searchable.
    public func pendingSearchCount() throws -> Int {
        try reader.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM search_pending") ?? 0 }
    }

    /// The best matches for `query`, best first, each with a snippet of text around the
    /// first match (matches marked by `highlight`).
    public func search(_ query: String, limit: Int = 20,
                       highlight: (String) -> String = { "[" + $0 + "]" }) throws -> [(article: StoredArticle, snippet: String)] {
        guard let match = SearchIndex.matchExpression(query) else { return [] }
        let terms = query.split(whereSeparator: { $0.isWhitespace })
            .map { String($0.hasSuffix("*") ? $0.dropLast() : $0).lowercased() }.filter { !$0.isEmpty }
        return try reader.read { db in
            // Title matches weigh more than body matches.
            let ids = try Int64.fetchAll(db, sql: """
                SELECT rowid FROM article_fts WHERE article_fts MATCH ? ORDER BY bm25(article_fts, 4.0, 1.0) LIMIT ?
                """, arguments: [match, limit])
            return try ids.compactMap { id -> (StoredArticle, String)? in
                guard let row = try Row.fetchOne(db, sql: "\(StoredArticle.selectSQL) WHERE a.id = ?", arguments: [id]) else {
                    return nil
                }
                let article = StoredArticle(row: row)
                let text = SearchText.of(summary: article.summary, content: article.content)
                return (article, Snippet.around(terms, in: text, highlight: highlight))
            }
        }
    }
}

/// A short window of text around the first matching word, matches highlighted.
enum Snippet {
    static func around(_ terms: [String], in text: String, width: Int = 160, highlight: (String) -> String) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        guard !words.isEmpty else { return "" }
        func matches(_ word: String) -> Bool {
            let folded = word.lowercased().trimmingCharacters(in: .punctuationCharacters)
            return terms.contains { folded.hasPrefix($0) }
        }
        let first = words.firstIndex(where: matches) ?? 0
        var start = max(0, first - 8)
        var out: [String] = []
        var length = 0
        while start < words.count && length < width {
            let word = words[start]
            out.append(matches(word) ? highlight(word) : word)
            length += word.count + 1
            start += 1
        }
        let prefix = first - 8 > 0 ? "… " : ""
        let suffix = start < words.count ? " …" : ""
        return prefix + out.joined(separator: " ") + suffix
    }
}
