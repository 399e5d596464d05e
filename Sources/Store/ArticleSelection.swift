import GRDB

/// Where the store stands for one query: the id space and newest row, and — when a
/// person's reading is attached — their `read --all` watermark, if any.
struct ReadingContext: Sendable, Equatable {
    /// The store's id space when a person's reading is attached (nil: none attached).
    var epoch: String?
    var lastId: Int64
    /// The row id up to which `read --all` (no date bound, in this store) read everything.
    var readAllThrough: Int64?
}

/// Which rows an `ArticleQuery` asks for, as SQL: the conditions every row must meet, and
/// when one is cheap (`driver`), a set of candidate ids an index gives directly — so that
/// `--new`, `--unread` after `read --all` and `--starred` do not walk a million articles by
/// date to find the few that qualify. The conditions alone are always right; the driver
/// only says where to look.
struct ArticleSelection {
    var conditions: [String] = []
    var arguments = StatementArguments()
    /// `SELECT id …` for a superset of the answer, with how many rows it may hold.
    var driver: (sql: String, estimate: Int64)?
    /// Whether a condition reads the article's feed (`f`): else the statement need not join it.
    var readsFeed = false

    /// Past this many candidates, walking the date index is cheaper than sorting them.
    static let largestDriver: Int64 = 50_000

    init(_ query: ArticleQuery, context: ReadingContext, hasSearchIndex: Bool) {
        if let since = query.since {
            conditions.append("a.sortDate >= ?")
            arguments += [Seconds.from(since)]
        }
        if let until = query.until {
            conditions.append("a.sortDate < ?")
            arguments += [Seconds.from(until)]
        }
        // Tags are kept comma-joined: ",a,b," contains ",a,".
        let hasTag = "(',' || f.tags || ',') LIKE ('%,' || ? || ',%')"
        if let feed = query.feed {
            conditions.append("(f.url = ? OR f.configTitle = ? COLLATE NOCASE OR f.title = ? COLLATE NOCASE OR \(hasTag))")
            arguments += [feed, feed, feed, feed]
            readsFeed = true
        }
        if let tag = query.tag {
            conditions.append(hasTag)
            arguments += [tag]
            readsFeed = true
        }
        if let search = query.search {
            if hasSearchIndex {
                conditions.append("a.id IN (SELECT rowid FROM search.article_fts WHERE article_fts MATCH ?)")
                arguments += [SearchIndex.matchExpression(search) ?? "\"\""]
            } else {
                conditions.append("0")  // nothing is indexed yet
            }
        }
        var drivers: [(sql: String, estimate: Int64)] = []
        if let through = query.arrivedThrough { conditions.append("a.id <= \(through)") }
        if let cursor = query.arrivedAfter {
            if let epoch = context.epoch, cursor.epoch != epoch {
                conditions.append("a.firstSeen > \(Seconds.from(cursor.seenThrough))")  // another store's cursor: by time
            } else {
                conditions.append("a.id > \(cursor.lastId)")
                drivers.append(("SELECT id FROM article WHERE id > \(cursor.lastId)", context.lastId - cursor.lastId))
            }
        }
        if let epoch = context.epoch {
            if query.unreadOnly {
                conditions.append("NOT \(ReadStateSQL.isRead(epoch: epoch))")
                readsFeed = true
                if let through = context.readAllThrough {
                    // After `read --all`, only what came since and what was marked unread again.
                    drivers.append(("SELECT id FROM article WHERE id > \(through) UNION \(Self.markedCopies("m.read = 0"))",
                                    context.lastId - through))
                }
            }
            if query.starredOnly {
                // The copy that was starred (stories fold to one copy anyway).
                let starred = Self.markedCopies("m.starred = 1")
                conditions.append("a.id IN (\(starred))")
                drivers.append((starred, 0))
            }
        }
        driver = drivers.filter { $0.estimate <= Self.largestDriver }.min { $0.estimate < $1.estimate }
    }

    /// The articles marks were made on (found by feed and date, then by key).
    static func markedCopies(_ condition: String) -> String {
        """
        SELECT a2.id FROM state.mark m JOIN feed f2 ON f2.url = m.feed
            JOIN article a2 ON a2.feedId = f2.id AND a2.sortDate = m.date WHERE \(condition)
        """
    }

    /// The statement up to its ORDER BY. `columnsReadFeed`: whether `columns` name the
    /// feed's (`f.…`); the feed is joined when they or a condition do.
    func sql(select columns: String, columnsReadFeed: Bool = true) -> String {
        let from = driver.map { "(\($0.sql)) c CROSS JOIN article a ON a.id = c.id" } ?? "article a"
        let feed = columnsReadFeed || readsFeed ? " JOIN feed f ON f.id = a.feedId" : ""
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return "SELECT \(columns) FROM \(from)\(feed)\(whereClause)"
    }
}
