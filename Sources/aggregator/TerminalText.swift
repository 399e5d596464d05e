import CTerminalShims

/// Text from feeds is untrusted: before it reaches a terminal, control characters
/// (ESC sequences, BEL, C1 codes) go, and line breaks become spaces.
enum TerminalText {
    static func clean(_ text: String) -> String {
        guard needsCleaning(text) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x09: out.append(" ")
            case 0x00...0x1F, 0x7F...0x9F: continue
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether `text` holds a C0 or C1 control character or DEL (C1 is 0xC2 0x80–0x9F in
    /// UTF-8): one pass over the bytes, so clean text is returned as it is.
    private static func needsCleaning(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte >= 0x80 && byte <= 0x9F) { return true }
            previous = byte
        }
        return false
    }

    /// Like `clean`, but line breaks stay (multi-line text such as `show`'s body).
    static func cleanKeepingLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { clean(String($0)) }.joined(separator: "\n")
    }

    /// Cuts to `width` terminal columns, with an ellipsis when something was cut. Columns,
    /// not characters: a CJK character or an emoji takes two, a combining mark none.
    static func fit(_ text: String, _ width: Int) -> String {
        guard DisplayWidth.of(text) > width else { return text }
        var out = ""
        var used = 0
        for character in text {
            let columns = DisplayWidth.of(character)
            if used + columns > width - 1 { break }
            out.append(character)
            used += columns
        }
        return out + "…"
    }

    /// Right-aligned to `width` columns (`%8d` for counts).
    static func padLeft(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - DisplayWidth.of(text))) + text
    }

    /// Fitted to `width` columns, then filled with spaces to exactly that.
    static func pad(_ text: String, _ width: Int) -> String {
        let fitted = fit(text, width)
        return fitted + String(repeating: " ", count: max(0, width - DisplayWidth.of(fitted)))
    }
}

/// How many terminal columns text takes, by the C library's `wcwidth` (the tables every
/// terminal program on the system shares) in a UTF-8 locale.
enum DisplayWidth {
    static func of(_ text: String) -> Int {
        // Plain ASCII, nearly every feed title: one column a byte.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
        return text.reduce(0) { $0 + of($1) }
    }

    static func of(_ character: Character) -> Int {
        var total = 0
        for scalar in character.unicodeScalars {
            let width = scalarWidth(scalar)
            total += max(width, 0)
        }
        // A cluster joined into one glyph (an emoji sequence) takes the width of its widest part.
        if character.unicodeScalars.count > 1, character.unicodeScalars.contains(where: { $0.value == 0x200D }) {
            return min(total, 2)
        }
        return total
    }

    private static func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
        if scalar.value < 0x7F { return scalar.value >= 0x20 ? 1 : 0 }
        return Int(aggregator_column_width(scalar.value))
    }
}
