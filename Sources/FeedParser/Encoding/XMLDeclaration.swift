/// The XML declaration at the start of the UTF-8 that libxml2 is given.
enum XMLDeclaration {
    /// Blanks the `encoding="…"` pseudo-attribute of a leading `<?xml …?>` with spaces
    /// (the same length, so every line and column stays where it was).
    static func blankEncoding(_ bytes: inout [UInt8]) {
        guard bytes.count > 5, bytes[0] == UInt8(ascii: "<"), bytes[1] == UInt8(ascii: "?"),
              bytes[2] == UInt8(ascii: "x"), bytes[3] == UInt8(ascii: "m"), bytes[4] == UInt8(ascii: "l") else { return }
        let limit = min(bytes.count, 512)
        guard let end = (5..<limit).first(where: { bytes[$0] == UInt8(ascii: ">") }) else { return }
        let keyword = Array("encoding".utf8)
        var index = 5
        while index + keyword.count < end {
            if bytes[index..<(index + keyword.count)].elementsEqual(keyword) {
                var cursor = index + keyword.count
                while cursor < end, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 || bytes[cursor] == 0x0A || bytes[cursor] == 0x0D { cursor += 1 }
                guard cursor < end, bytes[cursor] == UInt8(ascii: "=") else { return }
                cursor += 1
                while cursor < end, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 || bytes[cursor] == 0x0A || bytes[cursor] == 0x0D { cursor += 1 }
                guard cursor < end, bytes[cursor] == UInt8(ascii: "\"") || bytes[cursor] == UInt8(ascii: "'") else { return }
                let quote = bytes[cursor]
                guard let close = ((cursor + 1)..<end).first(where: { bytes[$0] == quote }) else { return }
                for blank in index...close where bytes[blank] != 0x0A { bytes[blank] = 0x20 }
                return
            }
            index += 1
        }
    }
}
