import Foundation

/// Makes links absolute against `xml:base` or the document's URL.
public enum URLResolver {
    public static func resolve(_ reference: String, against base: String?) -> String {
        let trimmed = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        if hasScheme(trimmed) { return trimmed }
        guard let base, let baseURL = URL(string: base),
              let resolved = URL(string: trimmed, relativeTo: baseURL)?.absoluteString
        else { return trimmed }
        return resolved
    }

    /// `scheme:` per RFC 3986: a letter, then letters, digits, `+`, `-`, `.`, before any `/?#`.
    static func hasScheme(_ text: String) -> Bool {
        var first = true
        for scalar in text.unicodeScalars {
            if scalar == ":" { return !first }
            let isLetter = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
            let isOther = (scalar >= "0" && scalar <= "9") || scalar == "+" || scalar == "-" || scalar == "."
            if first ? !isLetter : !(isLetter || isOther) { return false }
            first = false
        }
        return false
    }
}
