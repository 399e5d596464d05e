import CLibXML2
import FeedParser
import Glibc

/// What a web page says about its feeds: `<link rel="alternate">` (or `rel="feed"`) of an
/// RSS, Atom or JSON Feed type, read with libxml2's HTML parser (real pages are rarely
/// well-formed), hrefs made absolute against `<base href>` or the page's own URL; and its
/// `<link rel="canonical">` (a YouTube `@handle` page names its `/channel/UC…` there).
public struct FeedLinks: Sendable, Equatable {
    public struct Link: Sendable, Equatable {
        public var url: String
        public var title: String?
        public var type: String?
    }

    public var feeds: [Link] = []
    public var canonical: String?

    /// Media types that name a feed. `application/json` only outside `/wp-json/`
    /// (WordPress's REST API announces itself the same way).
    static let feedTypes: Set<String> = [
        "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json",
        "application/rdf+xml", "application/xml", "text/xml",
    ]

    public static func read(html: [UInt8], pageURL: String) -> FeedLinks {
        var found = FeedLinks()
        guard !html.isEmpty else { return found }
        let options = HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOBLANKS.rawValue
        let document = html.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                htmlReadMemory($0.baseAddress, Int32(buffer.count), pageURL, nil, Int32(bitPattern: options))
            }
        }
        guard let document else { return found }
        defer { xmlFreeDoc(document) }
        var links: [[String: String]] = []
        var base: String?
        Self.walk(xmlDocGetRootElement(document)) { name, attributes in
            if name == "base", base == nil, let href = attributes["href"] { base = href }
            if name == "link" { links.append(attributes) }
        }
        let baseURL = base.map { URLResolver.resolve($0, against: pageURL) } ?? pageURL
        var seen = Set<String>()
        for attributes in links {
            guard let href = attributes["href"]?.trimmingCharacters(in: .whitespacesAndNewlines), !href.isEmpty else { continue }
            let rel = Set((attributes["rel"] ?? "").lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init))
            let url = URLResolver.resolve(href, against: baseURL)
            if rel.contains("canonical"), found.canonical == nil { found.canonical = url }
            let type = attributes["type"]?.lowercased().split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
            let namesAFeed = rel.contains("feed")
                || (rel.contains("alternate") && type.map(feedTypes.contains) == true)
            guard namesAFeed, !rel.contains("stylesheet"), !(type == "application/json" && url.contains("/wp-json/")),
                  url.hasPrefix("http://") || url.hasPrefix("https://"), seen.insert(url).inserted
            else { continue }
            let title = attributes["title"]?.trimmingCharacters(in: .whitespacesAndNewlines)
            found.feeds.append(Link(url: url, title: title?.isEmpty == false ? title : nil, type: type))
        }
        return found
    }

    /// Every element under `node`, in document order, with its lower-cased name and attributes.
    private static func walk(_ node: xmlNodePtr?, _ visit: (String, [String: String]) -> Void) {
        var current = node
        while let element = current {
            if element.pointee.type == XML_ELEMENT_NODE, let rawName = element.pointee.name {
                let name = String(cString: rawName).lowercased()
                if name == "link" || name == "base" {
                    var attributes: [String: String] = [:]
                    var attribute = element.pointee.properties
                    while let property = attribute {
                        if let propertyName = property.pointee.name,
                           let value = xmlNodeListGetString(element.pointee.doc, property.pointee.children, 1) {
                            attributes[String(cString: propertyName).lowercased()] = String(cString: value)
                            free(value)  // xmlFree is malloc's free unless an allocator was set (none is)
                        }
                        attribute = property.pointee.next
                    }
                    visit(name, attributes)
                }
                walk(element.pointee.children, visit)
            }
            current = element.pointee.next
        }
    }
}
