/// What full-text search indexes of an article: its HTML reduced to words. Byte-level and
/// fast (it runs for every stored article): tags become spaces and the entities our
/// sanitiser writes are decoded (it already removed scripts and styles). Not for display:
/// `show` renders HTML properly.
enum SearchText {
    static func of(summary: String?, content: String?) -> String {
        var out: [UInt8] = []
        for html in [summary, content] {
            guard let html, !html.isEmpty else { continue }
            if !out.isEmpty { out.append(0x20) }
            append(html, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func append(_ html: String, to out: inout [UInt8]) {
        var html = html
        html.withUTF8 { bytes in
            out.reserveCapacity(out.count + bytes.count)
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "<") {
                    while index < bytes.count && bytes[index] != UInt8(ascii: ">") { index += 1 }
                    index += 1
                    out.append(0x20)
                } else if byte == UInt8(ascii: "&"), let (decoded, length) = entity(bytes, at: index) {
                    out.append(contentsOf: decoded)
                    index += length
                } else {
                    out.append(byte)
                    index += 1
                }
            }
        }
    }

    /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&nbsp;` and numeric references.
    private static func entity(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> ([UInt8], Int)? {
        var end = start + 1
        while end < bytes.count && end - start < 12 && bytes[end] != UInt8(ascii: ";") { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(start + 1)..<end]), as: UTF8.self)
        let length = end - start + 1
        switch name {
        case "amp": return (Array("&".utf8), length)
        case "lt": return (Array("<".utf8), length)
        case "gt": return (Array(">".utf8), length)
        case "quot": return (Array("\"".utf8), length)
        case "apos", "#39": return (Array("'".utf8), length)
        case "nbsp": return ([0x20], length)
        default:
            guard name.hasPrefix("#") else { return nil }
            let digits = name.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            guard let value, let scalar = Unicode.Scalar(value) else { return nil }
            return (Array(String(Character(scalar)).utf8), length)
        }
    }
}
