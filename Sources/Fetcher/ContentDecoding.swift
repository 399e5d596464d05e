import CBrotli
import CLibDeflate
import CZstd
import Foundation

/// Undoes a response's `Content-Encoding` (RFC 9110 §8.4): gzip and deflate with
/// libdeflate, br with brotli, zstd with zstd.
///
/// Done here, in the task that asked for the feed, rather than by libcurl: libcurl
/// inflates with zlib on the one network thread, which cost 10% of a cold 500-feed
/// poll's CPU. libdeflate decodes a whole buffer two to three times faster than zlib,
/// and the work spreads over the parsing tasks instead of queueing on one thread.
/// The body cap still counts decoded bytes, so a small bomb cannot fill memory.
enum ContentDecoding {
    /// What the fetcher tells servers it accepts: exactly what `decode` can undo.
    static let accepted = "gzip, deflate, br, zstd"

    /// The body with every coding the header lists undone, last applied first.
    /// `limit` is the most bytes the decoded body may have.
    static func decode(_ body: [UInt8], contentEncoding: String?, limit: Int) throws(FetchError) -> [UInt8] {
        // An empty body has nothing to undo (libcurl, decoding, let it through as well).
        guard !body.isEmpty else { return body }
        let codings = (contentEncoding ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty && $0 != "identity" }
        var bytes = body
        for coding in codings.reversed() {
            switch coding {
            case "gzip", "x-gzip": bytes = try gunzip(bytes, limit: limit)
            case "deflate": bytes = try inflate(bytes, limit: limit)
            case "br": bytes = try brotli(bytes, limit: limit)
            case "zstd": bytes = try zstd(bytes, limit: limit)
            default: throw FetchError(kind: .decoding, message: "unsupported Content-Encoding \"\(coding)\"")
            }
        }
        return bytes
    }

    static func tooLarge(_ limit: Int) -> FetchError {
        FetchError(kind: .bodyTooLarge, message: "body larger than \(limit) bytes (after decompression)")
    }

    private static func damaged(_ coding: String, _ detail: String) -> FetchError {
        FetchError(kind: .decoding, message: "\(coding) body could not be decoded: \(detail)")
    }

    // MARK: gzip and deflate (whole-buffer, libdeflate)

    /// Every gzip member in turn (RFC 1952 allows several, concatenated); bytes after
    /// the last member that do not start another are ignored, as gzip(1) does.
    private static func gunzip(_ input: [UInt8], limit: Int) throws(FetchError) -> [UInt8] {
        guard input.count >= 18 else { throw damaged("gzip", "truncated") }
        var output: [UInt8] = []
        var offset = 0
        while offset < input.count {
            let isMember = input.count - offset >= 18 && input[offset] == 0x1F && input[offset + 1] == 0x8B
            if !isMember {
                if offset == 0 { throw damaged("gzip", "not gzip data") }
                break
            }
            let member = try input.withUnsafeBytes { all in
                let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
                // ISIZE, the member's last four bytes, is its decoded size modulo 2^32: the
                // right buffer the first time for a single member, a lower bound otherwise.
                let hint = Int(rest.loadUnaligned(fromByteOffset: rest.count - 4, as: UInt32.self).littleEndian)
                return Result { () throws(FetchError) in
                    try wholeBuffer("gzip", input: rest, firstGuess: hint, limit: limit - output.count) {
                        decompressor, source, target, consumed, produced in
                        libdeflate_gzip_decompress_ex(decompressor, source.baseAddress, source.count,
                                                      target.baseAddress, target.count, &consumed, &produced)
                    }
                }
            }.get()
            if output.isEmpty { output = member.bytes } else { output += member.bytes }
            offset += member.consumed
        }
        return output
    }

    /// HTTP's "deflate" is zlib-wrapped (RFC 9110 §8.4.1.2), but some servers send the
    /// raw stream: try the one, then the other, as browsers do.
    private static func inflate(_ input: [UInt8], limit: Int) throws(FetchError) -> [UInt8] {
        try input.withUnsafeBytes { source in
            Result { () throws(FetchError) -> [UInt8] in
                let zlib = Result { () throws(FetchError) in
                    try wholeBuffer("deflate", input: source, firstGuess: source.count * 4, limit: limit) {
                        decompressor, source, target, consumed, produced in
                        libdeflate_zlib_decompress_ex(decompressor, source.baseAddress, source.count,
                                                      target.baseAddress, target.count, &consumed, &produced)
                    }
                }
                if case .failure(let error) = zlib, error.kind == .decoding {
                    return try wholeBuffer("deflate", input: source, firstGuess: source.count * 4, limit: limit) {
                        decompressor, source, target, consumed, produced in
                        libdeflate_deflate_decompress_ex(decompressor, source.baseAddress, source.count,
                                                         target.baseAddress, target.count, &consumed, &produced)
                    }.bytes
                }
                return try zlib.get().bytes
            }
        }.get()
    }

