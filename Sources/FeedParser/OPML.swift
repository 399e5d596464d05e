import CLibXML2
import Foundation

/// Subscription lists as other readers exchange them (OPML 1.0/2.0): read with libxml2
/// (no network, no DTD, no entity expansion), written as OPML 2.0 that newsboat,
/// miniflux, FreshRSS and NetNewsWire import.
public enum OPML {
    public struct Feed: Sendable, Equatable {
        public var url: String
        public var title: String?
        public var siteURL: String?
        /// The folders (outlines without a feed URL) it sits in, outermost first.
        public var folders: [String]

        public init(url: String, title: String? = nil, siteURL: String? = nil, folders: [String] = []) {
            self.url = url
            self.title = title
            self.siteURL = siteURL
            self.folders = folders
        }
    }

    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Every outline with an `xmlUrl`, in document order.
    public static func read(_ bytes: [UInt8]) throws(ReadError) -> [Feed] {
        guard !bytes.isEmpty else { throw ReadError(description: "empty file") }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_RECOVER.rawValue | XML_PARSE_NOERROR.rawValue
            | XML_PARSE_NOWARNING.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), nil, nil, options)
            }
        }
        guard let doc = parsed else { throw ReadError(description: "not XML") }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc), String(cString: root.pointee.name).lowercased() == "opml" else {
            throw ReadError(description: "not an OPML document (no <opml> root element)")
        }
        var feeds: [Feed] = []
        func walk(_ node: xmlNodePtr, folders: [String]) {
            var child = node.pointee.children
            while let current = child {
                defer { child = current.pointee.next }
                guard current.pointee.type == XML_ELEMENT_NODE else { continue }
                let name = String(cString: current.pointee.name).lowercased()
                if name == "body" || name == "opml" { walk(current, folders: folders); continue }
                guard name == "outline" else { continue }
                let title = XMLNode.attribute(current, "title") ?? XMLNode.attribute(current, "text")
                if let url = XMLNode.attribute(current, "xmlUrl") ?? XMLNode.attribute(current, "xmlurl"), !url.isEmpty {
                    feeds.append(Feed(url: url, title: title.flatMap { $0.isEmpty ? nil : $0 },
                                      siteURL: XMLNode.attribute(current, "htmlUrl"), folders: folders))
                } else {
                    walk(current, folders: title.map { folders + [$0] } ?? folders)
                }
            }
        }
        walk(root, folders: [])
        return feeds
    }

    /// OPML 2.0: feeds grouped in one level of folders (their first tag), the rest at the top.
    public static func write(_ feeds: [Feed], title: String, now: Date = Date()) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n"
        out += "    <title>\(escape(title))</title>\n    <dateCreated>\(DateFormatting.rfc822(now))</dateCreated>\n  </head>\n  <body>\n"
        func outline(_ feed: Feed, indent: String) -> String {
            let name = escape(feed.title ?? feed.url)
            var line = "\(indent)<outline type=\"rss\" text=\"\(name)\" title=\"\(name)\" xmlUrl=\"\(escape(feed.url))\""
            if let site = feed.siteURL { line += " htmlUrl=\"\(escape(site))\"" }
            return line + "/>\n"
        }
        var folders: [String] = []
        var byFolder: [String: [Feed]] = [:]
        for feed in feeds {
            guard let folder = feed.folders.first else { continue }
            if byFolder[folder] == nil { folders.append(folder) }
            byFolder[folder, default: []].append(feed)
        }
        for folder in folders {
            out += "    <outline text=\"\(escape(folder))\" title=\"\(escape(folder))\">\n"
            for feed in byFolder[folder]! { out += outline(feed, indent: "      ") }
            out += "    </outline>\n"
        }
        for feed in feeds where feed.folders.isEmpty { out += outline(feed, indent: "    ") }
        return out + "  </body>\n</opml>\n"
    }

    static func escape(_ text: String) -> String { XMLText.escape(text) }

}

/// Text and attribute values for XML 1.0 documents we write (OPML, Atom): markup
/// characters escaped, characters XML 1.0 does not allow dropped, and line breaks and
/// tabs kept only where `keepingLines` (element text) — attributes get spaces.
public enum XMLText {
    public static func escape(_ text: String, keepingLines: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n", "\r", "\t":
                if keepingLines { out.unicodeScalars.append(scalar) } else { out += " " }
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Reading libxml2 DOM nodes.
enum XMLNode {
    /// An attribute's value from the node's own list (nothing to allocate or free);
    /// names compared exactly, or ignoring ASCII case for HTML.
    static func attribute(_ node: xmlNodePtr, _ name: String, ignoringCase: Bool = false) -> String? {
        var attribute = node.pointee.properties
        while let current = attribute {
            let attributeName = String(cString: current.pointee.name)
            if attributeName == name || (ignoringCase && attributeName.lowercased() == name.lowercased()) {
                return current.pointee.children?.pointee.content.map { String(cString: $0) } ?? ""
            }
            attribute = current.pointee.next
        }
        return nil
    }
}
