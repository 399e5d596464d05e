import Foundation

/// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), adapted to the same model
/// as RSS and Atom. Keys are read leniently: a wrong type is skipped, not fatal.
enum JSONFeedParser {
    static func parse(_ bytes: [UInt8], url: String?) throws(NotAFeed) -> ParsedFeed {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw NotAFeed(reason: "invalid JSON (\(describe(error)))")
        }
        guard let root = object as? [String: Any] else { throw NotAFeed(reason: "JSON document that is not an object") }
        let version = (root["version"] as? String) ?? ""
        let number = version.components(separatedBy: "jsonfeed.org/version/").last ?? version
        let format: FeedFormat
        switch number {
        case "1", "1.0": format = .json10
        case "1.1": format = .json11
        default:
            // Some publishers omit or mangle the version; items make it a feed all the same.
            guard root["items"] is [Any] else {
                throw NotAFeed(reason: "JSON document that is not a JSON Feed (no version, no items)")
            }
            format = .json11
        }
        var feed = ParsedFeed(format: format)
        if !["1", "1.0", "1.1"].contains(number) {
            feed.warnings.append("unknown JSON Feed version '\(version)', read as 1.1")
        }
        let feedURL = string(root["feed_url"]) ?? url
        feed.title = string(root["title"]).map { HTMLText.decodeIfMarkup($0) }
        feed.link = string(root["home_page_url"]).map { URLResolver.resolve($0, against: feedURL) }
        feed.description = string(root["description"])
        feed.language = string(root["language"])
        feed.image = (string(root["icon"]) ?? string(root["favicon"])).map { URLResolver.resolve($0, against: feedURL) }
        feed.authors = authors(root, base: feedURL)
        for item in root["items"] as? [Any] ?? [] {
            guard let item = item as? [String: Any] else {
                feed.warnings.append("an item that is not an object was skipped")
                continue
            }
            feed.entries.append(entry(item, base: feedURL, warnings: &feed.warnings))
        }
        return feed
    }

    private static func entry(_ item: [String: Any], base: String?, warnings: inout [String]) -> ParsedEntry {
        var entry = ParsedEntry()
        // Ids may be numbers in the wild, though the spec says strings.
        if let id = string(item["id"]) { entry.id = id } else if let number = item["id"] as? NSNumber {
            entry.id = number.stringValue
        }
        entry.title = string(item["title"]).map { HTMLText.decodeIfMarkup($0) }
        entry.link = (string(item["url"]) ?? string(item["external_url"])).map { URLResolver.resolve($0, against: base) }
        entry.summary = string(item["summary"]).map(HTMLEscaping.escapeText)
        if let html = string(item["content_html"]) {
            entry.content = HTMLSanitizer.sanitize(html, base: entry.link ?? base)
        } else if let text = string(item["content_text"]) {
            entry.content = HTMLEscaping.escapeText(text)
        }
        for key in ["date_published", "date_modified"] {
            guard let text = string(item[key]) else { continue }
            let date = DateParser.parse(text)
            if date == nil { warnings.append("item \(entry.id ?? "?"): unparseable date '\(text.prefix(80))'") }
            if key == "date_published" { entry.published = date } else { entry.updated = date }
        }
        entry.authors = authors(item, base: base)
        entry.categories = (item["tags"] as? [Any] ?? []).compactMap { string($0) }
        entry.enclosures = (item["attachments"] as? [Any] ?? []).compactMap { value in
            guard let attachment = value as? [String: Any], let href = string(attachment["url"]) else { return nil }
            return ParsedEnclosure(url: URLResolver.resolve(href, against: base), type: string(attachment["mime_type"]),
                                   length: (attachment["size_in_bytes"] as? NSNumber)?.int64Value)
        }
        return entry
    }

    /// 1.1's `authors` array, else 1.0's single `author`.
    private static func authors(_ object: [String: Any], base: String?) -> [ParsedPerson] {
        let list = (object["authors"] as? [Any]) ?? (object["author"].map { [$0] } ?? [])
        return list.compactMap { value in
            guard let author = value as? [String: Any] else { return nil }
            let person = ParsedPerson(name: string(author["name"]), email: nil,
                                      uri: string(author["url"]).map { URLResolver.resolve($0, against: base) })
            return person.isEmpty ? nil : person
        }
    }

    private static func string(_ value: Any?) -> String? {
        guard let text = value as? String else { return nil }
        let trimmed = text.asciiTrimmed
        return trimmed.isEmpty ? nil : trimmed
    }

    private static func describe(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return text ?? "unreadable"
    }
}
