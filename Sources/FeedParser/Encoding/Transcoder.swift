import Glibc

/// Converts a legacy encoding to UTF-8 with iconv, chunk by chunk. Bytes that are not
/// valid in the source encoding become U+FFFD and are counted, never dropped silently.
final class Transcoder {
    private let descriptor: iconv_t?
    /// For the single-byte encodings iconv lacks (some Mac code pages): byte → scalar.
    private let table: [UInt32]?
    private var carry: [UInt8] = []
    private(set) var invalidSequences = 0
    let sourceEncoding: String

    init?(from encoding: String) {
        let descriptor = iconv_open("UTF-8", encoding)
        if let descriptor, descriptor != iconv_t(bitPattern: -1) {
            self.descriptor = descriptor
            table = nil
        } else if let table = SingleByteTables.tables[encoding] {
            self.descriptor = nil
            self.table = table
        } else {
            return nil
        }
        self.sourceEncoding = encoding
    }

    deinit { if let descriptor { iconv_close(descriptor) } }

    func convert(_ input: UnsafeRawBufferPointer, isFinal: Bool) -> [UInt8] {
        if let table { return convert(input, with: table) }
        return convertWithIconv(input, isFinal: isFinal)
    }

    /// One byte, one character: no state, nothing carried between chunks.
    private func convert(_ input: UnsafeRawBufferPointer, with table: [UInt32]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count * 2)
        for byte in input {
            let value = table[Int(byte)]
            if value == 0xFFFD { invalidSequences += 1 }
            if value < 0x80 {
                output.append(UInt8(value))
            } else {
                output.append(contentsOf: String(Character(Unicode.Scalar(value)!)).utf8)
            }
        }
        return output
    }

    private func convertWithIconv(_ input: UnsafeRawBufferPointer, isFinal: Bool) -> [UInt8] {
        let descriptor = self.descriptor!
        var source = carry
        carry.removeAll()
        source.append(contentsOf: input)
        var output = [UInt8](repeating: 0, count: source.count * 2 + 64)
        var produced = 0
        source.withUnsafeMutableBytes { raw in
            var inPointer = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inLeft = raw.count
            while inLeft > 0 {
                let (result, code) = output.withUnsafeMutableBytes { out -> (Int, Int32) in
                    var outPointer: UnsafeMutablePointer<CChar>? = out.baseAddress!.advanced(by: produced)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = out.count - produced
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    produced = out.count - outLeft
                    return (result, errno)
                }
                if result != -1 { break }
                switch code {
                case E2BIG:
                    output.append(contentsOf: repeatElement(0, count: max(inLeft * 4, 64)))
                case EINVAL where !isFinal:
                    // Ends inside a character: finish it with the next chunk.
                    carry = Array(UnsafeRawBufferPointer(start: inPointer, count: inLeft))
                    inLeft = 0
                default:  // EILSEQ, or an incomplete character at the very end
                    if output.count - produced < 3 { output.append(contentsOf: [0, 0, 0, 0]) }
                    output.replaceSubrange(produced..<produced + 3, with: [0xEF, 0xBF, 0xBD])
                    produced += 3
                    invalidSequences += 1
                    inPointer = inPointer.map { $0 + 1 }
                    inLeft -= 1
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
