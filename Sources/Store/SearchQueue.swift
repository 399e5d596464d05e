import GRDB

/// The store's side of the search index: an ordered queue (`search_queue`) of what the
/// index file has to do — 'add' an article, 'drop' the words it was indexed with —
/// written by the store's writer in the same transaction as the articles themselves.
///
/// A contentless FTS5 index forgets a row only when told the exact words it indexed for
/// it, so a 'drop' carries them, worked out from the article as it was just before it
/// changed or went. An 'add' carries nothing and takes the article's words when applied;
/// if the article has changed since, the queue already holds the 'drop' for that change,
/// and its words are the ones this 'add' must index (SearchQueue.changes). So the index
/// always removes exactly what it added.
enum SearchQueue {
    enum Op: String, Sendable { case add, drop }

    struct Words: Sendable, Equatable {
        var title: String
        var body: String
        var storyHash: Int64?
    }

    struct Change: Sendable, Equatable {
        var op: Op
        var articleID: Int64
        var words: Words
    }

    /// A batch read from the queue: the changes to apply, the last sequence number they
    /// cover (nil: the queue holds nothing new) and how many entries that is.
    struct Batch: Sendable {
        var changes: [Change] = []
        var last: Int64?
        var consumed = 0
        /// The last entry queued when the batch was read: a batch read ahead that was not
        /// full leaves out whatever was queued after this (`Store.indexPending`).
        var queuedThrough: Int64 = 0
    }

    /// Queues new (or changed) articles for indexing, in order: one statement for a whole
    /// document's articles (one each cost the writer a statement per article).
    static func add(articleIDs: [Int64], in db: Database) throws {
        guard !articleIDs.isEmpty else { return }
        try db.cachedStatement(sql: """
            INSERT INTO search_queue (op, articleId) SELECT 'add', value FROM json_each(?) ORDER BY key
            """).execute(arguments: ["[" + articleIDs.map(String.init).joined(separator: ",") + "]"])
    }

    /// The sequence number of the last entry ever queued (AUTOINCREMENT keeps it after
    /// the queue is emptied; 0 before the first).
    static func lastQueued(in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'search_queue'") ?? 0
    }

    /// Queues the removal of an article's words: call before it changes or is deleted.
    static func drop(articleID: Int64, in db: Database) throws {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT title, summary, content, storyHash FROM article WHERE id = ?"),
            arguments: [articleID]) else { return }
        let words = words(title: row[0], summary: row[1], content: BodyCompression.text(row[2]), storyHash: row[3])
        try db.cachedStatement(sql: """
            INSERT INTO search_queue (op, articleId, title, body, storyHash) VALUES ('drop', ?, ?, ?, ?)
            """).execute(arguments: [articleID, words.title, words.body, words.storyHash])
    }

    static func words(title: String?, summary: String?, content: String?, storyHash: Int64?) -> Words {
        Words(title: title ?? "", body: SearchText.of(summary: summary, content: content), storyHash: storyHash)
    }

    /// Up to `limit` entries after `seq`, in order, with the words each 'add' must index:
    /// those of the next 'drop' of the same article in the queue when there is one (the
    /// article changed after it was queued), else the article's as this snapshot has it.
    static func changes(after seq: Int64, limit: Int, in db: Database) throws -> Batch {
        struct Entry { var seq: Int64; var op: Op; var articleID: Int64; var words: Words? }
        func entries(_ sql: String, _ arguments: StatementArguments) throws -> [Entry] {
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let op = Op(rawValue: row[1]) ?? .add
                return Entry(seq: row[0], op: op, articleID: row[2],
                             words: op == .drop ? Words(title: row[3] ?? "", body: row[4] ?? "", storyHash: row[5]) : nil)
            }
        }
        let taken = try entries("""
            SELECT seq, op, articleId, title, body, storyHash FROM search_queue WHERE seq > ? ORDER BY seq LIMIT ?
            """, [seq, limit])
        let queuedThrough = try lastQueued(in: db)
        guard let last = taken.last?.seq else { return Batch(queuedThrough: queuedThrough) }

        // The drops of each article, in order: those in the batch and any queued after it.
        var drops: [Int64: [Entry]] = [:]
        for entry in taken where entry.op == .drop { drops[entry.articleID, default: []].append(entry) }
        let added = Set(taken.filter { $0.op == .add }.map(\.articleID))
        for entry in try entries("SELECT seq, op, articleId, title, body, storyHash FROM search_queue WHERE seq > ? AND op = 'drop' ORDER BY seq",
                                 [last]) where added.contains(entry.articleID) {
            drops[entry.articleID, default: []].append(entry)
        }
        // The articles' own words, for adds that no later drop speaks for.
        let needRows = taken.filter { entry in
            entry.op == .add && !(drops[entry.articleID] ?? []).contains { $0.seq > entry.seq }
        }.map(\.articleID)
        var current: [Int64: Words] = [:]
        for start in stride(from: 0, to: needRows.count, by: 500) {
            let chunk = Array(needRows[start..<min(start + 500, needRows.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let rows = try Row.fetchCursor(db, sql: "SELECT id, title, summary, content, storyHash FROM article WHERE id IN (\(marks))",
                                           arguments: StatementArguments(chunk))
            while let row = try rows.next() {
                // Plain HTML read in place (no String of it is made), straight into words; a
                // compressed body (BodyCompression) is decompressed first.
                let body = try row.withUnsafeData(atIndex: 2) { summary in
                    try row.withUnsafeData(atIndex: 3) { content in
                        guard let content, content.withUnsafeBytes(BodyCompression.isCompressed) else {
                            return SearchText.of(summaryBytes: summary, contentBytes: content)
                        }
                        let text = content.withUnsafeBytes(BodyCompression.text)
                        return SearchText.of(summary: summary.map { String(decoding: $0, as: UTF8.self) }, content: text)
                    }
                }
                current[row[0]] = Words(title: row[1] ?? "", body: body, storyHash: row[4])
            }
        }

        var batch = Batch(last: last, consumed: taken.count, queuedThrough: queuedThrough)
        for entry in taken {
            switch entry.op {
            case .drop:
                if let words = entry.words { batch.changes.append(Change(op: .drop, articleID: entry.articleID, words: words)) }
            case .add:
                let next = (drops[entry.articleID] ?? []).first { $0.seq > entry.seq }
                // No row and no later drop: the article is gone and was never indexed; nothing to do.
                if let words = next?.words ?? current[entry.articleID] {
                    batch.changes.append(Change(op: .add, articleID: entry.articleID, words: words))
                }
            }
        }
        return batch
    }
}
