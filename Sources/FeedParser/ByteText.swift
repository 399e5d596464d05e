/// Text helpers that work on UTF-8 bytes, for the parse hot path: Foundation's
/// `trimmingCharacters` walks a String's UTF-16 view and is far too slow for article bodies.
enum ByteText {
    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }

    /// The bytes as a String, without leading and trailing ASCII white space.
    static func trimmedString(_ bytes: [UInt8]) -> String {
        var start = 0, end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        if start == 0 && end == bytes.count { return String(decoding: bytes, as: UTF8.self) }
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
    }

    static func isBlank(_ bytes: [UInt8]) -> Bool {
        for byte in bytes where !isSpace(byte) { return false }
        return true
    }
}

extension String {
    /// Without leading and trailing ASCII white space; cheap when there is none.
    var asciiTrimmed: String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return "" }
        if !ByteText.isSpace(first) && !ByteText.isSpace(last) { return String(self) }
        return ByteText.trimmedString(Array(utf8))
    }
}

extension Substring {
    var asciiTrimmed: String { String(self).asciiTrimmed }
}
