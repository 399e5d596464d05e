import FeedParser
import Foundation
import Store

/// How `list` prints articles: aligned text for people, one JSON object a line for scripts.
enum ArticleOutput {
    /// Id, date, feed, title, link (and the other feeds of a shared story). On a terminal
    /// (`width` known) each line is fitted to it, cutting the title first; `colour` dims
    /// the id, date and link, brightens the feed and shows unread titles in bold. A star
    /// marks starred articles when the person's reading is known.
    static func textLines(_ articles: [StoredArticle], width: Int? = nil, colour: Bool = false) -> [String] {
        let idWidth = articles.map { String($0.id).count }.max() ?? 0
        let feedWidth = min(24, articles.map { DisplayWidth.of(TerminalText.clean($0.feedTitle)) }.max() ?? 0)
        return articles.map { article in
            let id = TerminalText.padLeft(String(article.id), idWidth)
            var title = (article.isStarred == true ? "★ " : "") + TerminalText.clean(article.title ?? "(untitled)")
            var link = TerminalText.clean(article.link ?? "")
            let feed = TerminalText.pad(TerminalText.clean(article.feedTitle), feedWidth)
            let also = article.alsoIn.isEmpty ? "" : "  (also in " + article.alsoIn.map(TerminalText.clean).joined(separator: ", ") + ")"
            let date = localTime(article.date)
            if let width {
                // id + date + feed with their gaps, then the title and the link share the rest.
                let fixed = idWidth + 2 + date.count + 2 + feedWidth + 2
                let room = max(width - fixed, 20)
                let linkWidth = DisplayWidth.of(link)
                let titleRoom = max(room - min(linkWidth, room / 2) - 2, 10)
                title = TerminalText.fit(title, titleRoom)
                link = TerminalText.fit(link, max(room - DisplayWidth.of(title) - 2, 0))
            }
            let tail = (link.isEmpty ? "" : "  " + link) + also
            guard colour else { return "\(id)  \(date)  \(feed)  \(title)\(tail)" }
            let shownTitle = article.isRead == false ? "\(Style.bold)\(title)\(Style.normal)" : title
            return "\(Style.dim)\(id)  \(date)\(Style.reset)  \(Style.feed)\(feed)\(Style.reset)  \(shownTitle)"
                + "\(Style.dim)\(tail)\(Style.reset)"
        }
    }

    /// Tab-separated: id, date (RFC 3339), feed URL, feed title, title, link; tabs and
    /// line breaks inside fields become spaces.
    static func tsvLines(_ articles: [StoredArticle]) -> [String] {
        articles.map { article in
            [String(article.id), DateFormatting.rfc3339(article.date), article.feedURL, article.feedTitle,
             article.title ?? "", article.link ?? ""].map(TerminalText.clean).joined(separator: "\t")
        }
    }

    static func jsonArray(_ articles: [StoredArticle]) -> String {
        "[" + jsonLines(articles).joined(separator: ",\n") + "]"
    }

    struct JSONArticle: Encodable {
        let id: Int64
        let feed: String
        let feed_title: String
        let guid: String?
        let title: String?
        let link: String?
        let author: String?
        let date: String
        let published: String?
        let updated: String?
        let first_seen: String
        let categories: [String]
        let summary: String?
        let content: String?
        /// Other feeds that carried the same story (folded into this one).
        let also_in: [String]
        /// The person's reading (nothing kept yet: nothing read or starred).
        let read: Bool
        let starred: Bool

        init(_ a: StoredArticle) {
            also_in = a.alsoIn
            read = a.isRead ?? false
            starred = a.isStarred ?? false
            id = a.id
            feed = a.feedURL
            feed_title = a.feedTitle
            guid = a.guid
            title = a.title
            link = a.link
            author = a.author
            date = DateFormatting.rfc3339(a.date)
            published = a.published.map(DateFormatting.rfc3339)
            updated = a.updated.map(DateFormatting.rfc3339)
            first_seen = DateFormatting.rfc3339(a.firstSeen)
            categories = a.categories
            summary = a.summary
            content = a.content
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(feed, forKey: .feed)
            try c.encode(feed_title, forKey: .feed_title)
            try c.encode(guid, forKey: .guid)
            try c.encode(title, forKey: .title)
            try c.encode(link, forKey: .link)
            try c.encode(author, forKey: .author)
            try c.encode(date, forKey: .date)
            try c.encode(published, forKey: .published)
            try c.encode(updated, forKey: .updated)
            try c.encode(first_seen, forKey: .first_seen)
            try c.encode(categories, forKey: .categories)
            try c.encode(summary, forKey: .summary)
            try c.encode(content, forKey: .content)
            try c.encode(also_in, forKey: .also_in)
            try c.encode(read, forKey: .read)
            try c.encode(starred, forKey: .starred)
        }

        enum CodingKeys: String, CodingKey {
            case id, feed, feed_title, guid, title, link, author, date, published, updated, first_seen,
                 categories, summary, content, also_in, read, starred
        }
    }

    static func jsonLines(_ articles: [StoredArticle]) -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return articles.compactMap { article in
            (try? encoder.encode(JSONArticle(article))).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// `2020-10-31 08:21`, in the user's time zone.
    static func localTime(_ date: Date) -> String { DateFormatting.local(date) }
}
