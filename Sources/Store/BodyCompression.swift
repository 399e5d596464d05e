import CZstd
import Foundation
import GRDB

/// Article bodies (`content`) are stored as zstd frames (level 1) when that makes them
/// smaller: about half the size of the HTML (store-bench's text 0.57, the bench kit's
/// news HTML 0.49), and the store must stay under 1.5x the text it holds with its
/// full-text index beside it. Summaries stay plain: a few hundred bytes each, where zstd
/// saves little and its fixed cost per call dominates.
///
/// A stored body is a BLOB when compressed and TEXT otherwise (short bodies, and every
/// body stored before compression existed). Readers tell them apart by zstd's magic
/// number, which valid UTF-8 text cannot begin with (0xB5 after an ASCII byte).
enum BodyCompression {
    /// Shorter bodies are stored as they are.
    static let minimumSize = 128
    static let level: Int32 = 1
    /// A frame claiming more than this is not one of ours (the fetcher caps a whole
    /// document at 20 MiB).
    static let maximumSize = 64 << 20
    private static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]  // ZSTD_MAGICNUMBER, little-endian

    /// What to store for `text`: a compressed frame as a BLOB, or the text itself.
    static func stored(_ text: String?) -> DatabaseValue {
        guard let text else { return .null }
        guard text.utf8.count >= minimumSize else { return text.databaseValue }
        var bytes = text
        return bytes.withUTF8 { source -> DatabaseValue in
            let bound = ZSTD_compressBound(source.count)
            var frame = Data(count: bound)
            let size = compressors.withContext { context in
                frame.withUnsafeMutableBytes { out in
                    ZSTD_compressCCtx(context, out.baseAddress, bound, source.baseAddress, source.count, level)
                }
            }
            guard ZSTD_isError(size) == 0, size < source.count else { return text.databaseValue }
            frame.count = size
            return frame.databaseValue
        }
    }

    /// The text of a stored body, whichever way it was stored; nil for NULL and for a
    /// damaged frame.
    static func text(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .string(let text): return text
        case .blob(let data): return data.withUnsafeBytes { text(UnsafeRawBufferPointer($0)) }
        default: return nil
        }
    }

    /// The same from a column's bytes read in place (`Row.withUnsafeData`).
    static func text(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard isCompressed(bytes) else { return String(decoding: bytes, as: UTF8.self) }
        let size = ZSTD_getFrameContentSize(bytes.baseAddress, bytes.count)
        // ZSTD_CONTENTSIZE_UNKNOWN and _ERROR are the two largest values: also too large.
        guard size <= UInt64(maximumSize) else { return nil }
        var failed = false
        let text = String(unsafeUninitializedCapacity: max(Int(size), 1)) { out in
            let written = decompressors.withContext { context in
                ZSTD_decompressDCtx(context, out.baseAddress, Int(size), bytes.baseAddress, bytes.count)
            }
            failed = ZSTD_isError(written) != 0 || written != Int(size)
            return failed ? 0 : written
        }
        return failed ? nil : text
    }

    static func isCompressed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count > magic.count && zip(bytes, magic).allSatisfy { $0 == $1 }
    }

    /// Contexts kept for reuse: making one per body cost more than compressing a short
    /// body, and as much as decompressing one (ZSTD_decompress makes one each call).
    /// Parsing tasks compress in parallel, so several of each.
    private static let compressors = ContextPool(make: { ZSTD_createCCtx() })
    private static let decompressors = ContextPool(make: { ZSTD_createDCtx() })

    private final class ContextPool: @unchecked Sendable {  // `idle` only under `lock`
        private let lock = NSLock()
        private var idle: [OpaquePointer] = []
        private let make: () -> OpaquePointer?

        init(make: @escaping () -> OpaquePointer?) { self.make = make }

        func withContext<T>(_ body: (OpaquePointer) -> T) -> T {
            let context = lock.withLock { idle.popLast() } ?? make()!
            defer { lock.withLock { idle.append(context) } }
            return body(context)
        }
    }
}
