import Glibc

/// C1 control characters (U+0080–U+009F) in text a feed means to show are Windows-1252's
/// characters under the wrong name: `&#150;` written for an en dash, or Latin-1 text that
/// was Windows-1252. HTML5 reads numeric references that way, and so does this, for the
/// text of every field (bytes labelled ISO-8859-1 are read as Windows-1252 already).
enum C1Characters {
    /// Replaces each C1 character in the UTF-8 `bytes` (0xC2 0x80–0x9F) with the UTF-8 of
    /// the Windows-1252 character at that position, when there is one.
    static func replaceWithWindows1252(_ bytes: inout [UInt8]) {
        // The first C1 character, if any (0xC2 alone is common: U+00A0, a no-break space).
        guard let first = bytes.withUnsafeBufferPointer({ buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            var index = 0
            while index < buffer.count, let hit = memchr(base + index, 0xC2, buffer.count - index) {
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if at + 1 < buffer.count, (0x80...0x9F).contains(buffer[at + 1]) { return at }
                index = at + 1
            }
            return nil
        }) else { return }
        var out: [UInt8] = Array(bytes[..<first])
        out.reserveCapacity(bytes.count + 8)
        var index = first
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0xC2, index + 1 < bytes.count, (0x80...0x9F).contains(bytes[index + 1]),
               let mapped = EntityText.windows1252[Int(bytes[index + 1] - 0x80)] {
                out.append(contentsOf: String(Character(mapped)).utf8)
                index += 2
            } else {
                out.append(byte)
                index += 1
            }
        }
        bytes = out
    }
}
