/// What to fetch, with the validators from the last successful fetch and the limits to apply.
public struct FetchRequest: Sendable {
    public var url: String
    /// Sent as `If-None-Match`.
    public var etag: String?
    /// Sent as `If-Modified-Since`, exactly as the server wrote it.
    public var lastModified: String?
    /// Seconds for the whole transfer.
    public var timeout: Int
    public var connectTimeout: Int
    /// Bytes of body allowed, counted after decompression.
    public var maximumBodySize: Int
    public var userAgent: String
    /// Seconds at least between the start of this request and the previous one to the
    /// same host; nil means the default: none for loopback hosts (the user's own machine),
    /// `defaultHostSpacing` for every other.
    public var hostSpacing: Double?

    public static let defaultHostSpacing = 0.25

    /// A POST (webhooks): its body and headers. nil: a GET for a feed.
    public var post: Post?

    public struct Post: Sendable {
        public var body: [UInt8]
        /// Sent as they are (`Content-Type`, signatures); redirects are not followed.
        public var headers: [(name: String, value: String)]

        public init(body: [UInt8], headers: [(name: String, value: String)]) {
            self.body = body
            self.headers = headers
        }
    }

    public init(url: String, etag: String? = nil, lastModified: String? = nil, timeout: Int = 60,
                connectTimeout: Int = 15, maximumBodySize: Int = 20 * 1024 * 1024,
                userAgent: String = UserAgent.default, hostSpacing: Double? = nil) {
        self.hostSpacing = hostSpacing
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maximumBodySize = maximumBodySize
        self.userAgent = userAgent
    }
}

public enum UserAgent {
    public static let version = "0.2.0"
    public static let `default` = "aggregator/\(version) (+https://github.com/aggregator/aggregator; feed reader)"
}

/// A completed exchange: any HTTP status (the caller decides what a 404 means), or a file read.
public struct FetchResponse: Sendable {
    /// HTTP status; 200 for a `file:` URL that was read.
    public var status: Int
    /// The URL after redirects.
    public var effectiveURL: String
    public var redirectCount: Int
    public var contentType: String?
    public var etag: String?
    public var lastModified: String?
    /// Headers of the final response, names lower-cased, in order.
    public var headers: [(name: String, value: String)]
    /// With its Content-Encoding undone for a success (2xx); any other status's body as sent.
    public var body: [UInt8]
    /// Seconds from start to finish.
    public var duration: Double
    /// Where the feed now lives when the redirects began with permanent ones (301/308):
    /// the URL after the last of those. nil when there was no permanent redirect.
    public var permanentURL: String?
    /// Counts this response against the fetcher's backlog until the last copy is dropped.
    var lease: Lease?

    public var isNotModified: Bool { status == 304 }
    public var isSuccess: Bool { (200..<300).contains(status) }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.last(where: { $0.name == lowered })?.value
    }
}

/// Why a transfer produced no response, classified so the store and the CLI can say so.
public struct FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case dns, connect, tls, timeout, bodyTooLarge = "body-too-large"
        case tooManyRedirects = "too-many-redirects", unsupportedScheme = "unsupported-scheme"
        case file, connection, decoding, cancelled, other
    }

    public let kind: Kind
    public let message: String
    /// libcurl's CURLcode, 0 when the error did not come from libcurl.
    public let curlCode: Int

    public init(kind: Kind, message: String, curlCode: Int = 0) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { message }
}

/// Held by a delivered response: when the caller has dropped it (its body parsed and
/// gone), the fetcher may start another transfer. Ties the backlog to memory by ARC.
final class Lease: Sendable {
    private let onRelease: @Sendable () -> Void

    init(onRelease: @escaping @Sendable () -> Void) {
        self.onRelease = onRelease
    }

    deinit { onRelease() }
}
