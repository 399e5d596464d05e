import Foundation

/// Bytes in, `ParsedFeed` out. No I/O: the fetcher brings the bytes, the store keeps the result.
public enum FeedParser {
    /// Larger documents are refused rather than risking the daemon's memory.
    public static let defaultMaximumSize = 128 * 1024 * 1024

    /// Parses a whole document held in memory.
    /// - Parameters:
    ///   - data: the document as received.
    ///   - url: the document's URL, against which relative links are resolved.
    ///   - contentType: the HTTP Content-Type, whose `charset` counts (RFC 7303).
    public static func parse(_ data: [UInt8], url: String? = nil, contentType: String? = nil,
                             maximumSize: Int = defaultMaximumSize) throws(NotAFeed) -> ParsedFeed {
        let parser = FeedStreamParser(url: url, contentType: contentType, maximumSize: maximumSize)
        return try data.withUnsafeBytes { bytes in
            Result { () throws(NotAFeed) in try parser.parseWholeDocument(bytes) }
        }.get()
    }

    public static func parse(_ data: Data, url: String? = nil, contentType: String? = nil,
                             maximumSize: Int = defaultMaximumSize) throws(NotAFeed) -> ParsedFeed {
        try parse(Array(data), url: url, contentType: contentType, maximumSize: maximumSize)
    }
}
