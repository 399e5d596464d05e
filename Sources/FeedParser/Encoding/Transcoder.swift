import Glibc

/// Converts a legacy encoding to UTF-8 with iconv, chunk by chunk. Bytes that are not
/// valid in the source encoding become U+FFFD and are counted, never dropped silently.
final class Transcoder {
    private let descriptor: iconv_t
    private var carry: [UInt8] = []
    private(set) var invalidSequences = 0
    let sourceEncoding: String

    init?(from encoding: String) {
        let descriptor = iconv_open("UTF-8", encoding)
        guard let descriptor, descriptor != iconv_t(bitPattern: -1) else { return nil }
        self.descriptor = descriptor
        self.sourceEncoding = encoding
    }

    deinit { iconv_close(descriptor) }

    func convert(_ input: UnsafeRawBufferPointer, isFinal: Bool) -> [UInt8] {
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
