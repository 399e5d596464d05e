import CLibXML2

/// The namespaces the parser understands, matched by URI (never by prefix).
enum Namespace: Equatable {
    case none, atom10, atom03, rss10, rss090, userlandRSS2, rdf, content, dc, dcterms, xhtml, xml
    case media, itunes, slash, syndication, other

    static let byURI: [String: Namespace] = [
        "http://www.w3.org/2005/Atom": .atom10,
        "http://purl.org/atom/ns#": .atom03,
        "http://purl.org/rss/1.0/": .rss10,
        "http://my.netscape.com/rdf/simple/0.9/": .rss090,
        "http://backend.userland.com/rss2": .userlandRSS2,
        "http://backend.userland.com/RSS2": .userlandRSS2,
        // Namespaces RSS 2.0 documents were given by Userland and Harvard: still RSS 2.0.
        "http://backend.userland.com/rss": .userlandRSS2,
        "http://blogs.law.harvard.edu/tech/rss": .userlandRSS2,
        "http://purl.org/rss/1.0/modules/rss091#": .userlandRSS2,
        // Atom's drafts before 1.0, under their historical names ("echo", "pie", "necho").
        "http://example.com/newformat#": .atom03,
        "http://example.com/necho": .atom03,
        "http://purl.org/echo/": .atom03,
        "http://purl.org/pie/": .atom03,
        "uri/of/echo/namespace#": .atom03,
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#": .rdf,
        "http://purl.org/rss/1.0/modules/content/": .content,
        "http://purl.org/dc/elements/1.1/": .dc,
        "http://purl.org/dc/terms/": .dcterms,
        "http://www.w3.org/1999/xhtml": .xhtml,
        "http://www.w3.org/XML/1998/namespace": .xml,
        "http://search.yahoo.com/mrss/": .media,
        "http://search.yahoo.com/mrss": .media,
        "http://www.rssboard.org/media-rss": .media,  // a wrong URI seen in the wild
        "http://www.itunes.com/dtds/podcast-1.0.dtd": .itunes,
        "http://www.itunes.com/DTDs/Podcast-1.0.dtd": .itunes,
        "http://purl.org/rss/1.0/modules/slash/": .slash,
        "http://purl.org/rss/1.0/modules/syndication/": .syndication,
    ]

    static let xmlURI = "http://www.w3.org/XML/1998/namespace"

    /// Elements of RSS itself: unqualified in 0.9x/2.0, in a namespace in 0.90 and 1.0.
    var isRSSCore: Bool { self == .none || self == .rss10 || self == .rss090 || self == .userlandRSS2 }
    var isAtom: Bool { self == .atom10 || self == .atom03 }
}

/// Maps libxml2's interned namespace-URI pointers to `Namespace`, so each distinct URI
/// is compared as a string once per document rather than once per element.
struct NamespaceCache {
    private var cache: [UnsafeRawPointer: Namespace] = [:]

    mutating func lookup(_ uri: UnsafePointer<xmlChar>?) -> Namespace {
        guard let uri else { return .none }
        let key = UnsafeRawPointer(uri)
        if let known = cache[key] { return known }
        let value = Namespace.byURI[String(cString: uri)] ?? .other
        cache[key] = value
        return value
    }
}
