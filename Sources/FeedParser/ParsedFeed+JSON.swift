import Foundation

/// The `aggregator parse --json` shape (`shared/contract/parse-json.md`). Absent values are
/// written as `null`, never left out, so consumers can rely on every key being present.
extension ParsedFeed: Encodable {
    enum CodingKeys: String, CodingKey {
        case format, title, link, description, language, updated, authors, image, categories, entries, warnings
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format.rawValue, forKey: .format)
        try c.encode(title, forKey: .title)
        try c.encode(link, forKey: .link)
        try c.encode(description, forKey: .description)
        try c.encode(language, forKey: .language)
        try c.encode(updated.map(DateFormatting.rfc3339), forKey: .updated)
        try c.encode(authors, forKey: .authors)
        try c.encodeIfPresent(image, forKey: .image)
        try c.encode(categories, forKey: .categories)
        try c.encode(entries, forKey: .entries)
        try c.encode(warnings, forKey: .warnings)
    }

    /// The contract's JSON text.
    public func jsonText(pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension ParsedEntry: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, title, link, published, updated, author, authors, summary, content, categories, enclosures
        case duration, image, comments
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(link, forKey: .link)
        try c.encode(published.map(DateFormatting.rfc3339), forKey: .published)
        try c.encode(updated.map(DateFormatting.rfc3339), forKey: .updated)
        try c.encode(author, forKey: .author)
        try c.encode(authors, forKey: .authors)
        try c.encode(summary, forKey: .summary)
        try c.encode(content, forKey: .content)
        try c.encode(categories, forKey: .categories)
        try c.encode(enclosures, forKey: .enclosures)
        // Extensions: present only when the feed has them.
        try c.encodeIfPresent(duration, forKey: .duration)
        try c.encodeIfPresent(image, forKey: .image)
        try c.encodeIfPresent(commentCount, forKey: .comments)
    }
}

extension ParsedPerson: Encodable {
    enum CodingKeys: String, CodingKey { case name, email, uri }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(email, forKey: .email)
        try c.encode(uri, forKey: .uri)
    }
}

extension ParsedEnclosure: Encodable {
    enum CodingKeys: String, CodingKey { case url, type, length }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(url, forKey: .url)
        try c.encode(type, forKey: .type)
        try c.encode(length, forKey: .length)
    }
}
