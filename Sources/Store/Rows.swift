import GRDB

extension FeedState {
    /// Named columns, read by position below: looking 24 columns up by name for each of
    /// thousands of feeds was most of `aggregator feeds`' time.
    static let selectSQL = """
        SELECT id, url, configTitle, title, tags, inConfig, siteLink, etag, lastModified, lastFetchAt,
            lastSuccessAt, lastOutcome, lastError, errorCount, nextDueAt, articleCount, bodyHash, movedTo,
            lastBodyAt, refreshHint, goneForKey IS NOT NULL AND goneForKey IS configKey AS isGone
        FROM feed
        """

    init(row: Row) {
        let tags: String = row[4]
        self.init(
            id: row[0], url: row[1], configTitle: row[2], title: row[3],
            tags: tags.split(separator: ",").map(String.init), inConfig: row[5],
            siteLink: row[6], etag: row[7], lastModified: row[8],
            lastFetchAt: Seconds.date(row[9]), lastSuccessAt: Seconds.date(row[10]),
            lastOutcome: (row[11] as String?).flatMap(FetchOutcome.init(rawValue:)),
            lastError: row[12], errorCount: row[13], nextDueAt: Seconds.date(row[14]),
            articleCount: row[15], bodyHash: row[16], movedTo: row[17],
            lastBodyAt: Seconds.date(row[18]), refreshHint: row[19], isGone: row[20])
    }
}

extension StoredArticle {
    static let columns = """
        a.id, f.url AS feedURL, coalesce(f.configTitle, f.title, f.url) AS feedTitle, a.guid, a.link,
            a.title, a.author, a.published, a.updated, a.firstSeen, a.changedAt, a.sortDate, a.summary,
            a.content, a.categories, a.storyHash, \(ReadStateSQL.key) AS readKey
        """
    static let selectSQL = "SELECT \(columns) FROM article a JOIN feed f ON f.id = a.feedId"

    /// The columns, with whether the person whose reading is attached (`state`, in the
    /// store's id space `epoch`) has read and starred it.
    static func columns(readingIn epoch: String?) -> String {
        guard let epoch else { return columns }
        return "\(columns), \(ReadStateSQL.isRead(epoch: epoch)) AS isRead, \(ReadStateSQL.isStarred) AS isStarred"
    }

    init(row: Row) {
        self.init(
            id: row["id"], feedURL: row["feedURL"], feedTitle: row["feedTitle"], guid: row["guid"],
            link: row["link"], title: row["title"], author: row["author"],
            published: Seconds.date(row["published"]), updated: Seconds.date(row["updated"]),
            firstSeen: Seconds.date(row["firstSeen"])!, changedAt: Seconds.date(row["changedAt"]),
            date: Seconds.date(row["sortDate"])!, summary: row["summary"],
            content: BodyCompression.text(row["content"]),
            categories: JSONText.decodeStrings(row["categories"]), story: row["storyHash"],
            readKey: row["readKey"], isRead: row["isRead"], isStarred: row["isStarred"])
    }
}
