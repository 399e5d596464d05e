/// UTF-8 checks done by hand on the hot path: they must run at memory speed.
enum UTF8Validation {
    /// Length of a valid UTF-8 sequence starting at `index`, 0 when invalid, -1 when the
    /// buffer ends inside an otherwise valid sequence.
    @inline(__always)
    static func sequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let lead = bytes[index]
        let count = bytes.count
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F  // no surrogates
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        for offset in 1..<length {
            guard index + offset < count else { return -1 }
            let byte = bytes[index + offset]
            if offset == 1 {
                guard byte >= low && byte <= high else { return 0 }
            } else {
                guard byte >= 0x80 && byte <= 0xBF else { return 0 }
            }
        }
        return length
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
