import GRDB

extension FeedState {
    static let selectSQL = """
        SELECT feed.* FROM feed
        """

    init(row: Row) {
        let tags: String = row["tags"]
        self.init(
            id: row["id"], url: row["url"], configTitle: row["configTitle"], title: row["title"],
            tags: tags.split(separator: ",").map(String.init), inConfig: row["inConfig"],
            siteLink: row["siteLink"], etag: row["etag"], lastModified: row["lastModified"],
            lastFetchAt: Seconds.date(row["lastFetchAt"]), lastSuccessAt: Seconds.date(row["lastSuccessAt"]),
            lastOutcome: (row["lastOutcome"] as String?).flatMap(FetchOutcome.init(rawValue:)),
            lastError: row["lastError"], errorCount: row["errorCount"], nextDueAt: Seconds.date(row["nextDueAt"]),
            articleCount: row["articleCount"], bodyHash: row["bodyHash"], movedTo: row["movedTo"],
            lastBodyAt: Seconds.date(row["lastBodyAt"]), refreshHint: row["refreshHint"],
            isGone: (row["goneForKey"] as String?) != nil && (row["goneForKey"] as String?) == (row["configKey"] as String?))
    }
}

extension StoredArticle {
    static let selectSQL = """
        SELECT a.id, f.url AS feedURL, coalesce(f.configTitle, f.title, f.url) AS feedTitle, a.guid, a.link,
            a.title, a.author, a.published, a.updated, a.firstSeen, a.changedAt, a.sortDate, a.summary,
            a.content, a.categories, a.storyHash
        FROM article a JOIN feed f ON f.id = a.feedId
        """

    init(row: Row) {
        self.init(
            id: row["id"], feedURL: row["feedURL"], feedTitle: row["feedTitle"], guid: row["guid"],
            link: row["link"], title: row["title"], author: row["author"],
            published: Seconds.date(row["published"]), updated: Seconds.date(row["updated"]),
            firstSeen: Seconds.date(row["firstSeen"])!, changedAt: Seconds.date(row["changedAt"]),
            date: Seconds.date(row["sortDate"])!, summary: row["summary"], content: row["content"],
            categories: JSONText.decodeStrings(row["categories"]), story: row["storyHash"])
    }
}
