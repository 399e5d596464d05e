/// Inline CSS (`style="…"`) reduced to declarations that only change how text and boxes
/// look. The whole attribute goes when anything in it falls outside a strict grammar —
/// `url(…)` (loads a resource) is cut out first, and `expression(…)`, `behavior`, escapes,
/// comments, `@` rules and anything else a browser could execute or fetch simply do not
/// parse. Kept declarations are written `name: value;`, separated by one space.
enum CSSSanitizer {
    /// Properties kept with any value the grammar allows: colours, fonts, text, size and
    /// flow, and the aural properties of CSS 2.
    static let properties: Set<String> = [
        "azimuth", "background-color", "border-bottom-color", "border-collapse", "border-color",
        "border-left-color", "border-right-color", "border-top-color", "clear", "color", "cursor", "direction",
        "display", "elevation", "float", "font", "font-family", "font-size", "font-style", "font-variant",
        "font-weight", "height", "letter-spacing", "line-height", "overflow", "pause", "pause-after",
        "pause-before", "pitch", "pitch-range", "richness", "speak", "speak-header", "speak-numeral",
        "speak-punctuation", "speech-rate", "stress", "text-align", "text-decoration", "text-indent",
        "unicode-bidi", "vertical-align", "voice-family", "volume", "white-space", "width",
    ]

    /// `background*`, `border*`, `margin*`, `padding*` are kept only when every word of the
    /// value is one of these or a plain length, number, colour or `rgb(…)`.
    static let shorthandFamilies: Set<String> = ["background", "border", "margin", "padding"]
    static let keywords: Set<String> = [
        "!important", "aqua", "auto", "black", "block", "blue", "bold", "both", "bottom", "brown", "center",
        "collapse", "dashed", "dotted", "fuchsia", "gray", "green", "italic", "left", "lime", "maroon", "medium",
        "navy", "none", "normal", "nowrap", "olive", "pointer", "purple", "red", "right", "silver", "solid",
        "teal", "top", "transparent", "underline", "white", "yellow",
    ]

    /// Inside SVG: painting properties as well.
    static let svgProperties: Set<String> = [
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-linecap", "stroke-linejoin", "stroke-opacity",
        "stroke-width",
    ]

    /// The declarations of `style` worth keeping, or "" (the attribute then goes).
    static func sanitize(_ style: String, inSVG: Bool = false) -> String {
        let text = Array(removingURLs(Array(style.utf8)))
        guard passesGauntlet(text), let declarations = declarations(text) else { return "" }
        var kept: [String] = []
        for (name, value) in declarations where !value.isEmpty {
            let lowered = name.lowercased()
            let family = lowered.split(separator: "-", maxSplits: 1).first.map(String.init) ?? lowered
            let keep: Bool
            if !onlyColourCalls(Array(value.lowercased().utf8)) {
                keep = false  // `expression(…)` and other functions; colours are the only call kept
            } else if properties.contains(lowered) {
                keep = true
            } else if shorthandFamilies.contains(family) {
                keep = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0C}" })
                    .allSatisfy { keywords.contains(String($0)) || isPlainValue(Array($0.utf8)) }
            } else {
                keep = inSVG && svgProperties.contains(lowered)
            }
            if keep { kept.append(name + ": " + value + ";") }
        }
        return kept.joined(separator: " ")
    }

    /// Whether every `(` in a value opens `rgb(`: `expression(…)` and other functions go.
    static func onlyColourCalls(_ value: [UInt8]) -> Bool {
        for (index, byte) in value.enumerated() where byte == UInt8(ascii: "(") {
            guard index >= 3, value[(index - 3)..<index].elementsEqual("rgb".utf8) else { return false }
        }
        return true
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    static func isWord(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_")
    }

    /// `url(…)` and the space after it replaced by one space.
    static func removingURLs(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + 3 <= bytes.count, bytes[index] | 0x20 == UInt8(ascii: "u"), bytes[index + 1] | 0x20 == UInt8(ascii: "r"),
               bytes[index + 2] | 0x20 == UInt8(ascii: "l") {
                var cursor = index + 3
                while cursor < bytes.count, isSpace(bytes[cursor]) { cursor += 1 }
                if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "("),
                   let close = bytes[(cursor + 1)...].firstIndex(of: UInt8(ascii: ")")) {
                    var end = close + 1
                    while end < bytes.count, isSpace(bytes[end]) { end += 1 }
                    out.append(0x20)
                    index = end
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        return out
    }

    /// Every character is a letter, digit, space or one of `:,;#%.!`; a hyphen only between
    /// word characters; quotes only around words and spaces; parentheses only around digits,
    /// commas and spaces. Backslash escapes, comments, `@`, `/`, `*`, `&`, `<` fail here.
    static func passesGauntlet(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isWord(byte) && byte != UInt8(ascii: "_") || isSpace(byte) || ":,;#%.!".utf8.contains(byte) {
                index += 1
            } else if byte == UInt8(ascii: "-") {
                guard index > 0, index + 1 < bytes.count, isWord(bytes[index - 1]), isWord(bytes[index + 1]) else { return false }
                index += 1
            } else if byte == UInt8(ascii: "_") {
                index += 1
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                guard let close = bytes[(index + 1)...].firstIndex(of: byte), close > index + 1,
                      bytes[(index + 1)..<close].allSatisfy({ isWord($0) || isSpace($0) }) else { return false }
                index = close + 1
            } else if byte == UInt8(ascii: "(") {
                guard let close = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: ")")), close > index + 1,
                      bytes[(index + 1)..<close].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ",") || isSpace($0) })
                else { return false }
                index = close + 1
            } else {
                return false
            }
        }
        return true
    }

    /// `name: value` pairs, separated by `;` — nil when the text is anything else.
    static func declarations(_ bytes: [UInt8]) -> [(String, String)]? {
        var result: [(String, String)] = []
        var index = 0
        func skipSpace() { while index < bytes.count, isSpace(bytes[index]) { index += 1 } }
        while true {
            skipSpace()
            while index < bytes.count, bytes[index] == UInt8(ascii: ";") { index += 1; skipSpace() }  // `;;`
            if index >= bytes.count { return result }
            let nameStart = index
            while index < bytes.count, isWord(bytes[index]) || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index > nameStart else { return nil }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipSpace()
            let valueStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ";"), bytes[index] != UInt8(ascii: ":") { index += 1 }
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") { return nil }
            var valueEnd = index
            while valueEnd > valueStart, isSpace(bytes[valueEnd - 1]) { valueEnd -= 1 }
            result.append((name, String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)))
            if index < bytes.count { index += 1 }  // the `;`
        }
    }

    /// `#hex`, `rgb(…)` with numbers, or a number of up to two digits either side of the
    /// point with an optional unit (`cm em ex in mm pc pt px %`).
    static func isPlainValue(_ word: [UInt8]) -> Bool {
        if word.first == UInt8(ascii: "#") {
            return word.count > 1 && word.dropFirst().allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
            }
        }
        if word.starts(with: Array("rgb(".utf8)) {
            return word.dropFirst(4).allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ")")
            }
        }
        var index = 0
        func digits() -> Int {
            var count = 0
            while index < word.count, count < 2, word[index] >= 0x30, word[index] <= 0x39 { index += 1; count += 1 }
            return count
        }
        _ = digits()
        if index < word.count, word[index] == UInt8(ascii: ".") { index += 1 }
        _ = digits()
        let unit = String(decoding: word[index...], as: UTF8.self)
        return ["", "cm", "em", "ex", "in", "mm", "pc", "pt", "px", "%", ",", ")"].contains(unit)
    }
}
