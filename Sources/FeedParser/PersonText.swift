import Foundation

/// Reads the one-string author forms of RSS (`author`, `managingEditor`, `dc:creator`):
/// `jo@example.org (Jo Bloggs)`, `Jo Bloggs <jo@example.org>`, `jo@example.org`, `Jo Bloggs`.
enum PersonText {
    static func parse(_ text: String) -> ParsedPerson? {
        let text = text.asciiTrimmed
        guard !text.isEmpty else { return nil }
        if text.hasSuffix(")"), let open = text.lastIndex(of: "(") {
            let outside = text[..<open].asciiTrimmed
            let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
                .asciiTrimmed
            if outside.utf8.contains(UInt8(ascii: "@")) && !outside.utf8.contains(UInt8(ascii: " ")) {
                return ParsedPerson(name: inside.isEmpty ? nil : inside, email: outside)
            }
            // "Name (email)"
            if inside.utf8.contains(UInt8(ascii: "@")) && !inside.utf8.contains(UInt8(ascii: " ")) {
                return ParsedPerson(name: outside.isEmpty ? nil : outside, email: inside)
            }
        }
        if text.hasSuffix(">"), let open = text.lastIndex(of: "<") {
            let name = text[..<open].asciiTrimmed
            let email = text[text.index(after: open)..<text.index(before: text.endIndex)]
                .asciiTrimmed
            if email.utf8.contains(UInt8(ascii: "@")) { return ParsedPerson(name: name.isEmpty ? nil : name, email: email) }
        }
        if text.utf8.contains(UInt8(ascii: "@")) && !text.utf8.contains(UInt8(ascii: " ")) { return ParsedPerson(email: text) }
        return ParsedPerson(name: text)
    }
}
