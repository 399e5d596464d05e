import Glibc

/// Makes feed HTML safe to show: allow-lists of elements and attributes (HTMLVocabulary),
/// applied in one pass over the bytes (a DOM parse per article would halve parsing speed).
/// docs/sanitizer.md is the policy: what is kept, what goes, and why.
///
/// - Kept elements keep their allowed attributes; unknown ones lose their tags but keep
///   their text (the fallback text of `object`, `embed`, `applet` included); `script`,
///   `style` and `iframe` go with everything inside them.
/// - SVG and MathML inside content are kept with their own allow-lists (no scripts, no
///   event handlers, no animation of links, `xlink:href` to http(s) or a fragment only).
/// - URL attributes are made absolute against `base`; only http(s) (and mailto for
///   links, data:image for images) survive — never `javascript:`, `vbscript:` or `data:`
///   documents, however they are spelled with entities, case or control characters.
/// - `style` keeps only the declarations CSSSanitizer allows.
/// - Event handlers (`on…`) and every attribute not listed go.
/// - Comments, processing instructions and doctypes go; other `<!` text stays text; tags
///   left open are closed.
public enum HTMLSanitizer {
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

    /// Which vocabulary an element or attribute belongs to.
    enum Language { case html, svg, math }

    /// What the sanitizer knows about an element name. A class: the open-element stack
    /// and every lookup pass a reference, not a copy of its name.
    final class Tag: Sendable {
        enum Kind { case allowed, droppedWithContent }
        let name: String
        /// The name's bytes, for writing out (appending a String's UTF8View is not a copy).
        let nameBytes: [UInt8]
        let kind: Kind
        let language: Language
        let isVoid: Bool
        let attributes: AttributeTable

        init(name: String, kind: Kind, language: Language, isVoid: Bool, attributes: AttributeTable) {
            self.name = name
            nameBytes = Array(name.utf8)
            self.kind = kind
            self.language = language
            self.isVoid = isVoid
            self.attributes = attributes
        }

        /// The name to write for a permitted attribute (SVG's own case), or nil.
        func attribute(_ key: Key) -> Attribute? { attributes[key] }
    }

    /// A permitted attribute: the name as written out, and how its value is checked.
    final class Attribute: Sendable {
        enum Kind { case plain, url, style }
        let name: String
        let nameBytes: [UInt8]
        let kind: Kind
        let isXLink: Bool
        /// `rel` and `type`: case-insensitive values, written in lower case.
        let lowercasesValue: Bool
        let isAnimationTarget: Bool

        init(name: String) {
            self.name = name
            nameBytes = Array(name.utf8)
            kind = name == "style" ? .style : (HTMLVocabulary.urlAttributes.contains(name) ? .url : .plain)
            isXLink = name.hasPrefix("xlink:")
            lowercasesValue = name == "rel" || name == "type"
            isAnimationTarget = name == "attributeName"
        }
    }

    static let htmlAttributes = AttributeTable(HTMLVocabulary.htmlAttributes)
    static let svgAttributes = AttributeTable(HTMLVocabulary.svgAttributes)
    static let mathAttributes = AttributeTable(HTMLVocabulary.mathAttributes)
    static let noAttributes = AttributeTable([])

    /// HTML elements, kept and dropped; SVG's and MathML's, looked up inside `svg`/`math`.
    static let tags = TagTable(
        HTMLVocabulary.htmlElements.map { Tag(name: $0, kind: .allowed, language: .html,
                                               isVoid: HTMLVocabulary.voidElements.contains($0), attributes: htmlAttributes) }
            + HTMLVocabulary.droppedWithContent.map { Tag(name: $0, kind: .droppedWithContent, language: .html,
                                                           isVoid: false, attributes: noAttributes) })
    static let svgTags = TagTable(HTMLVocabulary.svgElements.map {
        Tag(name: $0, kind: .allowed, language: .svg, isVoid: false, attributes: svgAttributes)
    })
    static let mathTags = TagTable(HTMLVocabulary.mathElements.map {
        Tag(name: $0, kind: .allowed, language: .math, isVoid: false, attributes: mathAttributes)
    })

