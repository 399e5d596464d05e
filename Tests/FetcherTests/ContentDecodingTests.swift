import CLibDeflate
import CZstd
import FlyingFox
import Foundation
import TestSupport
import Testing
@testable import Fetcher

/// Content-Encoding undone by the fetcher itself (libcurl hands the bytes over as sent).
@Suite struct ContentDecodingTests {
    static let text = Array((0..<200).map { "<item><title>Item \($0)</title></item>\n" }.joined().utf8)

    enum Wrapper { case gzip, zlib, raw }

    /// Compressed with libdeflate's own compressor, level 6.
    static func compress(_ bytes: [UInt8], _ wrapper: Wrapper) -> [UInt8] {
        let compressor = libdeflate_alloc_compressor(6)!
        defer { libdeflate_free_compressor(compressor) }
        let bound = bytes.count + 1024
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            count = bytes.withUnsafeBytes { input in
                switch wrapper {
                case .gzip: libdeflate_gzip_compress(compressor, input.baseAddress, input.count, out.baseAddress, bound)
                case .zlib: libdeflate_zlib_compress(compressor, input.baseAddress, input.count, out.baseAddress, bound)
                case .raw: libdeflate_deflate_compress(compressor, input.baseAddress, input.count, out.baseAddress, bound)
                }
            }
        }
    }

    static func zstd(_ bytes: [UInt8]) -> [UInt8] {
        let bound = ZSTD_compressBound(bytes.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            count = bytes.withUnsafeBytes { ZSTD_compress(out.baseAddress, bound, $0.baseAddress, $0.count, 3) }
        }
    }

    /// A zstd frame that does not say its size and asks for a 2^windowLog-byte window.
    static func zstd(_ bytes: [UInt8], windowLog: Int32) -> [UInt8] {
        let context = ZSTD_createCCtx()!
        defer { ZSTD_freeCCtx(context) }
        ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, windowLog)
        var frame = [UInt8](repeating: 0, count: bytes.count + 1024)
        let written = bytes.withUnsafeBytes { source in
            frame.withUnsafeMutableBytes { target in
                var input = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
                var output = ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: 0)
                // Input first, end after: ending in the first call would tell zstd the size.
                _ = ZSTD_compressStream2(context, &output, &input, ZSTD_e_continue)
                var nothing = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
                while ZSTD_compressStream2(context, &output, &nothing, ZSTD_e_end) != 0 {}
                return output.pos
            }
        }
        return Array(frame.prefix(written))
    }

    /// 1,000,000 spaces, brotli quality 11 (libbrotlienc's BrotliEncoderCompress): 14 bytes.
    static let brotliBomb = Array(Data(base64Encoded: "Wz9Cj18CJB4LBPJzHgA=")!)

    func decode(_ body: [UInt8], _ coding: String?, limit: Int = 1 << 20) throws(FetchError) -> [UInt8] {
        try ContentDecoding.decode(body, contentEncoding: coding, limit: limit)
    }

    func error(_ body: [UInt8], _ coding: String, limit: Int = 1 << 20) -> FetchError? {
        do {
            _ = try decode(body, coding, limit: limit)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesEachCodingItAsksFor() throws {
        #expect(ContentDecoding.accepted == "gzip, deflate, br, zstd")
        #expect(try decode(Self.compress(Self.text, .gzip), "gzip") == Self.text)
        #expect(try decode(Self.compress(Self.text, .gzip), "x-gzip") == Self.text)
        #expect(try decode(Self.compress(Self.text, .zlib), "deflate") == Self.text)
        // Servers that send "deflate" without its zlib wrapper are common enough to accept.
        #expect(try decode(Self.compress(Self.text, .raw), "deflate") == Self.text)
        #expect(try decode(Self.zstd(Self.text), "zstd") == Self.text)
        #expect(try decode(Array(HostileServerTests.brotliBody), "br").count == 2685)
        #expect(try decode(Self.text, nil) == Self.text)
        #expect(try decode(Self.text, " Identity ") == Self.text)
        #expect(try decode([], "gzip") == [])
    }

    @Test func undoesStackedCodingsLastAppliedFirst() throws {
        let stacked = Self.compress(Self.compress(Self.text, .zlib), .gzip)
        #expect(try decode(stacked, "deflate, GZIP") == Self.text)
        #expect(error(stacked, "gzip, deflate")?.kind == .decoding)
    }

    @Test func readsEveryGzipMemberAndEveryZstdFrame() throws {
        let first = Array(Self.text.prefix(3000)), second = Array(Self.text.dropFirst(3000))
        #expect(try decode(Self.compress(first, .gzip) + Self.compress(second, .gzip), "gzip") == Self.text)
        #expect(try decode(Self.zstd(first) + Self.zstd(second), "zstd") == Self.text)
        // Padding after the last member is ignored, as gzip(1) does.
        #expect(try decode(Self.compress(Self.text, .gzip) + [0, 0, 0, 0], "gzip") == Self.text)
    }

    @Test func reportsDamagedAndUnknownCodings() {
        let gzip = Self.compress(Self.text, .gzip)
        var flipped = gzip
        flipped[gzip.count / 2] ^= 0xFF
        #expect(error(flipped, "gzip")?.kind == .decoding)
        #expect(error(Array(gzip.dropLast(10)), "gzip")?.kind == .decoding)
        #expect(error(Array("not gzip at all, but long enough".utf8), "gzip")?.message
            == "gzip body could not be decoded: not gzip data")
        #expect(error(Array(Self.zstd(Self.text).dropLast(20)), "zstd")?.kind == .decoding)
        #expect(error(Array(HostileServerTests.brotliBody.dropLast(20)), "br")?.kind == .decoding)
        #expect(error(Array("garbage".utf8), "deflate")?.kind == .decoding)
        #expect(error(Self.text, "compress")?.message == "unsupported Content-Encoding \"compress\"")
    }

    /// RFC 9659: zstd over HTTP keeps to an 8 MB window; a frame asking for more is
    /// refused before its window is allocated.
    @Test func refusesZstdFramesThatAskForAHugeWindow() throws {
        #expect(try decode(Self.zstd(Self.text, windowLog: 23), "zstd") == Self.text)
        #expect(error(Self.zstd(Self.text, windowLog: 27), "zstd")?.kind == .decoding)
    }

    /// The cap counts decoded bytes: a few compressed bytes may not become a megabyte.
    @Test func capsTheDecodedSizeForEveryCoding() throws {
        let spaces = [UInt8](repeating: 0x20, count: 1_000_000)
        let bombs: [(String, [UInt8])] = [
            ("gzip", Self.compress(spaces, .gzip)), ("deflate", Self.compress(spaces, .zlib)),
            ("deflate", Self.compress(spaces, .raw)), ("zstd", Self.zstd(spaces)), ("br", Self.brotliBomb),
        ]
        for (coding, bomb) in bombs {
            #expect(bomb.count < 2000)
            #expect(error(bomb, coding, limit: 100_000)?.message == "body larger than 100000 bytes (after decompression)")
            // Exactly at the cap is allowed; found by growing the buffer from a small guess.
            #expect(try decode(bomb, coding, limit: 1_000_000) == spaces, "\(coding)")
            #expect(error(bomb, coding, limit: 999_999)?.kind == .bodyTooLarge, "\(coding)")
        }
        // Two members that together pass the cap.
        let half = Self.compress([UInt8](repeating: 0x20, count: 60_000), .gzip)
        #expect(error(half + half, "gzip", limit: 100_000)?.kind == .bodyTooLarge)
    }

    /// Only a success's body is decoded: an error page that does not decode is still
    /// reported by its status, not as a decoding error.
    @Test func anErrorStatusIsReportedWhateverItsBody() async throws {
        let server = try await LoopbackServer.start([
            ("GET /missing", { _ in
                HTTPResponse(statusCode: .notFound, headers: [.contentEncoding: "gzip"], body: Data("not gzip".utf8))
            }),
            ("GET /zstd", { _ in HTTPResponse(statusCode: .ok, headers: [.contentEncoding: "zstd"], body: Data(Self.zstd(Self.text))) }),
        ])
        defer { Task { await server.stop() } }
        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        #expect(try await fetcher.fetch(FetchRequest(url: server.baseURL + "/missing")).status == 404)
        #expect(try await fetcher.fetch(FetchRequest(url: server.baseURL + "/zstd")).body == Self.text)
        #expect(server.requests(path: "/zstd").first?.header("accept-encoding") == ContentDecoding.accepted)
    }
}
