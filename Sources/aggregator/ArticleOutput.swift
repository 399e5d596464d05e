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

    static func jsonLines(_ articles: [StoredArticle]) -> [String] {
        articles.map(ArticleJSON.line)
    }

    /// `2020-10-31 08:21`, in the user's time zone.
    static func localTime(_ date: Date) -> String { DateFormatting.local(date) }
}
