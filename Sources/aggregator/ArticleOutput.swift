import FeedParser
import Foundation
import Store

/// How `list` prints articles: aligned text for people, one JSON object a line for scripts.
enum ArticleOutput {
    /// Date, feed, title, link (and the other feeds of a shared story). On a terminal
    /// (`width` known) each line is fitted to it, cutting the title first; `colour` dims
    /// the date and link and brightens the feed.
    static func textLines(_ articles: [StoredArticle], width: Int? = nil, colour: Bool = false) -> [String] {
        let feedWidth = min(24, articles.map { $0.feedTitle.count }.max() ?? 0)
        return articles.map { article in
            var title = TerminalText.clean(article.title ?? "(untitled)")
            var link = TerminalText.clean(article.link ?? "")
            let feed = TerminalText.pad(TerminalText.clean(article.feedTitle), feedWidth)
            let also = article.alsoIn.isEmpty ? "" : "  (also in " + article.alsoIn.map(TerminalText.clean).joined(separator: ", ") + ")"
            let date = localTime(article.date)
            if let width {
                // date + two gaps + feed + two gaps, then the title and the link share the rest.
                let fixed = date.count + 2 + feedWidth + 2
                let room = max(width - fixed, 20)
                let titleRoom = max(room - min(link.count, room / 2) - 2, 10)
                title = TerminalText.fit(title, titleRoom)
                link = TerminalText.fit(link, max(room - title.count - 2, 0))
            }
            let tail = (link.isEmpty ? "" : "  " + link) + also
            guard colour else { return "\(date)  \(feed)  \(title)\(tail)" }
            return "\(Style.dim)\(date)\(Style.reset)  \(Style.feed)\(feed)\(Style.reset)  \(title)"
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

        init(_ a: StoredArticle) {
            also_in = a.alsoIn
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
        }

        enum CodingKeys: String, CodingKey {
            case id, feed, feed_title, guid, title, link, author, date, published, updated, first_seen,
                 categories, summary, content, also_in
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
