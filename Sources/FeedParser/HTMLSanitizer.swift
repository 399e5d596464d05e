import Glibc

/// Makes feed HTML safe to show: an allow-list of elements and attributes, applied in one
/// pass over the bytes (a DOM parse per article would halve parsing speed).
///
/// - Allowed elements are kept with their allowed attributes; others lose their tags but
///   keep their text, except script, style, frames, objects, forms' controls, SVG and
///   MathML, whose content goes too.
/// - URL attributes are made absolute against `base`; only http(s) (and mailto for
///   links, data:image for images) survive — never `javascript:`, `vbscript:` or `data:`
///   documents, however they are spelled with entities, case or control characters.
/// - Event handlers (`on…`), `style`, `class`, `id` and every other attribute go.
/// - Comments, processing instructions and doctypes go; tags left open are closed.
public enum HTMLSanitizer {
    static let allowed: Set<String> = [
        "a", "abbr", "acronym", "address", "article", "aside", "audio", "b", "bdi", "bdo", "big", "blockquote",
        "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div",
        "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby", "s",
        "samp", "section", "small", "source", "span", "strike", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "video", "wbr",
    ]
    /// Elements removed with everything inside them.
    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "template",
        "svg", "math", "select", "textarea", "button", "title", "head", "noembed", "noframes", "xmp",
    ]
    static let void: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ]
    static let globalAttributes: Set<String> = ["title", "lang", "dir"]
    static let attributes: [String: Set<String>] = [
        "a": ["href"], "img": ["src", "alt", "width", "height"], "blockquote": ["cite"], "q": ["cite"],
        "del": ["cite", "datetime"], "ins": ["cite", "datetime"], "time": ["datetime"], "abbr": [],
        "td": ["colspan", "rowspan", "align"], "th": ["colspan", "rowspan", "align", "scope"],
        "col": ["span"], "colgroup": ["span"], "ol": ["start", "type", "reversed"], "li": ["value"],
        "audio": ["src", "controls"], "video": ["src", "controls", "poster", "width", "height"],
        "source": ["src", "type"], "details": ["open"],
    ]
    static let urlAttributes: Set<String> = ["href", "src", "cite", "poster"]

    public static func sanitize(_ html: String, base: String?) -> String {
        guard EntityText.hasMarkup(html) else { return html }  // no markup: nothing to do
        var html = html
        html.makeContiguousUTF8()
        return html.utf8.withContiguousStorageIfAvailable { sanitize(bytes: $0, base: base) } ?? html
    }

    /// The same, straight from UTF-8 bytes (the parser's capture buffer), so a long
    /// article becomes a String once rather than twice.
    static func sanitize(bytes: UnsafeBufferPointer<UInt8>, base: String?) -> String {
        guard let start = bytes.baseAddress, memchr(start, Int32(UInt8(ascii: "<")), bytes.count) != nil else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var run = Run(bytes: bytes, base: base)
        run.go()
        return String(decoding: run.out, as: UTF8.self)
    }

    /// What the sanitizer knows about an element name. A class: the open-element stack
    /// and every lookup pass a reference, not a copy of its name and attribute list.
    final class Tag: Sendable {
        enum Kind { case allowed, droppedWithContent }
        let name: String
        let kind: Kind
        let isVoid: Bool
        /// Permitted attribute names with their packed keys: a handful at most, so a scan
        /// beats hashing.
        let attributeNames: [(key: Key, name: String)]

        init(name: String, kind: Kind, isVoid: Bool, attributes: Set<String>) {
            self.name = name
            self.kind = kind
            self.isVoid = isVoid
            attributeNames = attributes.sorted().map { (Key($0), $0) }
        }

        func attribute(_ key: Key) -> String? {
            for entry in attributeNames where entry.key == key { return entry.name }
            return nil
        }
    }

    /// Every element the sanitizer knows, found by its packed name without allocating.
    static let tags = TagTable(
        allowed.map { Tag(name: $0, kind: .allowed, isVoid: void.contains($0),
                          attributes: globalAttributes.union(attributes[$0] ?? [])) }
            + droppedWithContent.map { Tag(name: $0, kind: .droppedWithContent, isVoid: void.contains($0), attributes: []) })

    /// Element names packed as (first 8 lower-case bytes, length). Names longer than 8
    /// bytes share a key with others of their prefix and length; none of the known ones do.
    struct Key: Hashable, Sendable {
        let packed: UInt64
        let length: Int

        init(_ name: String) {
            var packed: UInt64 = 0
            for (i, byte) in name.utf8.prefix(8).enumerated() { packed |= UInt64(byte) << (8 * UInt64(i)) }
            self.packed = packed
            self.length = name.utf8.count
        }

        init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
            var packed: UInt64 = 0
            for (i, index) in range.prefix(8).enumerated() {
                packed |= UInt64(bytes[index] | 0x20) << (8 * UInt64(i))
            }
            self.packed = packed
            self.length = range.count
        }

        /// A cheap mix for the table below (hashing with the standard library's seeded
        /// SipHash was most of what each dictionary lookup cost).
        var slotHash: Int { Int(truncatingIfNeeded: ((packed &+ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15) >> 40) }
    }

    /// An open-addressing table of the ~100 known tags: 256 slots, linear probing.
    struct TagTable: Sendable {
        private static let size = 256
        private var slots: [Tag?]

        init(_ tags: [Tag]) {
            precondition(tags.count < Self.size / 2, "the tag table would be too full")
            slots = Array(repeating: nil, count: Self.size)
            for tag in tags {
                var slot = Key(tag.name).slotHash & (Self.size - 1)
                while let taken = slots[slot] {
                    precondition(Key(taken.name) != Key(tag.name), "two tags share the key of \(tag.name)")
                    slot = (slot + 1) & (Self.size - 1)
                }
                slots[slot] = tag
            }
            keys = slots.map { $0.map { Key($0.name) } }
        }

        /// Each slot's key, beside the tags: probing compares keys without touching the tags.
        private var keys: [Key?] = []

        subscript(key: Key) -> Tag? {
            var slot = key.slotHash & (Self.size - 1)
            while let candidate = keys[slot] {
                if candidate == key { return slots[slot] }
                slot = (slot + 1) & (Self.size - 1)
            }
            return nil
        }
    }

    private struct Run {
        let bytes: UnsafeBufferPointer<UInt8>
        let base: String?
        var out: [UInt8] = []
        var index = 0
        var open: [Tag] = []

        init(bytes: UnsafeBufferPointer<UInt8>, base: String?) {
            self.bytes = bytes
            self.base = base
            out.reserveCapacity(bytes.count)
        }

        /// The index of the next `byte` at or after `start`, with memchr.
        func next(_ byte: UInt8, from start: Int) -> Int? {
            guard start < bytes.count, let base = bytes.baseAddress,
                  let found = memchr(base + start, Int32(byte), bytes.count - start)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }

        mutating func copy(_ range: Range<Int>) {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
        }

        mutating func go() {
            while index < bytes.count {
                guard let next = next(UInt8(ascii: "<"), from: index) else {
                    copy(index..<bytes.count)
                    break
                }
                copy(index..<next)
                index = next
                markup()
            }
            for tag in open.reversed() { closeTag(tag.name) }
        }

        mutating func closeTag(_ name: String) {
            out.append(UInt8(ascii: "<"))
            out.append(UInt8(ascii: "/"))
            out.append(contentsOf: name.utf8)
            out.append(UInt8(ascii: ">"))
        }

        /// Past the next `>` at or after `start`, or the end.
        func pastClosingBracket(from start: Int) -> Int {
            (next(UInt8(ascii: ">"), from: start) ?? bytes.count - 1) + 1
        }

        /// At a `<`: a tag, a comment, or a stray `<` that is text.
        mutating func markup() {
            let after = index + 1
            guard after < bytes.count else { out.append(contentsOf: "&lt;".utf8); index = after; return }
            let byte = bytes[after]
            if byte == UInt8(ascii: "!") {
                if after + 2 < bytes.count, bytes[after + 1] == UInt8(ascii: "-"), bytes[after + 2] == UInt8(ascii: "-") {
                    index = endOfComment(from: after + 3)
                } else {
                    index = pastClosingBracket(from: after)
                }
            } else if byte == UInt8(ascii: "?") {
                index = pastClosingBracket(from: after)
            } else if byte == UInt8(ascii: "/") {
                endTag(at: after + 1)
            } else if isLetter(byte) {
                startTag(at: after)
            } else {
                out.append(contentsOf: "&lt;".utf8)
                index = after
            }
        }

        func endOfComment(from start: Int) -> Int {
            var cursor = start
            while let dash = next(UInt8(ascii: "-"), from: cursor) {
                if dash + 2 < bytes.count, bytes[dash + 1] == UInt8(ascii: "-"), bytes[dash + 2] == UInt8(ascii: ">") {
                    return dash + 3
                }
                cursor = dash + 1
            }
            return bytes.count
        }

        func nameEnd(from start: Int) -> Int {
            var cursor = start
            while cursor < bytes.count {
                let byte = bytes[cursor]
                guard isLetter(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-")
                        || byte == UInt8(ascii: ":") else { break }
                cursor += 1
            }
            return cursor
        }

        mutating func startTag(at start: Int) {
            let end = nameEnd(from: start)
            let tag = HTMLSanitizer.tags[Key(bytes, start..<end)]
            var cursor = end
            var kept: [UInt8] = []
            var selfClosing = false
            // Attributes, until an unquoted `>`; only the permitted ones become strings.
            while cursor < bytes.count, bytes[cursor] != UInt8(ascii: ">") {
                let byte = bytes[cursor]
                if isSpace(byte) || byte == UInt8(ascii: "/") {
                    selfClosing = byte == UInt8(ascii: "/")
                    cursor += 1
                    continue
                }
                selfClosing = false
                let nameStart = cursor
                while cursor < bytes.count, !isSpace(bytes[cursor]), bytes[cursor] != UInt8(ascii: "="),
                      bytes[cursor] != UInt8(ascii: ">"), !(bytes[cursor] == UInt8(ascii: "/") && cursor > nameStart) {
                    cursor += 1
                }
                if cursor == nameStart { cursor += 1; continue }  // a lone '=' or similar
                let nameRange = nameStart..<cursor
                while cursor < bytes.count, isSpace(bytes[cursor]) { cursor += 1 }
                var valueRange = cursor..<cursor
                if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "=") {
                    cursor += 1
                    while cursor < bytes.count, isSpace(bytes[cursor]) { cursor += 1 }
                    if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") || bytes[cursor] == UInt8(ascii: "'") {
                        let valueEnd = next(bytes[cursor], from: cursor + 1) ?? bytes.count
                        valueRange = (cursor + 1)..<valueEnd
                        cursor = min(valueEnd + 1, bytes.count)
                    } else {
                        let valueStart = cursor
                        while cursor < bytes.count, !isSpace(bytes[cursor]), bytes[cursor] != UInt8(ascii: ">") {
                            cursor += 1
                        }
                        valueRange = valueStart..<cursor
                    }
                }
                guard let tag, tag.kind == .allowed,
                      let name = tag.attribute(Key(bytes, nameRange)) else { continue }
                var value = EntityText.decodeReferences(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[valueRange]), as: UTF8.self))
                if HTMLSanitizer.urlAttributes.contains(name) {
                    guard let safe = HTMLSanitizer.safeURL(value, attribute: name, element: tag.name, base: base)
                    else { continue }
                    value = safe
                }
                kept.append(UInt8(ascii: " "))
                kept.append(contentsOf: name.utf8)
                kept.append(contentsOf: "=\"".utf8)
                HTMLEscaping.appendEscapedAttribute(value, to: &kept)
                kept.append(UInt8(ascii: "\""))
            }
            index = min(cursor + 1, bytes.count)

            guard let tag else { return }  // unknown: the tag goes, its text stays
            if tag.kind == .droppedWithContent {
                if !selfClosing && !tag.isVoid { skipPast(endOf: start..<end) }
                return
            }
            out.append(UInt8(ascii: "<"))
            out.append(contentsOf: tag.name.utf8)
            out.append(contentsOf: kept)
            out.append(UInt8(ascii: ">"))
            if !tag.isVoid { open.append(tag) }
        }

        mutating func endTag(at start: Int) {
            let end = nameEnd(from: start)
            index = pastClosingBracket(from: min(end, bytes.count - 1))
            guard end > start, let tag = HTMLSanitizer.tags[Key(bytes, start..<end)], tag.kind == .allowed,
                  let position = open.lastIndex(where: { $0 === tag })
            else { return }
            // Close what was left open inside it, then it.
            for inner in open[position...].reversed() { closeTag(inner.name) }
            open.removeSubrange(position...)
        }

        /// Skips to after the `</name>` matching the element whose name is at `nameRange`.
        mutating func skipPast(endOf nameRange: Range<Int>) {
            var cursor = index
            while let found = next(UInt8(ascii: "<"), from: cursor) {
                let nameStart = found + 2
                if found + 1 < bytes.count, bytes[found + 1] == UInt8(ascii: "/"),
                   nameStart + nameRange.count <= bytes.count,
                   zip(bytes[nameStart..<(nameStart + nameRange.count)], bytes[nameRange])
                    .allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
                    index = pastClosingBracket(from: nameStart)
                    return
                }
                cursor = found + 1
            }
            index = bytes.count
        }

        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C }
    }

    /// `http://` or `https://`, in any case.
    static func startsWithHTTP(_ text: String) -> Bool {
        var iterator = text.utf8.makeIterator()
        for expected in "http".utf8 {
            guard let byte = iterator.next(), byte | 0x20 == expected else { return false }
        }
        var byte = iterator.next()
        if byte.map({ $0 | 0x20 }) == UInt8(ascii: "s") { byte = iterator.next() }
        guard byte == UInt8(ascii: ":"), iterator.next() == UInt8(ascii: "/"), iterator.next() == UInt8(ascii: "/")
        else { return false }
        return true
    }

    /// The absolute URL to keep for a URL attribute, or nil to drop the attribute.
    static func safeURL(_ value: String, attribute: String, element: String, base: String?) -> String? {
        // Browsers ignore control characters and spaces inside schemes: so must the check.
        let hasControls = value.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
        let compact = hasControls
            ? String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }))
            : value
        if startsWithHTTP(compact) { return compact }  // the common case: already absolute and safe
        let lowered = compact.lowercased()
        if lowered.hasPrefix("data:") {
            return element == "img" && attribute == "src" && lowered.hasPrefix("data:image/") ? compact : nil
        }
        let resolved = URLResolver.resolve(compact, against: base)
        let scheme = resolved.prefix { $0 != ":" }.lowercased()
        switch scheme {
        case "http", "https": return resolved
        case "mailto": return attribute == "href" ? resolved : nil
        default:
            // A relative URL that could not be resolved (no base) stays relative.
            return URLResolver.hasScheme(resolved) ? nil : resolved
        }
    }
}
