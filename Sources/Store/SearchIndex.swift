import Foundation
import GRDB

/// Full-text search over titles, summaries and content (SQLite FTS5, contentless), which
/// also knows each article's story (its `story` column: which articles share a canonical
/// link) — in `search.sqlite` (SearchIndexFile), attached to every reading connection as
/// `search`.
///
/// Storing an article only queues it (`search_queue`, SearchQueue); `indexPending` does the
/// costly tokenising later, in batches, on the index file's own connection — the daemon
/// alongside its polls, `search` before it answers — so a poll never waits for it.
enum SearchIndex {
    /// The user's words as an FTS5 query: each word quoted (so `C++`, `"` or `AND` are
    /// just words), all required; a trailing `*` keeps a prefix search.
    static func matchExpression(_ query: String) -> String? {
        let words = query.split(whereSeparator: { $0.isWhitespace }).compactMap { word -> String? in
            let prefix = word.hasSuffix("*")
            let bare = (prefix ? word.dropLast() : word[...]).replacingOccurrences(of: "\"", with: "\"\"")
            guard !bare.isEmpty else { return nil }
            return "\"\(bare)\"" + (prefix ? "*" : "")
        }
        // Only titles and text: the story column holds story words, not the article's.
        return words.isEmpty ? nil : "{title body} : (" + words.joined(separator: " ") + ")"
    }

    /// The word that stands for a story in the index's `story` column: the hash in base 36,
    /// behind a letter so the tokenizer keeps it whole ("s" + up to 13 characters).
    static func storyWord(_ hash: Int64) -> String {
        "s" + String(UInt64(bitPattern: hash), radix: 36)
    }

    /// An FTS5 query for articles carrying any of `hashes` as their story.
    static func storyMatch(_ hashes: [Int64]) -> String {
        "story : (" + hashes.map(storyWord).joined(separator: " OR ") + ")"
    }
}

extension Store {
    /// Applies up to `limit` queued changes to the index file; returns how many it took
    /// from the queue (0: nothing waits). Reads the queue and the articles in one snapshot
    /// of the store, writes the index on its own connection (the store's writer stays free
    /// for polls), then trims what was applied from the queue. `MemoryLimits.indexBatch` at
    /// a time unless told (5,000 by default): FTS5 flushes a segment at each commit, and
    /// 2,000 indexed 25% slower (nobody waits for this writer, so a long transaction holds
    /// nobody up); a smaller batch holds the words of fewer bodies in memory.
    @discardableResult
    public func indexPending(limit: Int? = nil) async throws -> Int {
        guard let writer, let index = searchIndex else { throw OpenError(path: path, reason: "opened read-only") }
        let limit = limit ?? indexBatch
        guard let applied = try index.state()?.appliedThrough else { return 0 }
        let read = { @Sendable (after: Int64) async throws -> SearchQueue.Batch in
            try await writer.read { db in try SearchQueue.changes(after: after, limit: limit, in: db) }
        }
        var batch = try await indexReadAhead.take(after: applied, limit: limit)
        // A batch read ahead that had room left (an empty one too) is stale once more was
        // queued since: what was queued would wait for the next call (a test's one call saw
        // a prune's drop left out). Read again, then.
        if let ahead = batch, ahead.consumed < limit,
           try await writer.read({ try SearchQueue.lastQueued(in: $0) }) > ahead.queuedThrough {
            batch = nil
        }
        if batch == nil { batch = try await read(applied) }
        guard let batch else { return 0 }
        guard let last = batch.last else {
            try await index.endBurst()
            return 0
        }
        // The next batch is read (and its bodies decompressed and reduced to words) while
        // this one is applied: the indexer is one thread doing both in turn, and during a
        // burst the slower of storing and indexing sets the pace.
        indexReadAhead.start(after: last, limit: limit) { try await read(last) }
        // Another indexer (`search` while the daemon runs) may have applied these meanwhile:
        // then this batch is dropped, and the next call starts from where that one ended.
        guard try await index.apply(batch.changes, from: applied, through: last, moreWaiting: batch.consumed == limit) else {
            return batch.consumed
        }
        // Trimmed through the store's writer without waiting for it (it may be storing a
        // long batch of polls): the next batch starts after `appliedThrough` in any case.
        writer.asyncWrite({ db in
            try db.execute(sql: "DELETE FROM search_queue WHERE seq <= ?", arguments: [last])
        }, completion: { _, _ in })
        return batch.consumed
    }

    /// Work for quiet moments (the daemon calls it while nothing waits to be indexed): one
    /// step of merging the index's segments, then, once merged, giving freed pages back to
    /// the file system. True while there is more to do.
    ///
    /// Indexing lets up to 16 segments gather on a level (fast to write); each query then
    /// looks words up in each segment. After 1M bench articles, `list` (50 stories looked up)
    /// took 39 ms as a process; merged down (14 steps, 13 s), 28 ms — as fully optimized.
    @discardableResult
    public func tidySearchIndex() async throws -> Bool {
        guard let index = searchIndex else { throw OpenError(path: path, reason: "opened read-only") }
        if try await index.mergeStep() { return true }
        try await index.giveBackFreePages()
        return false
    }