    /// Names packed as (first 16 lower-case bytes, length). Names longer than 16 bytes
    /// would share a key with others of their prefix and length; the tables refuse that.
    struct Key: Hashable, Sendable {
        let packed: UInt64
        let packed2: UInt64
        let length: Int

        // Bytes are folded with `| 0x20`: letters to lower case; digits, `-` and `:` stay
        // as they are, and the few other bytes fold the same way on both sides.
        init(_ name: String) {
            var packed: UInt64 = 0, packed2: UInt64 = 0
            for (i, byte) in name.utf8.prefix(16).enumerated() {
                let lower = byte | 0x20
                if i < 8 { packed |= UInt64(lower) << (8 * UInt64(i)) } else { packed2 |= UInt64(lower) << (8 * UInt64(i - 8)) }
            }
            self.packed = packed
            self.packed2 = packed2
            self.length = name.utf8.count
        }

        init(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
            var packed: UInt64 = 0, packed2: UInt64 = 0
            var i = 0
            for index in range.prefix(16) {
                let lower = bytes[index] | 0x20
                if i < 8 { packed |= UInt64(lower) << (8 * UInt64(i)) } else { packed2 |= UInt64(lower) << (8 * UInt64(i - 8)) }
                i += 1
            }
            self.packed = packed
            self.packed2 = packed2
            self.length = range.count
        }

        /// A cheap mix for the tables below (hashing with the standard library's seeded
        /// SipHash was most of what each dictionary lookup cost).
        var slotHash: Int {
            Int(truncatingIfNeeded: ((packed &+ packed2 &* 31 &+ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15) >> 40)
        }
    }

    /// An open-addressing table of names: 512 slots, linear probing.
    struct NameTable<Value: AnyObject & Sendable>: Sendable {
        private static var size: Int { 512 }
        private var slots: [Value?]
        private var keys: [Key?]

        init(_ entries: [(String, Value)]) {
            precondition(entries.count < Self.size / 2, "the name table would be too full")
            slots = Array(repeating: nil, count: Self.size)
            keys = Array(repeating: nil, count: Self.size)
            for (name, value) in entries {
                let key = Key(name)
                var slot = key.slotHash & (Self.size - 1)
                while let taken = keys[slot] {
                    precondition(taken != key, "two names share the key of \(name)")
                    slot = (slot + 1) & (Self.size - 1)
                }
                slots[slot] = value
                keys[slot] = key
            }
        }

        subscript(key: Key) -> Value? {
            var slot = key.slotHash & (Self.size - 1)
            while let candidate = keys[slot] {
                if candidate == key { return slots[slot] }
                slot = (slot + 1) & (Self.size - 1)
            }
            return nil
        }
    }

    struct TagTable: Sendable {
        let table: NameTable<Tag>
        init(_ tags: [Tag]) { table = NameTable(tags.map { ($0.name, $0) }) }
        subscript(key: Key) -> Tag? { table[key] }
    }

    struct AttributeTable: Sendable {
        let table: NameTable<Attribute>
        init(_ names: [String]) { table = NameTable(names.map { ($0, Attribute(name: $0)) }) }
        subscript(key: Key) -> Attribute? { table[key] }
    }

    private struct Run {
        let bytes: UnsafeBufferPointer<UInt8>
        let base: String?
        var out: [UInt8] = []
        var index = 0
        var open: [Tag] = []
        /// How many open elements are SVG or MathML roots: inside them, their vocabulary.
        var svgDepth = 0
        var mathDepth = 0
        /// Reused by every start tag: its kept attributes, written and by name.
        var kept: [UInt8] = []
        var keptAttributes: [Attribute] = []

        static let svgKey = Key("svg")
        static let mathKey = Key("math")

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
            while let tag = open.popLast() { close(tag) }
        }

        mutating func close(_ tag: Tag) {
            out.append(UInt8(ascii: "<"))
            out.append(UInt8(ascii: "/"))
            out.append(contentsOf: tag.nameBytes)
            out.append(UInt8(ascii: ">"))
            if tag.language == .svg, tag.name == "svg" { svgDepth -= 1 }
            if tag.language == .math, tag.name == "math" { mathDepth -= 1 }
        }