    private typealias WholeBufferCall = (
        OpaquePointer, UnsafeRawBufferPointer, UnsafeMutableRawBufferPointer, inout Int, inout Int
    ) -> libdeflate_result

    /// Runs one libdeflate call into a buffer of `firstGuess` bytes, doubling it (never
    /// beyond `limit`) while libdeflate says it is too small.
    private static func wholeBuffer(_ coding: String, input: UnsafeRawBufferPointer, firstGuess: Int, limit: Int,
                                    _ call: WholeBufferCall) throws(FetchError) -> (bytes: [UInt8], consumed: Int) {
        guard let decompressor = libdeflate_alloc_decompressor() else {
            throw FetchError(kind: .other, message: "out of memory decoding \(coding)")
        }
        defer { libdeflate_free_decompressor(decompressor) }
        var capacity = min(max(firstGuess, 1024), max(limit, 0))
        while true {
            var consumed = 0
            var result = LIBDEFLATE_SUCCESS
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { target, count in
                var produced = 0
                result = call(decompressor, input, UnsafeMutableRawBufferPointer(target), &consumed, &produced)
                count = result == LIBDEFLATE_SUCCESS ? produced : 0
            }
            switch result {
            case LIBDEFLATE_SUCCESS: return (bytes, consumed)
            case LIBDEFLATE_INSUFFICIENT_SPACE:
                guard capacity < limit else { throw tooLarge(limit) }
                capacity = capacity > limit / 2 ? limit : capacity * 2
            default: throw damaged(coding, "damaged data")
            }
        }
    }

    // MARK: brotli and zstd (streaming)

    private static func brotli(_ input: [UInt8], limit: Int) throws(FetchError) -> [UInt8] {
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else {
            throw FetchError(kind: .other, message: "out of memory decoding br")
        }
        defer { BrotliDecoderDestroyInstance(state) }
        let output = GrowingOutput(limit: limit, firstGuess: input.count * 4)
        try input.withUnsafeBufferPointer { source in Result { () throws(FetchError) in
            var available = source.count
            var next = source.baseAddress
            while true {
                var room = try output.reserve()
                var target = output.end
                let result = BrotliDecoderDecompressStream(state, &available, &next, &room, &target, nil)
                output.advance(to: target)
                switch result {
                case BROTLI_DECODER_RESULT_SUCCESS: return
                case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: continue
                case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: throw damaged("br", "truncated")
                default:
                    throw damaged("br", String(cString: BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state))))
                }
            }
        } }.get()
        return output.finish()
    }

    /// One frame or several, concatenated.
    private static func zstd(_ input: [UInt8], limit: Int) throws(FetchError) -> [UInt8] {
        guard let context = ZSTD_createDCtx() else { throw FetchError(kind: .other, message: "out of memory decoding zstd") }
        defer { ZSTD_freeDCtx(context) }
        // At most an 8 MB window, as RFC 9659 has HTTP's zstd encoders keep to: a frame
        // asking for more would make us allocate what it asks before a byte is decoded.
        ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 23)
        let output = GrowingOutput(limit: limit, firstGuess: input.count * 4)
        try input.withUnsafeBytes { source in Result { () throws(FetchError) in
            var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            var frameDone = false
            while inBuffer.pos < inBuffer.size || !frameDone {
                let room = try output.reserve()
                var outBuffer = ZSTD_outBuffer(dst: output.end, size: room, pos: 0)
                let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                output.advance(by: outBuffer.pos)
                if ZSTD_isError(result) != 0 { throw damaged("zstd", String(cString: ZSTD_getErrorName(result))) }
                frameDone = result == 0
                if !frameDone, inBuffer.pos == inBuffer.size, outBuffer.pos < outBuffer.size {
                    throw damaged("zstd", "truncated")
                }
            }
        } }.get()
        return output.finish()
    }
}

/// Decoded bytes collected in a buffer that doubles as needed, never past the limit.
/// A class so the buffer is freed however decoding ends.
private final class GrowingOutput {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private let limit: Int

    init(limit: Int, firstGuess: Int) {
        self.limit = limit
        capacity = max(1, min(max(firstGuess, 4096), limit))
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    var end: UnsafeMutablePointer<UInt8>? { storage + count }

    /// Room for more output, growing the buffer when it is full; throws once the body
    /// would pass the limit.
    func reserve() throws(FetchError) -> Int {
        if count == capacity {
            guard capacity < limit else { throw ContentDecoding.tooLarge(limit) }
            let grown = capacity > limit / 2 ? limit : capacity * 2
            let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
            larger.update(from: storage, count: count)
            storage.deallocate()
            storage = larger
            capacity = grown
        }
        return capacity - count
    }

    func advance(by produced: Int) { count += produced }

    func advance(to end: UnsafeMutablePointer<UInt8>?) {
        if let end { count = end - storage }
    }

    func finish() -> [UInt8] { Array(UnsafeBufferPointer(start: storage, count: count)) }
}
