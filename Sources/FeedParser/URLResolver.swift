import Foundation

/// Makes links absolute against `xml:base` or the document's URL.
public enum URLResolver {
    public static func resolve(_ reference: String, against base: String?) -> String {
        let trimmed = trimmedASCII(reference)
        // Most links in feeds are already absolute: no URL parsing for them.
        if hasScheme(trimmed) { return trimmed }
        guard let base, let baseURL = URL(string: base),
              let resolved = URL(string: trimmed, relativeTo: baseURL)?.absoluteString
        else { return trimmed }
        return resolved
    }

    /// `scheme:` per RFC 3986: a letter, then letters, digits, `+`, `-`, `.`, before any `/?#`.
    static func hasScheme(_ text: String) -> Bool {
        var first = true
        for byte in text.utf8 {
            if byte == UInt8(ascii: ":") { return !first }
            let lower = byte | 0x20
            let isLetter = lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
            let isOther = (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            if first ? !isLetter : !(isLetter || isOther) { return false }
            first = false
        }
        return false
    }

    private static func trimmedASCII(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last,
              ByteText.isSpace(first) || ByteText.isSpace(last) else { return text }
        return ByteText.trimmedString(Array(utf8))
    }
}
