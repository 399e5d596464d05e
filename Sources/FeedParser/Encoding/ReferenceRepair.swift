import Glibc

/// Repairs what publishers get wrong about `&` before libxml2 sees it, chunk by chunk:
/// a bare `&` (an unescaped query string in a link: `?a=1&b=2`) becomes `&amp;` — libxml2
/// would drop `&b` and everything up to the next `;`, cutting the link short — and
/// `&#X41;` (an upper-case X, which XML does not allow and HTML does) becomes `&#x41;`.
/// Inside CDATA sections, comments and processing instructions `&` is literal and is left
/// alone. Nothing is copied unless something is repaired.
struct ReferenceRepair {
    private enum State { case text, cdata, comment, instruction }
    private var state = State.text
    /// Bytes held back: a reference or a marker that may continue in the next chunk.
    private var carry: [UInt8] = []
    /// Bare ampersands escaped so far (worth a warning: the document was not well-formed).
    private(set) var escapedAmpersands = 0
    /// The line of the first one (1-based), for the warning.
    private(set) var firstEscapedLine: Int?
    /// Line breaks in what was passed on before the current chunk, counted only until the
    /// first bare `&` is found (nothing needs a line after that).
    private var linesBefore = 0

    /// Whether a piece came before this one (so the document is streamed, not whole).
    private var sawEarlierPiece = false

    /// The longest reference looked at: `&` + 32 name characters + `;`.
    static let longestReference = 34

    mutating func process(_ input: UnsafeRawBufferPointer, isFinal: Bool, emit: (UnsafeRawBufferPointer) -> Void) {
        if carry.isEmpty {
            repair(input.bindMemory(to: UInt8.self), isFinal: isFinal, emit: emit)
        } else {
            let joined = carry + Array(input)
            carry.removeAll()
            joined.withUnsafeBufferPointer { repair($0, isFinal: isFinal, emit: emit) }
        }
    }

