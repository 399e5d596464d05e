import CLibXML2
import Foundation

/// HTML reduced to readable plain text, with libxml2's forgiving HTML parser: tags go,
/// entities are decoded, script and style are skipped, white space is collapsed.
public enum HTMLText {
    public static func plainText(_ html: String) -> String {
        guard !html.isEmpty else { return "" }
        guard let doc = parseDocument(html) else { return collapse(html) }
        defer { xmlFreeDoc(doc) }
        var out: [UInt8] = []
        if let root = xmlDocGetRootElement(doc) { collect(root, into: &out) }
        return collapse(String(decoding: out, as: UTF8.self))
    }

    /// `html` as a libxml2 HTML document (forgiving, no network, quiet); the caller frees it
    /// with `xmlFreeDoc`. nil when libxml2 returns nothing.
    static func parseDocument(_ html: String) -> htmlDocPtr? {
        var utf8 = Array(html.utf8)
        guard !utf8.isEmpty else { return nil }
        let options = HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue
            | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
        return utf8.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                htmlReadMemory($0, Int32(buffer.count), nil, "UTF-8", Int32(bitPattern: options))
            }
        }
    }

    /// Text that may carry markup or entities (titles): reduced to text only when it does.
    public static func decodeIfMarkup(_ text: String) -> String {
        if EntityText.hasMarkup(text) { return plainText(text) }
        if EntityText.hasReference(text) { return collapse(EntityText.decodeReferences(text)) }
        return text
    }

    private static let skipped: Set<String> = ["script", "style", "head", "title", "noscript", "template"]

    private static func collect(_ node: xmlNodePtr, into out: inout [UInt8]) {
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content {
                    out.append(contentsOf: UnsafeBufferPointer(start: content, count: Int(xmlStrlen(content))))
                }
            case XML_ELEMENT_NODE:
                let name = String(cString: current.pointee.name)
                if !skipped.contains(name) {
                    collect(current, into: &out)
                    out.append(0x20)  // block boundaries must not glue words together
                }
            default:
                break
            }
            child = current.pointee.next
        }
    }

    /// Cheap check first: most titles have single ASCII spaces and no no-break spaces.
    private static func needsCollapsing(_ text: String) -> Bool {
        var previousWasSpace = true  // a leading space needs trimming
        for byte in text.utf8 {
            if byte == 0x20 {
                if previousWasSpace { return true }
                previousWasSpace = true
            } else if byte < 0x20 || byte == 0xC2 || byte == 0xE2 || byte == 0xE3 {
                return true  // tabs, line breaks, and lead bytes of Unicode spaces
            } else {
                previousWasSpace = false
            }
        }
        return previousWasSpace  // a trailing space (or empty text)
    }

    /// Runs of white space (including no-break spaces) become one space; ends are trimmed.
    static func collapse(_ text: String) -> String {
        if !needsCollapsing(text) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            // ASCII answers without the Unicode property tables (most of the time spent here).
            let isWhitespace = scalar.isASCII
                ? scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D)
                : scalar.properties.isWhitespace
            if isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
