/// `<div xmlns="http://www.w3.org/1999/xhtml">…</div>` around a whole piece of escaped
/// HTML: Atom puts XHTML content in such a wrapper, and some publishers (TypePad) escaped
/// it whole into `type="html"` content. The wrapper is not part of the content.
enum XHTMLWrapper {
    /// The range inside the wrapper when `range` of `bytes` is exactly one wrapper div.
    static func inner(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int>? {
        let open = Array("<div".utf8), close = Array("</div>".utf8)
        guard range.count > open.count + close.count,
              bytes[range.lowerBound..<(range.lowerBound + open.count)].elementsEqual(open),
              bytes[(range.upperBound - close.count)..<range.upperBound].map({ $0 | 0x20 == $0 ? $0 : $0 | 0x20 })
                .elementsEqual(close),
              let tagEnd = bytes[range].firstIndex(of: UInt8(ascii: ">")) else { return nil }
        let tag = String(decoding: bytes[range.lowerBound..<tagEnd], as: UTF8.self)
        guard tag.contains("http://www.w3.org/1999/xhtml"), tag.contains("xmlns") else { return nil }
        // The first div must close only at the very end.
        var depth = 0
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == UInt8(ascii: "<") {
                if index + 4 <= range.upperBound, bytes[(index + 1)..<(index + 4)].map({ $0 | 0x20 }).elementsEqual("div".utf8) {
                    depth += 1
                } else if index + 5 <= range.upperBound, bytes[index + 1] == UInt8(ascii: "/"),
                          bytes[(index + 2)..<(index + 5)].map({ $0 | 0x20 }).elementsEqual("div".utf8) {
                    depth -= 1
                    if depth == 0 && index != range.upperBound - close.count { return nil }
                }
            }
            index += 1
        }
        return (tagEnd + 1)..<(range.upperBound - close.count)
    }
}
