import ArgumentParser
import CommandSupport
import FeedParser
import Fetcher
import Foundation
import Store

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write collected articles as one merged feed: Atom 1.0 or JSON Feed 1.1.",
        discussion: "Takes list's filters. Each entry names the feed it came from (Atom source, JSON _aggregator).")

    @OptionGroup var reading: ReadingOptions

    @Option(help: "atom or json.")
    var format: ExportFormat = .atom

    @OptionGroup var filters: ArticleFilterOptions

    @Option(help: "At most this many articles (newest first).")
    var limit: Int?

    @Flag(help: "Every copy of a story several feeds carried.")
    var all = false

    func run() throws {
        let read = try reading.open()
        let articles = try read.store.articles(ArticleQuery(
            since: filters.since?.date, until: filters.until?.endBound, feed: filters.feed, limit: limit, allCopies: all))
        if articles.isEmpty { read.reportEmpty() }
        switch format {
        case .atom: print(FeedExport.atom(articles), terminator: "")
        case .json: print(FeedExport.jsonFeed(articles))
        }
    }
}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case atom, json
}

/// The writers behind `export`: valid Atom 1.0 (RFC 4287) and JSON Feed 1.1, which
/// `aggregator parse` reads back to the same articles.
enum FeedExport {
    /// An article's id in the export: its guid when it had one, else its link, else a
    /// URN from the store's id. Atom ids must be IRIs, so there a guid without a scheme
    /// (`1234`) gives way to the link; JSON Feed only needs ids unique.
    static func entryID(_ article: StoredArticle, requireIRI: Bool = false) -> String {
        if let guid = article.guid, !requireIRI || hasScheme(guid) { return guid }
        return article.link ?? "urn:aggregator:article:\(article.id)"
    }

    static func hasScheme(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        let scheme = text[..<colon]
        return scheme.first!.isLetter && scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }

    static func atom(_ articles: [StoredArticle], now: Date = Date()) -> String {
        let updated = articles.map { $0.updated ?? $0.date }.max() ?? now
        var out = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <title>aggregator</title>
              <id>urn:aggregator:export</id>
              <updated>\(DateFormatting.rfc3339(updated))</updated>
              <author><name>aggregator</name></author>
              <generator version="\(UserAgent.version)">aggregator</generator>

            """
        for article in articles {
            out += "  <entry>\n"
            out += "    <id>\(xml(entryID(article, requireIRI: true)))</id>\n"
            out += "    <title type=\"text\">\(xml(article.title ?? ""))</title>\n"
            if let link = article.link { out += "    <link rel=\"alternate\" href=\"\(xml(link))\"/>\n" }
            out += "    <updated>\(DateFormatting.rfc3339(article.updated ?? article.date))</updated>\n"
            if let published = article.published { out += "    <published>\(DateFormatting.rfc3339(published))</published>\n" }
            if let author = article.author, !author.isEmpty { out += "    <author><name>\(xml(author))</name></author>\n" }
            for category in article.categories { out += "    <category term=\"\(xml(category))\"/>\n" }
            if let summary = article.summary { out += "    <summary type=\"html\">\(xml(summary))</summary>\n" }
            if let content = article.content { out += "    <content type=\"html\">\(xml(content))</content>\n" }
            out += "    <source><id>\(xml(article.feedURL))</id><title>\(xml(article.feedTitle))</title>"
                + "<link rel=\"self\" href=\"\(xml(article.feedURL))\"/></source>\n"
            out += "  </entry>\n"
        }
        return out + "</feed>\n"
    }

    static func jsonFeed(_ articles: [StoredArticle]) -> String {
        let items: [[String: Any]] = articles.map { article in
            var item: [String: Any] = ["id": entryID(article), "title": article.title ?? ""]
            if let link = article.link { item["url"] = link }
            // content_html carries the HTML; JSON Feed's summary is plain text.
            if let html = article.content ?? article.summary { item["content_html"] = html }
            if article.content != nil, let summary = article.summary { item["summary"] = HTMLText.plainText(summary) }
            if let published = article.published { item["date_published"] = DateFormatting.rfc3339(published) }
            item["date_modified"] = DateFormatting.rfc3339(article.updated ?? article.date)
            if let author = article.author, !author.isEmpty { item["authors"] = [["name": author]] }
            if !article.categories.isEmpty { item["tags"] = article.categories }
            item["_aggregator"] = ["feed_url": article.feedURL, "feed_title": article.feedTitle]
            return item
        }
        let feed: [String: Any] = ["version": "https://jsonfeed.org/version/1.1", "title": "aggregator", "items": items]
        let data = (try? JSONSerialization.data(withJSONObject: feed, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func xml(_ text: String) -> String { XMLText.escape(text, keepingLines: true) }
}
