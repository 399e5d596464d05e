import CLibXML2
import Glibc

/// Text that may hold markup or character references, reduced to plain text cheaply:
/// references alone (`Fish &amp; chips`, `&#8217;`, `&eacute;`) are decoded here; only
/// text with tags goes through libxml2's HTML parser.
enum EntityText {
    static func hasMarkup(_ text: String) -> Bool { contains(UInt8(ascii: "<"), in: text) }
    static func hasReference(_ text: String) -> Bool { contains(UInt8(ascii: "&"), in: text) }

    /// memchr over the string's bytes where they lie (parsed text always is contiguous),
    /// rather than the UTF-8 view's iterator, which showed in perf for every title.
    static func contains(_ byte: UInt8, in text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            guard let start = bytes.baseAddress else { return false }
            return memchr(start, Int32(byte), bytes.count) != nil
        } ?? text.utf8.contains(byte)
    }

    /// Decodes `&name;`, `&#N;` and `&#xH;`; anything that is not a known reference stays as written.
    static func decodeReferences(_ text: String) -> String {
        guard hasReference(text) else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&"),
                  let semicolon = bytes[(index + 1)...].prefix(12).firstIndex(of: UInt8(ascii: ";")),
                  let scalar = reference(bytes[(index + 1)..<semicolon])
            else {
                out.append(byte)
                index += 1
                continue
            }
            out.append(contentsOf: String(Character(scalar)).utf8)
            index = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func reference(_ body: ArraySlice<UInt8>) -> Unicode.Scalar? {
        guard let first = body.first else { return nil }
        if first == UInt8(ascii: "#") {
            let digits = body.dropFirst()
            let hex = digits.first.map { $0 | 0x20 == UInt8(ascii: "x") } ?? false
            let text = String(decoding: hex ? digits.dropFirst() : digits, as: UTF8.self)
            guard let value = UInt32(text, radix: hex ? 16 : 10), value != 0 else { return nil }
            // As HTML5 reads them: references to C1 controls meant Windows-1252's characters.
            if (0x80...0x9F).contains(value), let mapped = windows1252[Int(value - 0x80)] { return mapped }
            return Unicode.Scalar(value)
        }
        let name = Array(body) + [0]
        if let description = name.withUnsafeBufferPointer({ htmlEntityLookup($0.baseAddress) }) {
            return Unicode.Scalar(description.pointee.value)
        }
        return html5Punctuation[String(decoding: body, as: UTF8.self)]
    }

    /// HTML5 names missing from libxml2's HTML 4 table, among them the ones used to hide
    /// `javascript&colon;` from naive filters.
    static let html5Punctuation: [String: Unicode.Scalar] = [
        "colon": ":", "Tab": "\t", "NewLine": "\n", "lpar": "(", "rpar": ")", "excl": "!", "quest": "?",
        "sol": "/", "bsol": "\\", "period": ".", "comma": ",", "semi": ";", "lowbar": "_", "grave": "`",
        "plus": "+", "equals": "=", "num": "#", "dollar": "$", "percnt": "%", "apos": "'", "ast": "*",
        "lcub": "{", "rcub": "}", "lbrace": "{", "rbrace": "}", "lsqb": "[", "rsqb": "]", "lbrack": "[",
        "rbrack": "]", "vert": "|", "verbar": "|", "Hat": "^", "commat": "@", "hyphen": "\u{2010}",
    ]

    /// Windows-1252's characters at 0x80–0x9F (nil where it has none).
    static let windows1252: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}",
        "\u{02C6}", "\u{2030}", "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil,
        nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}", "\u{2022}", "\u{2013}", "\u{2014}",
        "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}", "\u{0178}",
    ]
}
