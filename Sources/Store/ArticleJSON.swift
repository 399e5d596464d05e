import FeedParser
import Foundation

/// An article as one JSON object: what `list --format json` prints, what hooks get on
/// stdin and webhooks in their body. Field names are an interface: keep them.
public enum ArticleJSON {
    /// One line of JSON, keys sorted.
    public static func line(_ article: StoredArticle) -> String {
        String(decoding: data(article), as: UTF8.self)
    }

    public static func data(_ article: StoredArticle) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(Object(article))) ?? Data("{}".utf8)
    }

    struct Object: Encodable {
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
}