        /// Past the next `>` at or after `start`, or the end.
        func pastClosingBracket(from start: Int) -> Int {
            (next(UInt8(ascii: ">"), from: start) ?? bytes.count - 1) + 1
        }

        /// At a `<`: a tag, a comment, a declaration, or a `<` that is text.
        mutating func markup() {
            let after = index + 1
            guard after < bytes.count else { out.append(contentsOf: "&lt;".utf8); index = after; return }
            let byte = bytes[after]
            if byte == UInt8(ascii: "!") {
                if after + 2 < bytes.count, bytes[after + 1] == UInt8(ascii: "-"), bytes[after + 2] == UInt8(ascii: "-") {
                    index = endOfComment(from: after + 3)  // comments never reach the output
                } else if let end = endOfDeclaration(from: after + 1) {
                    index = end  // a doctype or a CDATA marker: dropped
                } else {
                    out.append(contentsOf: "&lt;!".utf8)  // `<!'`, `<!DOCTYPE is…`: text
                    index = after + 1
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

        /// Past a well-formed `<!DOCTYPE name …>` (name, then words and quoted strings only)
        /// or `<![CDATA[`/`]]>`-style marker; nil when the `<!` starts something else.
        func endOfDeclaration(from start: Int) -> Int? {
            if start < bytes.count, bytes[start] == UInt8(ascii: "[") {
                return nil
            }
            let keyword = Array("doctype".utf8)
            guard start + keyword.count < bytes.count,
                  zip(bytes[start..<(start + keyword.count)], keyword).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
            var cursor = start + keyword.count
            guard cursor < bytes.count, isSpace(bytes[cursor]) else { return nil }
            var words = 0
            while cursor < bytes.count {
                let byte = bytes[cursor]
                if byte == UInt8(ascii: ">") { return words > 0 ? cursor + 1 : nil }
                if isSpace(byte) { cursor += 1; continue }
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    guard let close = next(byte, from: cursor + 1) else { return nil }
                    cursor = close + 1
                } else if isLetter(byte) {
                    while cursor < bytes.count, isLetter(bytes[cursor]) || isDigit(bytes[cursor])
                            || bytes[cursor] == UInt8(ascii: "-") || bytes[cursor] == UInt8(ascii: ".") { cursor += 1 }
                    words += 1
                } else {
                    return nil
                }
            }
            return nil
        }

        func nameEnd(from start: Int) -> Int {
            var cursor = start
            while cursor < bytes.count {
                let byte = bytes[cursor]
                guard isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
                        || byte == UInt8(ascii: "_") else { break }
                cursor += 1
            }
            return cursor
        }

        /// The element `key` names where it stands: SVG's or MathML's inside those, else
        /// HTML's; `svg` and `math` themselves open their vocabularies.
        func lookUp(_ key: Key) -> Tag? {
            if svgDepth > 0, let tag = HTMLSanitizer.svgTags[key] { return tag }
            if mathDepth > 0, let tag = HTMLSanitizer.mathTags[key] { return tag }
            if let tag = HTMLSanitizer.tags[key] { return tag }
            if key == Self.svgKey { return HTMLSanitizer.svgTags[key] }
            if key == Self.mathKey { return HTMLSanitizer.mathTags[key] }
            return nil
        }

        mutating func startTag(at start: Int) {
            let end = nameEnd(from: start)
            let tag = lookUp(Key(bytes, start..<end))
            var cursor = end
            kept.removeAll(keepingCapacity: true)
            keptAttributes.removeAll(keepingCapacity: true)
            var selfClosing = false
            var animates: String?  // an animation element's attributeName
            var hasXLink = false
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
                var hasValue = false
                if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "=") {
                    hasValue = true
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
                guard let tag, tag.kind == .allowed, let attribute = tag.attribute(Key(bytes, nameRange)),
                      !keptAttributes.contains(where: { $0 === attribute }) else { continue }  // the first of a name counts, as in browsers
                var value = hasValue
                    ? EntityText.decodeReferences(String(decoding: UnsafeBufferPointer(rebasing: bytes[valueRange]), as: UTF8.self))
                    : attribute.name  // `<option selected>`: written out in full
                switch attribute.kind {
                case .url:
                    guard let safe = HTMLSanitizer.safeURL(value, attribute: attribute.name, element: tag.name,
                                                           language: tag.language, base: base) else { continue }
                    value = safe
                case .style:
                    value = CSSSanitizer.sanitize(value, inSVG: tag.language == .svg)
                    if value.isEmpty { continue }
                case .plain:
                    if attribute.isAnimationTarget { animates = value }
                    // Link relations and media types are case-insensitive: written in lower case.
                    if attribute.lowercasesValue { value = value.lowercased() }
                }
                if attribute.isXLink { hasXLink = true }
                keptAttributes.append(attribute)
                kept.append(UInt8(ascii: " "))
                kept.append(contentsOf: attribute.nameBytes)
                kept.append(UInt8(ascii: "="))
                kept.append(UInt8(ascii: "\""))
                HTMLEscaping.appendEscapedAttribute(value, to: &kept)
                kept.append(UInt8(ascii: "\""))
            }
            index = min(cursor + 1, bytes.count)

            guard let tag else { return }  // unknown: the tag goes, its text stays
            if tag.kind == .droppedWithContent {
                if !selfClosing && !tag.isVoid { skipPast(endOf: start..<end) }
                return
            }
            // An animation of a link or a handler could turn text into `javascript:`.
            if let animates, Self.isDangerousAnimation(animates) {
                if !selfClosing { skipPast(endOf: start..<end) }
                return
            }
            out.append(UInt8(ascii: "<"))
            out.append(contentsOf: tag.nameBytes)
            if tag.name == "svg" && tag.language == .svg {
                out.append(contentsOf: " xmlns=\"\(HTMLVocabulary.svgNamespace)\"".utf8)
            } else if tag.name == "math" && tag.language == .math {
                out.append(contentsOf: " xmlns=\"\(HTMLVocabulary.mathNamespace)\"".utf8)
            }
            if hasXLink { out.append(contentsOf: " xmlns:xlink=\"\(HTMLVocabulary.xlinkNamespace)\"".utf8) }
            out.append(contentsOf: kept)
            if selfClosing && tag.language != .html {
                out.append(contentsOf: "></".utf8)  // `<circle/>` written out whole
                out.append(contentsOf: tag.nameBytes)
                out.append(UInt8(ascii: ">"))
                return
            }
            out.append(UInt8(ascii: ">"))
            guard !tag.isVoid else { return }
            if tag.language == .svg, tag.name == "svg" { svgDepth += 1 }
            if tag.language == .math, tag.name == "math" { mathDepth += 1 }
            open.append(tag)
        }

        static func isDangerousAnimation(_ attributeName: String) -> Bool {
            let name = attributeName.lowercased().asciiTrimmed
            return name.hasSuffix("href") || name.hasPrefix("on") || name == "style" || name == "src"
        }

        mutating func endTag(at start: Int) {
            let end = nameEnd(from: start)
            index = pastClosingBracket(from: min(end, bytes.count - 1))
            guard end > start, let tag = lookUp(Key(bytes, start..<end)), tag.kind == .allowed,
                  let position = open.lastIndex(where: { $0 === tag })
            else { return }
            // Close what was left open inside it, then it.
            while open.count > position { close(open.removeLast()) }
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
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
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
    static func safeURL(_ value: String, attribute: String, element: String, language: Language = .html,
                        base: String?) -> String? {
        // Browsers ignore control characters and spaces inside schemes: so must the check.
        let hasControls = value.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
        let compact = hasControls
            ? String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }))
            : value
        if startsWithHTTP(compact) { return compact }  // the common case: already absolute and safe
        // In SVG and MathML a link or a use of another element: a fragment, or http(s).
        if language != .html || attribute == "xlink:href" {
            if compact.hasPrefix("#") { return compact }
            let resolved = URLResolver.resolve(compact, against: base)
            return startsWithHTTP(resolved) ? resolved : nil
        }
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
