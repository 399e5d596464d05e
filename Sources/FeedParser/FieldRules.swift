/// What a known element holds, and so where its text goes.
enum Field: Equatable {
    case feedTitle, feedDescription, feedLanguage, feedUpdated, feedAuthor
    /// `webMaster`: the feed's author only when nothing better names one.
    case feedAuthorFallback
    /// Atom `logo`/`icon`, RSS `image/url`.
    case feedImage
    case entryID, entryTitle, entryPublished, entryUpdated, entryAuthor, entrySummary, entryContent
    /// Titles and subtitles used only when the standard element is missing: `dc:title`,
    /// `media:title`, `itunes:subtitle`.
    case feedTitleFallback, entryTitleFallback, feedDescriptionFallback
    /// `itunes:category` (its `text` attribute) and channel-level categories.
    case feedCategory
    /// `itunes:keywords`: comma-separated, each a category of the feed or the entry.
    case keywords
    /// RSS `<link>` text or Atom `<link href>`, for the feed or the entry around it.
    case link
    case category, enclosure
    case personStart, personName, personEmail, personURI
    /// Media RSS `media:content` / `media:thumbnail`: enclosures from attributes.
    case mediaContent, mediaThumbnail
    /// iTunes: used when the standard elements are missing.
    case itunesAuthor, itunesSummary, itunesDuration, itunesImage
    case commentCount
    /// RSS `ttl` (minutes), `sy:updatePeriod`, `sy:updateFrequency`.
    case ttl, updatePeriod, updateFrequency
}

/// Which elements the parser reads, per format family. An element counts only directly
/// inside the channel/feed or item/entry, so `<image><title>` or an Atom `<source>` never
/// overwrite the feed's own fields.
enum FieldRules {
    static func field(family: DocumentBuilder.Family, namespace: Namespace, name: String,
                      parent: DocumentBuilder.OpenElement, inEntry: Bool) -> Field? {
        if namespace == .syndication {
            guard !inEntry, parent.name == "channel" else { return nil }
            switch name {
            case "updatePeriod": return .updatePeriod
            case "updateFrequency": return .updateFrequency
            default: return nil
            }
        }
        if namespace == .media || namespace == .itunes || namespace == .slash {
            return extensionField(namespace: namespace, name: name, parent: parent, inEntry: inEntry)
        }
        switch family {
        case .rss: return rssField(namespace: namespace, name: name, parent: parent, inEntry: inEntry)
        case .atom: return atomField(namespace: namespace, name: name, parent: parent, inEntry: inEntry)
        case .cdf: return cdfField(namespace: namespace, name: name, parent: parent, inEntry: inEntry)
        }
    }

    /// Namespaced extensions read the same way in RSS and Atom. Media RSS elements count
    /// directly in an item/entry or inside its `media:group`.
    private static func extensionField(namespace: Namespace, name: String, parent: DocumentBuilder.OpenElement,
                                       inEntry: Bool) -> Field? {
        let parentIsEntry = inEntry && (parent.name == "item" || parent.name == "entry")
        let parentIsFeed = !inEntry && (parent.name == "channel" || parent.name == "feed")
        switch (namespace, name) {
        case (.media, "title"): return parentIsEntry ? .entryTitleFallback : nil
        case (.media, "category"):
            let inGroup = inEntry && parent.namespace == .media && parent.name == "group"
            return parentIsEntry || inGroup ? .category : nil
        case (.itunes, "subtitle"): return parentIsFeed ? .feedDescriptionFallback : nil
        case (.itunes, "category"):
            // Nested: a category's subcategory is a category of the feed too.
            let inCategory = !inEntry && parent.namespace == .itunes && parent.name == "category"
            return parentIsFeed || inCategory ? .feedCategory : nil
        case (.media, "content"), (.media, "thumbnail"):
            let inGroup = inEntry && parent.namespace == .media && parent.name == "group"
            guard parentIsEntry || inGroup || parentIsFeed else { return nil }
            return name == "content" ? .mediaContent : .mediaThumbnail
        case (.itunes, "author"): return parentIsEntry ? .itunesAuthor : (parentIsFeed ? .feedAuthor : nil)
        case (.itunes, "summary"), (.media, "description"):
            return parentIsEntry || parentIsFeed ? .itunesSummary : nil
        case (.itunes, "keywords"): return parentIsEntry || parentIsFeed ? .keywords : nil
        case (.itunes, "duration"): return parentIsEntry ? .itunesDuration : nil
        case (.itunes, "image"): return parentIsEntry || parentIsFeed ? .itunesImage : nil
        case (.slash, "comments"): return parentIsEntry ? .commentCount : nil
        default: return nil
        }
    }

