import Foundation

/// Bytes in, `ParsedFeed` out. No I/O: the fetcher brings the bytes, the store keeps the result.
public enum FeedParser {
    /// Larger documents are refused rather than risking the daemon's memory.
    public static let defaultMaximumSize = 128 * 1024 * 1024

    /// - Parameters:
    ///   - data: the document as received.
    ///   - url: the document's URL, against which relative links are resolved.
    public static func parse(_ data: [UInt8], url: String? = nil,
                             maximumSize: Int = defaultMaximumSize) throws(NotAFeed) -> ParsedFeed {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(NotAFeed) -> ParsedFeed in try parse(bytes: bytes, url: url, maximumSize: maximumSize) }
        }
        return try result.get()
    }

    public static func parse(_ data: Data, url: String? = nil,
                             maximumSize: Int = defaultMaximumSize) throws(NotAFeed) -> ParsedFeed {
        try parse(Array(data), url: url, maximumSize: maximumSize)
    }

    static func parse(bytes: UnsafeRawBufferPointer, url: String?, maximumSize: Int) throws(NotAFeed) -> ParsedFeed {
        guard bytes.count <= maximumSize else {
            throw NotAFeed(reason: "document too large (\(bytes.count) bytes; the limit is \(maximumSize))")
        }
        try sniff(bytes)
        let builder = DocumentBuilder(documentURL: url)
        let bridge = SAXBridge(builder: builder)
        bridge.parse(bytes, documentURL: url)
        if let reason = builder.notAFeed { throw NotAFeed(reason: reason) }
        guard var feed = builder.feed else {
            throw NotAFeed(reason: "not an XML document" + (bridge.firstError.map { " (\($0))" } ?? ""))
        }
        feed.warnings = bridge.warnings + builder.warnings
        return feed
    }

    /// Cheap checks before libxml2 sees the bytes: empty bodies and JSON.
    private static func sniff(_ bytes: UnsafeRawBufferPointer) throws(NotAFeed) {
        var index = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        guard index < bytes.count else { throw NotAFeed(reason: "empty document") }
        if bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") {
            throw NotAFeed(reason: "JSON document (JSON Feed is not read yet)")
        }
    }
}
