import Foundation

/// What full-text search indexes of an article: its HTML reduced to words. Byte-level and
/// fast (it runs for every stored article): tags become spaces and the entities our
/// sanitiser writes are decoded (it already removed scripts and styles). Not for display:
/// `show` renders HTML properly.
enum SearchText {
    static func of(summary: String?, content: String?) -> String {
        var summary = summary ?? "", content = content ?? ""
        return summary.withUTF8 { summary in content.withUTF8 { content in of(summary, content) } }
    }

    /// The same from the bytes of the stored columns (the indexer reads them without
    /// making Strings of them first).
    static func of(summaryBytes summary: Data?, contentBytes content: Data?) -> String {
        (summary ?? Data()).withUnsafeBytes { summary in
            (content ?? Data()).withUnsafeBytes { content in
                of(summary.bindMemory(to: UInt8.self), content.bindMemory(to: UInt8.self))
            }
        }
    }

    private static func of(_ summary: UnsafeBufferPointer<UInt8>, _ content: UnsafeBufferPointer<UInt8>) -> String {
        let parts = [summary, content].filter { !$0.isEmpty }
        guard !parts.isEmpty else { return "" }
        // Never longer than the HTML (a tag becomes one space, an entity at most the four
        // bytes of its character), plus a space between the parts: one allocation.
        let capacity = parts.reduce(parts.count) { $0 + $1.count }
        return String(unsafeUninitializedCapacity: capacity) { out in
            var written = 0
            for part in parts {
                if written > 0 {
                    out[written] = 0x20
                    written += 1
                }
                written = append(part, to: out, at: written)
            }
            return written
        }
    }

    /// Writes the words of `bytes` into `out` from `start`; returns where they end. Runs of
    /// plain text are copied whole: byte by byte, this was a tenth of indexing.
    private static func append(_ bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>,
                               at start: Int) -> Int {
        var written = start
        var index = 0
        while index < bytes.count {
            var plain = index
            while plain < bytes.count && bytes[plain] != UInt8(ascii: "<") && bytes[plain] != UInt8(ascii: "&") { plain += 1 }
            if plain > index {
                let run = plain - index
                UnsafeMutableRawPointer(out.baseAddress! + written)
                    .copyMemory(from: bytes.baseAddress! + index, byteCount: run)
                written += run
                index = plain
                continue
            }
            if bytes[index] == UInt8(ascii: "<") {
                while index < bytes.count && bytes[index] != UInt8(ascii: ">") { index += 1 }
                index += 1
                out[written] = 0x20
                written += 1
            } else if let (decoded, length) = entity(bytes, at: index) {
                for byte in decoded {
                    out[written] = byte
                    written += 1
                }
                index += length
            } else {
                out[written] = bytes[index]
                written += 1
                index += 1
            }
        }
        return written
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