    static func isPerson(namespace: Namespace, name: String, family: DocumentBuilder.Family) -> Bool {
        family == .atom && namespace.isAtom && name == "author"
    }

    /// Microsoft CDF: `TITLE` and `ABSTRACT` inside `CHANNEL` and `ITEM` (names matched
    /// in lower case; the link and date are attributes, read as elements start).
    private static func cdfField(namespace: Namespace, name: String, parent: DocumentBuilder.OpenElement,
                                 inEntry: Bool) -> Field? {
        guard namespace == .none else { return nil }
        let inItem = inEntry && parent.name == "item"
        let inChannel = !inEntry && parent.name == "channel"
        guard inItem || inChannel else { return nil }
        switch name {
        case "title": return inItem ? .entryTitle : .feedTitle
        case "abstract": return inItem ? .entrySummary : .feedDescription
        default: return nil
        }
    }

    private static func rssField(namespace: Namespace, name: String, parent: DocumentBuilder.OpenElement,
                                 inEntry: Bool) -> Field? {
        let inItem = inEntry && parent.name == "item" && parent.namespace.isRSSCore
        let inChannel = !inEntry && parent.name == "channel" && parent.namespace.isRSSCore
        if !inEntry, parent.name == "image", parent.namespace.isRSSCore, namespace.isRSSCore, name == "url" {
            return .feedImage
        }
        guard inItem || inChannel else { return nil }
        if namespace.isRSSCore {
            switch name {
            case "title": return inItem ? .entryTitle : .feedTitle
            case "link": return .link
            case "description": return inItem ? .entrySummary : .feedDescription
            case "guid": return inItem ? .entryID : nil
            case "pubDate": return inItem ? .entryPublished : .feedUpdated
            case "lastBuildDate": return inChannel ? .feedUpdated : nil
            case "language": return inChannel ? .feedLanguage : nil
            case "author": return inItem ? .entryAuthor : .feedAuthor
            case "managingEditor": return inChannel ? .feedAuthor : nil
            case "webMaster": return inChannel ? .feedAuthorFallback : nil
            case "ttl": return inChannel ? .ttl : nil
            case "category": return inItem ? .category : .feedCategory
            case "enclosure": return inItem ? .enclosure : nil
            // Userland's whole item, escaped HTML.
            case "fullitem": return inItem ? .entryContent : nil
            default: return nil
            }
        }
        switch (namespace, name) {
        case (.content, "encoded"): return inItem ? .entryContent : nil
        case (.dc, "creator"), (.dc, "author"): return inItem ? .entryAuthor : .feedAuthor
        case (.dc, "title"): return inItem ? .entryTitleFallback : .feedTitleFallback
        // XHTML bodies inside RSS items: the item's content.
        case (.xhtml, "body"), (.xhtml, "div"): return inItem ? .entryContent : nil
        case (.dc, "date"): return inItem ? .entryPublished : .feedUpdated
        case (.dc, "subject"): return inItem ? .category : nil
        case (.dc, "language"): return inChannel ? .feedLanguage : nil
        case (.dc, "description"): return inItem ? .entrySummary : nil
        case (.dcterms, "modified"): return inItem ? .entryUpdated : .feedUpdated
        case (.dcterms, "issued"), (.dcterms, "created"): return inItem ? .entryPublished : nil
        case (.atom10, "link"): return .link
        case (.atom10, "updated"): return inItem ? .entryUpdated : .feedUpdated
        default: return nil
        }
    }

    private static func atomField(namespace: Namespace, name: String, parent: DocumentBuilder.OpenElement,
                                  inEntry: Bool) -> Field? {
        guard namespace.isAtom, parent.namespace.isAtom else { return nil }
        if parent.name == "author" {
            switch name {
            case "name": return .personName
            case "email": return .personEmail
            case "uri", "url": return .personURI
            default: return nil
            }
        }
        let inEntryElement = inEntry && parent.name == "entry"
        let inFeed = !inEntry && parent.name == "feed"
        guard inEntryElement || inFeed else { return nil }
        switch name {
        case "title": return inEntryElement ? .entryTitle : .feedTitle
        case "subtitle", "tagline": return inFeed ? .feedDescription : nil
        case "id": return inEntryElement ? .entryID : nil
        case "link": return .link
        case "updated", "modified": return inEntryElement ? .entryUpdated : .feedUpdated
        case "published", "issued", "created": return inEntryElement ? .entryPublished : nil
        case "author": return .personStart
        case "logo", "icon": return inFeed ? .feedImage : nil
        case "summary": return inEntryElement ? .entrySummary : nil
        case "content": return inEntryElement ? .entryContent : nil
        case "category": return inEntryElement ? .category : .feedCategory
        default: return nil
        }
    }

