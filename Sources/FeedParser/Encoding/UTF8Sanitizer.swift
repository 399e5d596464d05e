/// Makes a stream of bytes well-formed UTF-8 that XML accepts, chunk by chunk: invalid
/// sequences become U+FFFD and control characters XML forbids are dropped (libxml2 would
/// otherwise stop at the first one). A sequence split between chunks is carried over.
/// Clean chunks — nearly all of them — are passed through without a copy.
struct UTF8Sanitizer {
    private var carry: [UInt8] = []
    private(set) var invalidSequences = 0
    private(set) var removedControls = 0

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    mutating func process(_ input: UnsafeRawBufferPointer, isFinal: Bool, emit: (UnsafeRawBufferPointer) -> Void) {
        if carry.isEmpty {
            sanitize(input, isFinal: isFinal, emit: emit)
        } else {
            let joined = carry + Array(input)
            carry.removeAll()
            joined.withUnsafeBytes { sanitize($0, isFinal: isFinal, emit: emit) }
        }
    }

    /// True when every byte below 0x20 in the (ASCII) word is a tab, line feed or return.
    @inline(__always)
    private static func onlyAllowedControls(_ word: UInt64) -> Bool {
        var rest = word
        for _ in 0..<8 {
            let byte = UInt8(truncatingIfNeeded: rest)
            if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D { return false }
            rest >>= 8
        }
        return true
    }

    private mutating func sanitize(_ input: UnsafeRawBufferPointer, isFinal: Bool,
                                   emit: (UnsafeRawBufferPointer) -> Void) {
        var fixed: [UInt8]?
        var cleanStart = 0
        var index = 0
        let count = input.count
        func flushClean(upTo end: Int, into out: inout [UInt8]?) {
            if out == nil { out = []; out!.reserveCapacity(count + 16) }
            out!.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[cleanStart..<end]))
        }
        while index < count {
            // Eight ASCII bytes at a time. A control byte among them is usually a line
            // break or a tab; only a forbidden one sends the word to the slow path.
            if index + 8 <= count {
                let word = input.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 {
                    let belowSpace = (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080
                    if belowSpace == 0 || Self.onlyAllowedControls(word) {
                        index += 8
                        continue
                    }
                }
            }
            let byte = input[index]
            if byte >= 0x20 && byte < 0x80 { index += 1; continue }
            if byte < 0x20 {
                if byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1; continue }
                flushClean(upTo: index, into: &fixed)
                removedControls += 1
                index += 1
                cleanStart = index
                continue
            }
            // A run of multi-byte characters (non-Latin text) is checked in one loop,
            // without the ASCII tests above for each character.
            var length = UTF8Validation.sequenceLength(input, at: index)
            while length > 0 {
                index += length
                guard index < count, input[index] >= 0x80 else { break }
                length = UTF8Validation.sequenceLength(input, at: index)
            }
            if length > 0 { continue }
            if length == -1 && !isFinal {
                // The chunk ends inside a sequence: keep the start for the next chunk.
                carry = Array(UnsafeRawBufferPointer(rebasing: input[index...]))
                break
            }
            flushClean(upTo: index, into: &fixed)
            fixed!.append(contentsOf: Self.replacement)
            invalidSequences += 1
            index += 1
            cleanStart = index
        }
        let end = carry.isEmpty ? count : index
        if var out = fixed {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[cleanStart..<end]))
            out.withUnsafeBytes(emit)
        } else if end > 0 {
            emit(UnsafeRawBufferPointer(rebasing: input[0..<end]))
        }
    }
}
