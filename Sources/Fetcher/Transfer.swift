import CCurlShims
import Foundation

/// One easy handle and everything collected for it. Lives on the network thread only,
/// from `start` to completion; libcurl's callbacks find it through `Unmanaged`.
final class Transfer {
    let id: UInt64
    let request: FetchRequest
    let completion: @Sendable (Result<FetchResponse, FetchError>) -> Void
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private let started = DispatchTime.now()

    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var bodyTooLarge = false
    /// Each redirect hop: its status and Location, in order.
    private(set) var hops: [(status: Int, location: String?)] = []
    private var currentStatus = 0

    init?(id: UInt64, request: FetchRequest,
          completion: @escaping @Sendable (Result<FetchResponse, FetchError>) -> Void) {
        guard let handle = curl_easy_init() else { return nil }
        self.id = id
        self.request = request
        self.completion = completion
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Sets every option; `me` is this object's unretained pointer for the callbacks.
    func configure() {
        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_easy_setopt_string(handle, CURLOPT_URL, request.url)
        ccurl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, me)
        ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_MAXREDIRS, 10)
        ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https,file")
        ccurl_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        // Bodies arrive as sent; the caller's task decodes them (ContentDecoding says why).
        ccurl_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ContentDecoding.accepted)
        ccurl_easy_setopt_long(handle, CURLOPT_HTTP_CONTENT_DECODING, 0)
        ccurl_easy_setopt_string(handle, CURLOPT_USERAGENT, request.userAgent)
        ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, request.connectTimeout)
        ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT, request.timeout)
        // A server trickling bytes is as good as dead: below 10 B/s for 30 s, give up.
        ccurl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 10)
        ccurl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, 30)
        ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)

        var list: UnsafeMutablePointer<curl_slist>?
        if let post = request.post {
            // A webhook: the body as given, its own headers, no redirects (libcurl would
            // turn the POST into a GET on a 301/302), and no `Expect: 100-continue` wait.
            ccurl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
            ccurl_easy_setopt_long(handle, CURLOPT_POST, 1)
            ccurl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, post.body.count)
            // COPYPOSTFIELDS: libcurl keeps its own copy of the bytes (given their size above).
            post.body.withUnsafeBytes { buffer in
                _ = ccurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            }
            list = curl_slist_append(list, "Expect:")
            for header in post.headers { list = curl_slist_append(list, "\(header.name): \(header.value)") }
        } else {
            list = curl_slist_append(list, "Accept: application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8")
        }
        if let etag = request.etag { list = curl_slist_append(list, "If-None-Match: \(etag)") }
        if let lastModified = request.lastModified { list = curl_slist_append(list, "If-Modified-Since: \(lastModified)") }
        headerList = list
        ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)

        ccurl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            guard transfer.body.count + length <= transfer.request.maximumBodySize else {
                transfer.bodyTooLarge = true
                return 0  // makes libcurl stop with CURLE_WRITE_ERROR
            }
            data.map { transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: $0, count: length)) }
            return length
        }
        ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me)
        ccurl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            if let data { transfer.receivedHeaderLine(UnsafeRawBufferPointer(start: data, count: length)) }
            return length
        }
        ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me)
    }

    /// Keeps only the last response's headers: a status line starts a new response
    /// (each redirect hop, or the 100-continue before the real one). Works on the bytes:
    /// this runs for every header line of every feed.
    private func receivedHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        if line.starts(with: "HTTP/".utf8) {
            if (300..<400).contains(currentStatus) {
                hops.append((currentStatus, headers.last(where: { $0.name == "location" })?.value))
            }
            currentStatus = String(decoding: line, as: UTF8.self).split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            headers.removeAll()
            body.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        var nameEnd = colon, valueStart = colon + 1
        while nameEnd > 0, isSpace(line[nameEnd - 1]) { nameEnd -= 1 }
        while valueStart < line.count, isSpace(line[valueStart]) { valueStart += 1 }
        let name = String(decoding: line[..<nameEnd].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        headers.append((name, String(decoding: line[valueStart...], as: UTF8.self)))
    }

    /// The outcome once libcurl reports the transfer done.
    func result(code: CURLcode) -> Result<FetchResponse, FetchError> {
        guard code == CURLE_OK else { return .failure(error(for: code)) }
        var status = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var urlPointer: UnsafePointer<CChar>?
        ccurl_easy_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &urlPointer)
        let effectiveURL = urlPointer.map { String(cString: $0) } ?? request.url
        var redirects = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_REDIRECT_COUNT, &redirects)
        var typePointer: UnsafePointer<CChar>?
        ccurl_easy_getinfo_string(handle, CURLINFO_CONTENT_TYPE, &typePointer)
        let isFile = effectiveURL.lowercased().hasPrefix("file:")
        let headers = isFile ? [] : self.headers
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        var response = FetchResponse(
            status: isFile ? 200 : status, effectiveURL: effectiveURL, redirectCount: redirects,
            contentType: typePointer.map { String(cString: $0) }, etag: nil, lastModified: nil,
            headers: headers, body: body, duration: elapsed)
        response.etag = response.header("etag")
        response.lastModified = response.header("last-modified")
        response.permanentURL = RedirectChain.permanentURL(from: request.url, hops: hops)
        return .success(response)
    }

    private func error(for code: CURLcode) -> FetchError {
        let detail = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let raw = Int(code.rawValue)
        // Counted before decoding here, after it in ContentDecoding: a body sent
        // compressed is no larger than itself decoded, so both hold it to the same cap.
        if bodyTooLarge { return ContentDecoding.tooLarge(request.maximumBodySize) }
        let kind: FetchError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .dns
        case CURLE_COULDNT_CONNECT: kind = .connect
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED:
            kind = .tls
        case CURLE_TOO_MANY_REDIRECTS: kind = .tooManyRedirects
        case CURLE_UNSUPPORTED_PROTOCOL: kind = .unsupportedScheme
        case CURLE_FILE_COULDNT_READ_FILE, CURLE_READ_ERROR: kind = .file
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY:
            kind = .connection
        case CURLE_BAD_CONTENT_ENCODING: kind = .decoding
        default: kind = .other
        }
        return FetchError(kind: kind, message: detail, curlCode: raw)
    }
}