    /// RSS's own element names in any case (`<TITLE>` in podcast feeds): the canonical
    /// spelling, or the name as it was when it is not one of them.
    static func canonicalRSSName(_ name: String) -> String {
        // Nearly every name is already canonical: lower case, or one of the camel-case few.
        if camelCaseNames.contains(name) { return name }
        return rssNames[name.lowercased()] ?? name
    }

    /// Whether an element name (NUL-terminated, from libxml2) has an upper-case ASCII
    /// letter: only those need `canonicalRSSName`.
    static func hasUpperCase(_ name: UnsafePointer<UInt8>) -> Bool {
        var pointer = name
        while pointer.pointee != 0 {
            if pointer.pointee >= UInt8(ascii: "A") && pointer.pointee <= UInt8(ascii: "Z") { return true }
            pointer += 1
        }
        return false
    }

    private static let camelCaseNames: Set<String> = ["pubDate", "lastBuildDate", "managingEditor", "webMaster",
                                                       "skipHours", "skipDays", "textInput"]

    private static let rssNames: [String: String] = Dictionary(uniqueKeysWithValues: [
        "rss", "channel", "item", "title", "link", "description", "guid", "pubDate", "lastBuildDate", "language",
        "author", "managingEditor", "webMaster", "ttl", "category", "enclosure", "image", "url", "comments",
        "source", "copyright", "docs", "generator", "rating", "skipHours", "skipDays", "textInput", "cloud",
        "width", "height", "abstract", "fullitem",
    ].map { ($0.lowercased(), $0) })
}

/// How a captured element's text is to be read.
enum TextMode: Equatable {
    case plain, html, xhtml

    static func forElement(field: Field, family: DocumentBuilder.Family, attributes: XMLAttributes) -> TextMode {
        switch family {
        case .rss, .cdf:
            return [.entrySummary, .entryContent, .feedDescription].contains(field) ? .html : .plain
        case .atom:
            guard [.feedTitle, .feedDescription, .entryTitle, .entrySummary, .entryContent].contains(field)
            else { return .plain }
            let type = attributes.value("type")?.lowercased()
            switch type {
            case "html", "text/html": return .html
            case "xhtml", "application/xhtml+xml": return .xhtml
            default: break
            }
            switch attributes.value("mode")?.lowercased() {  // Atom 0.3
            case "escaped": return .html
            case "xml": return .xhtml
            default: return .plain
            }
        }
    }

    /// Atom: a media type that is neither text nor XML means base64 (RFC 4287 §4.1.3.3);
    /// Atom 0.3 says so with `mode="base64"`.
    static func isBase64(_ attributes: XMLAttributes) -> Bool {
        if attributes.value("mode")?.lowercased() == "base64" { return true }
        // (`utf8.contains`: String.contains(String) goes through Foundation, 3,000 instructions.)
        guard let type = attributes.value("type")?.lowercased(), type.utf8.contains(UInt8(ascii: "/")) else { return false }
        return !(type.hasPrefix("text/") || type.hasSuffix("+xml") || type.hasSuffix("/xml"))
    }

    /// The text for a plain-text field (titles): markup reduced to text, entities decoded.
    func plainText(_ text: String, family: DocumentBuilder.Family) -> String? {
        guard !text.isEmpty else { return nil }
        switch self {
        case .plain:
            // RSS titles are nominally text, but publishers put markup and entities in them.
            guard family == .rss else { return text }
            return HTMLText.decodeIfMarkup(text)
        case .html, .xhtml:
            return HTMLText.decodeIfMarkup(text)
        }
    }

    /// The text for an HTML field (summary, content): plain text is escaped into HTML.
    func html(_ text: String) -> String? {
        guard !text.isEmpty else { return nil }
        return self == .plain ? HTMLEscaping.escapeText(text) : text
    }
}
