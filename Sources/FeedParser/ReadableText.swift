import CLibXML2
import Foundation

/// HTML turned into text to read in a terminal: paragraphs and headings as blocks, list
/// items as bullets, line breaks kept, words wrapped to `width`, and every link numbered
/// `[1]` in the text and listed at the end. Uses libxml2's forgiving HTML parser.
public enum ReadableText {
    public static func render(_ html: String, width: Int = 80) -> String {
        guard !html.isEmpty else { return "" }
        guard let doc = HTMLText.parseDocument(html) else { return wrap(HTMLText.collapse(html), width: width) }
        defer { xmlFreeDoc(doc) }
        var walker = Walker()
        if let root = xmlDocGetRootElement(doc) { walker.walk(root) }
        walker.endBlock()
        var text = ""
        for (index, block) in walker.blocks.enumerated() {
            // List items follow each other line by line; other blocks are paragraphs.
            if index > 0 { text += block.isListItem && walker.blocks[index - 1].isListItem ? "\n" : "\n\n" }
            text += wrap(block.text, width: width, indent: block.indent)
        }
        if !walker.links.isEmpty {
            text += "\n\nLinks:\n" + walker.links.enumerated().map { "[\($0.offset + 1)] \($0.element)" }.joined(separator: "\n")
        }
        return text
    }

    private struct Block {
        var text: String
        var indent: String
        var isListItem: Bool
    }

    private struct Walker {
        var blocks: [Block] = []
        var links: [String] = []
        private var current = ""
        private var indent = ""

        static let blockElements: Set<String> = ["p", "div", "section", "article", "blockquote", "pre", "table",
                                                 "tr", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
                                                 "figcaption", "header", "footer", "dl", "dt", "dd", "hr"]
        static let skipped: Set<String> = ["script", "style", "head", "title", "noscript", "template"]

        mutating func endBlock() {
            // <br> line breaks survive; other white space collapses.
            let lines = current.split(separator: "\n", omittingEmptySubsequences: false).map { HTMLText.collapse(String($0)) }
            let text = lines.joined(separator: "\n").trimmingCharacters(in: .newlines)
            if !text.isEmpty { blocks.append(Block(text: text, indent: indent, isListItem: text.hasPrefix("• "))) }
            current = ""
        }

        mutating func walk(_ node: xmlNodePtr) {
            var child = node.pointee.children
            while let node = child {
                switch node.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = node.pointee.content { current += String(cString: content) }
                case XML_ELEMENT_NODE:
                    element(node)
                default:
                    break
                }
                child = node.pointee.next
            }
        }

        private mutating func element(_ node: xmlNodePtr) {
            let name = String(cString: node.pointee.name).lowercased()
            if Self.skipped.contains(name) { return }
            switch name {
            case "br":
                current += "\n"
            case "li":
                endBlock()
                let saved = indent
                indent = saved + "  "
                current = "• "
                walk(node)
                endBlock()
                indent = saved
            case "img":
                if let alt = attribute(node, "alt"), !alt.isEmpty { current += " [image: \(alt)] " }
            case "a":
                walk(node)
                if let href = attribute(node, "href"), href.hasPrefix("http") {
                    if let index = links.firstIndex(of: href) {
                        current += " [\(index + 1)]"
                    } else {
                        links.append(href)
                        current += " [\(links.count)]"
                    }
                }
            default:
                if Self.blockElements.contains(name) {
                    endBlock()
                    walk(node)
                    endBlock()
                } else {
                    walk(node)
                }
            }
        }

        private func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
            XMLNode.attribute(node, name, ignoringCase: true)
        }
    }

    /// Words wrapped to `width` columns; explicit line breaks kept.
    static func wrap(_ text: String, width: Int, indent: String = "") -> String {
        let width = max(width - indent.count, 20)
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty && line.count + 1 + word.count > width {
                    lines.append(indent + line)
                    line = String(word)
                } else {
                    line += line.isEmpty ? String(word) : " " + word
                }
            }
            lines.append(indent + line)
        }
        return lines.joined(separator: "\n")
    }
}