    /// Articles stored but not yet searchable.
    public func pendingSearchCount() throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM search_queue WHERE op = 'add' AND seq > ?",
                             arguments: [try appliedThrough(db)]) ?? 0
        }
    }

    /// How far the index file has applied the queue, as this reader sees it (0 without one).
    func appliedThrough(_ db: Database) throws -> Int64 {
        guard hasSearchIndex else { return 0 }
        return try Int64.fetchOne(db, sql: "SELECT appliedThrough FROM search.search_state") ?? 0
    }

    /// The best matches for `query`, best first, each with a snippet of text around the
    /// first match (matches marked by `highlight`). A story several feeds carried is one
    /// result, its best-ranked copy naming the other feeds, as `list` shows it
    /// (`allCopies`: each copy on its own).
    public func search(_ query: String, limit: Int = 20, allCopies: Bool = false,
                       highlight: (String) -> String = { "[" + $0 + "]" }) throws -> [(article: StoredArticle, snippet: String)] {
        guard let match = SearchIndex.matchExpression(query) else { return [] }
        let terms = query.split(whereSeparator: { $0.isWhitespace })
            .map { String($0.hasSuffix("*") ? $0.dropLast() : $0).lowercased() }.filter { !$0.isEmpty }
        guard hasSearchIndex else { return [] }
        let columns = StoredArticle.columns(readingIn: try readingContext().epoch)
        return try read { db in
            // Title matches weigh more than body matches (weights in the order of
            // SearchIndexFile.columns). Read in pages until `limit` stories are found.
            let ranked = try db.makeStatement(sql: """
                SELECT rowid FROM search.article_fts WHERE article_fts MATCH ? ORDER BY bm25(article_fts, 1.0, 4.0) LIMIT ? OFFSET ?
                """)
            let byID = try db.makeStatement(sql: "SELECT \(columns) FROM article a JOIN feed f ON f.id = a.feedId WHERE a.id = ?")
            var results: [StoredArticle] = []
            var stories = Set<Int64>()
            var offset = 0
            let page = max(limit * 2, 20)
            while results.count < limit {
                let ids = try Int64.fetchAll(ranked, arguments: [match, page, offset])
                for id in ids {
                    guard results.count < limit, let row = try Row.fetchOne(byID, arguments: [id]) else { continue }
                    let article = StoredArticle(row: row)
                    if !allCopies, let story = article.story, !stories.insert(story).inserted { continue }
                    results.append(article)
                }
                if ids.count < page { break }
                offset += page
            }
            if !allCopies {
                var shown: [Int64: Int64] = [:]  // story → the feed of the copy shown
                try forEachChunk(of: results.map(\.id), sql: "SELECT storyHash, feedId FROM article WHERE id IN", in: db) { row in
                    if let story = row[0] as Int64? { shown[story] = row[1] }
                }
                let alsoIn = StoryCopy.otherFeeds(try storyCopies(of: Array(shown.keys), in: db), shown: shown)
                for index in results.indices {
                    if let story = results[index].story { results[index].alsoIn = alsoIn[story, default: []] }
                }
            }
            return results.map { article in
                let text = SearchText.of(summary: article.summary, content: article.content)
                return (article, Snippet.around(terms, in: text, highlight: highlight))
            }
        }
    }
}

/// A short window of text around the first matching word, matches highlighted — the
/// word only, not the punctuation around it (`**innovation**,`).
enum Snippet {
    static func around(_ terms: [String], in text: String, width: Int = 160, highlight: (String) -> String) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        guard !words.isEmpty else { return "" }
        func matches(_ word: String) -> Bool {
            let folded = core(of: word).word.lowercased()
            return terms.contains { folded.hasPrefix($0) }
        }
        let first = words.firstIndex(where: matches) ?? 0
        var start = max(0, first - 8)
        var out: [String] = []
        var length = 0
        while start < words.count && length < width {
            let word = words[start]
            if matches(word) {
                let (before, core, after) = core(of: word)
                out.append(before + highlight(core) + after)
            } else {
                out.append(word)
            }
            length += word.count + 1
            start += 1
        }
        let prefix = first - 8 > 0 ? "… " : ""
        let suffix = start < words.count ? " …" : ""
        return prefix + out.joined(separator: " ") + suffix
    }

    /// A word without the punctuation before and after it (`"innovation,"` → `innovation`).
    static func core(of word: String) -> (before: String, word: String, after: String) {
        let isPunctuation = { (character: Character) in character.isPunctuation || character.isSymbol }
        let start = word.firstIndex { !isPunctuation($0) } ?? word.endIndex
        let end = word.lastIndex { !isPunctuation($0) }.map { word.index(after: $0) } ?? start
        guard start < end else { return ("", word, "") }
        return (String(word[..<start]), String(word[start..<end]), String(word[end...]))
    }
}