    private mutating func repair(_ bytes: UnsafeBufferPointer<UInt8>, isFinal: Bool,
                                 emit: (UnsafeRawBufferPointer) -> Void) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let count = bytes.count
        var out: [UInt8]?
        var copied = 0
        var end = count  // what is passed on now; the rest waits in `carry`
        func edit(at position: Int, replacing length: Int, with text: StaticString) {
            if out == nil { out = []; out!.reserveCapacity(count + 64) }
            out!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<position]))
            out!.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
            copied = position + length
        }
        func next(_ byte: UInt8, from start: Int) -> Int? {
            guard start < count, let hit = memchr(base + start, Int32(byte), count - start) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        // A whole document (one piece, the last): only the `&`s are looked at, and where a
        // `&` needs repair, whether it stands in text is worked out then — most documents
        // have well-formed references only, and then no `<` is looked at at all.
        if isFinal && state == .text && !sawEarlierPiece {
            repairWhole(bytes, emit: emit)
            return
        }
        sawEarlierPiece = true
        var index = 0
        // The next `&` and `<` at or after `index`, found once each (count: none left).
        var amp = -1, lt = -1
        scanning: while index < count {
            switch state {
            case .text:
                if amp < index { amp = next(UInt8(ascii: "&"), from: index) ?? count }
                if lt < index { lt = next(UInt8(ascii: "<"), from: index) ?? count }
                let at = min(amp, lt)
                guard at < count else { break scanning }
                if at == amp {
                    switch classify(bytes, at: at, isFinal: isFinal) {
                    case .fine: index = at + 1
                    case .upperCaseHex: edit(at: at + 2, replacing: 1, with: "x"); index = at + 3
                    case .bare:
                        if firstEscapedLine == nil { firstEscapedLine = linesBefore + Self.lineBreaks(bytes, 0..<at) + 1 }
                        edit(at: at + 1, replacing: 0, with: "amp;")
                        escapedAmpersands += 1
                        index = at + 1
                    case .incomplete: end = at; break scanning
                    }
                } else {
                    // Most `<` start a tag: only `<!` and `<?` need a closer look.
                    let marker = at + 1 < count ? bytes[at + 1] : 0
                    guard marker == UInt8(ascii: "!") || marker == UInt8(ascii: "?") || at + 1 == count else {
                        index = at + 1
                        continue
                    }
                    if !isFinal && count - at < 9 && Self.mayStartMarker(bytes, at) { end = at; break scanning }
                    if Self.matches(bytes, at, "<![CDATA[") { state = .cdata; index = at + 9 }
                    else if Self.matches(bytes, at, "<!--") { state = .comment; index = at + 4 }
                    else if Self.matches(bytes, at, "<?") { state = .instruction; index = at + 2 }
                    else { index = at + 1 }
                }
            case .cdata, .comment, .instruction:
                let terminator: StaticString = state == .cdata ? "]]>" : (state == .comment ? "-->" : "?>")
                var search = index
                var found: Int?
                while let hit = next(terminator.utf8Start.pointee, from: search) {
                    if Self.matches(bytes, hit, terminator) { found = hit + terminator.utf8CodeUnitCount; break }
                    search = hit + 1
                }
                if let found {
                    state = .text
                    index = found
                } else {
                    // A terminator cut by the chunk's end is seen whole in the next one.
                    if !isFinal { end = max(index, count - (terminator.utf8CodeUnitCount - 1)) }
                    break scanning
                }
            }
        }
        if end < count { carry = Array(UnsafeBufferPointer(rebasing: bytes[end...])) }
        if firstEscapedLine == nil { linesBefore += Self.lineBreaks(bytes, 0..<end) }
        if var repaired = out {
            repaired.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<end]))
            repaired.withUnsafeBytes(emit)
        } else if end > 0 {
            emit(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[0..<end])))
        }
    }

    static func lineBreaks(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        var count = 0
        var index = range.lowerBound
        let base = bytes.baseAddress!
        while index < range.upperBound, let hit = memchr(base + index, 0x0A, range.upperBound - index) {
            count += 1
            index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return count
    }

    private mutating func repairWhole(_ bytes: UnsafeBufferPointer<UInt8>, emit: (UnsafeRawBufferPointer) -> Void) {
        let base = bytes.baseAddress!
        let count = bytes.count
        var out: [UInt8]?
        var copied = 0
        var scanned = 0  // `state` holds at this position
        var index = 0
        while index < count, let hit = memchr(base + index, Int32(UInt8(ascii: "&")), count - index) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            index = at + 1
            let kind = classify(bytes, at: at, isFinal: true)
            guard kind == .bare || kind == .upperCaseHex else { continue }
            scanned = stateAt(at, in: bytes, from: scanned)
            guard state == .text else { continue }
            if out == nil { out = []; out!.reserveCapacity(count + 64) }
            if kind == .bare {
                if firstEscapedLine == nil { firstEscapedLine = Self.lineBreaks(bytes, 0..<at) + 1 }
                out!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...at]))
                out!.append(contentsOf: "amp;".utf8)
                copied = at + 1
                escapedAmpersands += 1
            } else {
                out!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<(at + 2)]))
                out!.append(UInt8(ascii: "x"))
                copied = at + 3
            }
        }
        if var repaired = out {
            repaired.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
            repaired.withUnsafeBytes(emit)
        } else {
            emit(UnsafeRawBufferPointer(bytes))
        }
    }

    /// Moves `state` from `from` to `at` over a whole document; returns `at`.
    private mutating func stateAt(_ at: Int, in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        let base = bytes.baseAddress!
        var index = from
        while index < at {
            if state == .text {
                guard let hit = memchr(base + index, Int32(UInt8(ascii: "<")), at - index) else { return at }
                let lt = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if Self.matches(bytes, lt, "<![CDATA[") { state = .cdata; index = lt + 9 }
                else if Self.matches(bytes, lt, "<!--") { state = .comment; index = lt + 4 }
                else if Self.matches(bytes, lt, "<?") { state = .instruction; index = lt + 2 }
                else { index = lt + 1 }
            } else {
                let terminator: StaticString = state == .cdata ? "]]>" : (state == .comment ? "-->" : "?>")
                var search = index
                var found: Int?
                while search < bytes.count, let hit = memchr(base + search, Int32(terminator.utf8Start.pointee), bytes.count - search) {
                    let position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if Self.matches(bytes, position, terminator) { found = position + terminator.utf8CodeUnitCount; break }
                    search = position + 1
                }
                guard let found, found <= at else { return at }  // still inside at `at`
                state = .text
                index = found
            }
        }
        return at
    }

    static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int, _ text: StaticString) -> Bool {
        let length = text.utf8CodeUnitCount
        guard at + length <= bytes.count else { return false }
        return memcmp(bytes.baseAddress! + at, text.utf8Start, length) == 0
    }

    /// Whether the bytes from `at` to the chunk's end could be the start of `<![CDATA[`,
    /// `<!--` or `<?` (the rest of the marker being in the next chunk).
    static func mayStartMarker(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> Bool {
        let tail = Array(bytes[at...])
        return ["<![CDATA[", "<!--", "<?"].contains { marker in
            let prefix = Array(marker.utf8.prefix(tail.count))
            return tail.count < marker.utf8.count && prefix == Array(tail.prefix(prefix.count))
        }
    }

    enum Reference { case fine, bare, upperCaseHex, incomplete }

    /// What follows the `&` at `at`: a well-formed reference, `&#X…;`, a bare `&`, or not
    /// enough bytes yet to tell.
    func classify(_ bytes: UnsafeBufferPointer<UInt8>, at: Int, isFinal: Bool) -> Reference {
        let limit = min(bytes.count, at + Self.longestReference)
        let cut = !isFinal && limit == bytes.count && bytes.count < at + Self.longestReference
        var index = at + 1
        guard index < limit else { return cut ? .incomplete : .bare }
        if bytes[index] == UInt8(ascii: "#") {
            index += 1
            var hex = false, upper = false
            if index < limit, bytes[index] | 0x20 == UInt8(ascii: "x") {
                hex = true
                upper = bytes[index] == UInt8(ascii: "X")
                index += 1
            }
            let digits = index
            while index < limit, Self.isDigit(bytes[index], hex: hex) { index += 1 }
            if index == limit { return cut ? .incomplete : .bare }
            guard index > digits, bytes[index] == UInt8(ascii: ";") else { return .bare }
            return upper ? .upperCaseHex : .fine
        }
        guard Self.isNameStart(bytes[index]) else { return .bare }
        while index < limit, Self.isNameByte(bytes[index]) { index += 1 }
        if index == limit { return cut ? .incomplete : .bare }
        return bytes[index] == UInt8(ascii: ";") ? .fine : .bare
    }

    static func isDigit(_ byte: UInt8, hex: Bool) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (hex && byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }
}
