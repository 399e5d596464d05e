/// UTF-8 checks done by hand on the hot path: they must run at memory speed.
enum UTF8Validation {
    /// Length of a valid UTF-8 sequence starting at `index`, 0 when invalid, -1 when the
    /// buffer ends inside an otherwise valid sequence. Unrolled by length: non-Latin text
    /// calls this once per character.
    @inline(__always)
    static func sequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let lead = bytes[index]
        let available = bytes.count - index
        if lead &- 0xC2 <= 0xDF - 0xC2 {
            guard available >= 2 else { return -1 }
            return bytes[index + 1] & 0xC0 == 0x80 ? 2 : 0
        }
        // The second byte's range excludes overlong forms, surrogates and code points
        // past U+10FFFF.
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        let length: Int
        switch lead {
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard available >= 2 else { return -1 }
        let second = bytes[index + 1]
        guard second >= low && second <= high else { return 0 }
        guard available >= 3 else { return -1 }
        guard bytes[index + 2] & 0xC0 == 0x80 else { return 0 }
        if length == 3 { return 3 }
        guard available >= 4 else { return -1 }
        return bytes[index + 3] & 0xC0 == 0x80 ? 4 : 0
    }

    /// True when the bytes are valid UTF-8 and contain at least one non-ASCII character.
    static func isNonASCIIValidUTF8(_ bytes: UnsafeRawBufferPointer, allowTruncatedEnd: Bool) -> Bool {
        var index = 0
        var sawNonASCII = false
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            let length = sequenceLength(bytes, at: index)
            if length == -1 { return allowTruncatedEnd && sawNonASCII }
            if length == 0 { return false }
            sawNonASCII = true
            index += length
        }
        return sawNonASCII
    }
}
