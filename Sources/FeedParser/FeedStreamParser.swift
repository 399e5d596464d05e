import Foundation

/// Parses a feed as its bytes arrive, in any number of chunks, so a 50 MB document never
/// needs to be held in memory. With an entry handler, entries are handed over one by one
/// as they end and not kept; without one, `finish()` returns them all.
///
/// The bytes go: sniff (JSON or XML, encoding) → transcode to UTF-8 if needed →
/// sanitise (invalid UTF-8 → U+FFFD, forbidden controls dropped) → libxml2 SAX →
/// `DocumentBuilder`.
public final class FeedStreamParser {
    public typealias EntryHandler = (ParsedEntry) -> Void

    /// Bytes looked at before deciding the format and encoding.
    static let sniffSize = 64 * 1024
    /// Past this many bytes a document is large enough for article HTML to be sanitised
    /// on a second thread while parsing goes on (`HTMLPipeline`).
    public static let defaultPipelineThreshold = 4 * 1024 * 1024

    private enum State {
        case sniffing
        case xml
        case json
        case done
    }

    private let url: String?
    private let httpCharset: String?
    private let maximumSize: Int
    private let pipelineThreshold: Int
    private let builder: DocumentBuilder
    private let bridge: SAXBridge
    private var state = State.sniffing
    private var pending: [UInt8] = []
    private var received = 0
    private var transcoder: Transcoder?
    private var sanitizer = UTF8Sanitizer()
    private var references = ReferenceRepair()
    /// Whether the next bytes for libxml2 are the document's first (its XML declaration).
    private var declarationPending = true
    /// Whether the last XML bytes were fed (a whole document is fed as its last piece).
    private var xmlEnded = false
    private var encodingWarnings: [String] = []

    /// - Parameters:
    ///   - url: the document's URL; relative links resolve against it.
    ///   - contentType: the HTTP Content-Type, for its `charset`.
    public init(url: String?, contentType: String? = nil, maximumSize: Int = FeedParser.defaultMaximumSize,
                pipelineThreshold: Int = FeedStreamParser.defaultPipelineThreshold, onEntry: EntryHandler? = nil) {
        self.url = url
        self.pipelineThreshold = pipelineThreshold
        self.httpCharset = contentType.flatMap(Self.charset(of:))
        self.maximumSize = maximumSize
        builder = DocumentBuilder(documentURL: url, onEntry: onEntry)
        bridge = SAXBridge(builder: builder)
    }

    /// Entries handed to the handler so far (or collected).
    public var entryCount: Int { builder.entryCount }

    public func push(_ bytes: UnsafeRawBufferPointer) throws(NotAFeed) {
        guard !bytes.isEmpty else { return }
        try count(bytes.count)
        switch state {
        case .sniffing:
            if pending.isEmpty, bytes.count >= Self.sniffSize {
                // Enough to decide on these bytes alone, without copying them first (a
                // whole document pushed at once, as FeedParser.parse does).
                try decide(bytes, isWholeDocument: false)
            } else {
                pending.append(contentsOf: bytes)
                if pending.count >= Self.sniffSize { try decideOnPending(isWholeDocument: false) }
            }
        case .json:
            pending.append(contentsOf: bytes)
        case .xml:
            if received > pipelineThreshold { builder.startPipeline() }
            feedXML(bytes, isFinal: false)
            if let reason = builder.notAFeed { throw NotAFeed(reason: reason) }
        case .done:
            break
        }
    }

    /// The same as one `push` of every byte and `finish`, for a document already whole
    /// in memory: it is read where it lies, never copied into the sniffing buffer.
    public func parseWholeDocument(_ bytes: UnsafeRawBufferPointer) throws(NotAFeed) -> ParsedFeed {
        guard state == .sniffing, pending.isEmpty, !bytes.isEmpty else {
            try push(bytes)
            return try finish()
        }
        try count(bytes.count)
        try decide(bytes, isWholeDocument: true)
        return try finish()
    }

    /// Adds `more` bytes to those received; past the maximum size the document is refused.
    private func count(_ more: Int) throws(NotAFeed) {
        received += more
        guard received <= maximumSize else {
            state = .done
            throw NotAFeed(reason: "document too large (more than \(maximumSize) bytes)")
        }
    }

    public func finish() throws(NotAFeed) -> ParsedFeed {
        if state == .sniffing { try decideOnPending(isWholeDocument: true) }
        switch state {
        case .json:
            state = .done
            return try JSONFeedParser.parse(pending, url: url)
        case .xml:
            state = .done
            if !xmlEnded { feedXML(UnsafeRawBufferPointer(start: nil, count: 0), isFinal: true) }
            bridge.finish()
            builder.finishPipeline()
        case .sniffing, .done:
            break
        }
        if let reason = builder.notAFeed { throw NotAFeed(reason: reason) }
        guard var feed = builder.feed else {
            throw NotAFeed(reason: "not an XML document" + (bridge.firstError.map { " (\($0))" } ?? ""))
        }
        var notes = encodingWarnings
        let invalid = sanitizer.invalidSequences + (transcoder?.invalidSequences ?? 0)
        if invalid > 0 {
            let from = transcoder?.sourceEncoding ?? "UTF-8"
            notes.append("\(invalid) invalid \(from) byte sequence\(invalid == 1 ? "" : "s") replaced with U+FFFD")
        }
        if references.escapedAmpersands > 0 {
            let count = references.escapedAmpersands
            let line = references.firstEscapedLine.map { "line \($0): " } ?? ""
            notes.append("\(line)unescaped '&' kept as text (XML wants '&amp;')" + (count > 1 ? "; \(count - 1) more" : ""))
        }
        if sanitizer.removedControls > 0 {
            notes.append("\(sanitizer.removedControls) control character\(sanitizer.removedControls == 1 ? "" : "s") not allowed in XML removed")
        }
        feed.warnings = notes + bridge.warnings + builder.warnings
        return feed
    }

    // MARK: Deciding what the bytes are

    private func decideOnPending(isWholeDocument: Bool) throws(NotAFeed) {
        let buffered = pending
        pending = []
        try buffered.withUnsafeBytes { bytes in
            Result { () throws(NotAFeed) in try decide(bytes, isWholeDocument: isWholeDocument) }
        }.get()
    }

    /// Decides from the document's first bytes what it is, then feeds them on; bytes
    /// still needed later (JSON, or only white space so far) are kept in `pending`.
    private func decide(_ bytes: UnsafeRawBufferPointer, isWholeDocument: Bool) throws(NotAFeed) {
        var index = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        guard index < bytes.count else {
            if isWholeDocument {
                state = .done
                throw NotAFeed(reason: "empty document")
            }
            pending = Array(bytes)
            return  // only white space so far: keep looking
        }
        let firstByte = bytes[index]
        if firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[") {
            state = .json
            pending = Array(bytes)
            return
        }
        if let kind = BinarySniffer.kind(of: Array(bytes.prefix(16))) {
            state = .done
            throw NotAFeed(reason: kind)
        }
        let decision = EncodingDetector.decide(prefix: bytes, httpCharset: httpCharset,
                                               prefixIsWholeDocument: isWholeDocument)
        if let label = decision.overriddenLabel {
            encodingWarnings.append("declared encoding \(label) ignored: the bytes are UTF-8")
        }
        if !decision.isUTF8 {
            transcoder = Transcoder(from: decision.encoding)
            if transcoder == nil {
                encodingWarnings.append("unknown encoding '\(decision.encoding)', read as UTF-8")
            }
        }
        state = .xml
        bridge.start(documentURL: url)
        // A whole document goes to libxml2 as its last piece: told so, libxml2 parses
        // without looking ahead for the end of each construct first.
        feedXML(UnsafeRawBufferPointer(rebasing: bytes[decision.bomLength...]), isFinal: isWholeDocument)
        if let reason = builder.notAFeed { throw NotAFeed(reason: reason) }
    }

    private func feedXML(_ bytes: UnsafeRawBufferPointer, isFinal: Bool) {
        let bridge = self.bridge
        xmlEnded = isFinal
        // Valid UTF-8 without forbidden controls, then `&` repaired, then libxml2 — which
        // gets the XML declaration without its encoding (it is UTF-8 by now, and libxml2
        // would still check the label's spelling and warn about `encoding="852"`).
        let push = { (clean: UnsafeRawBufferPointer) in
            self.references.process(clean, isFinal: isFinal) { repaired in
                if self.declarationPending, !repaired.isEmpty {
                    self.declarationPending = false
                    // Only the head is copied: the declaration is in the first 512 bytes.
                    let split = min(repaired.count, 512)
                    var head = Array(UnsafeRawBufferPointer(rebasing: repaired[..<split]))
                    XMLDeclaration.blankEncoding(&head)
                    head.withUnsafeBytes { bridge.push($0, isLast: isFinal && split == repaired.count) }
                    if split < repaired.count {
                        bridge.push(UnsafeRawBufferPointer(rebasing: repaired[split...]), isLast: isFinal)
                    }
                } else {
                    bridge.push(repaired, isLast: isFinal)
                }
            }
        }
        if let transcoder {
            let utf8 = transcoder.convert(bytes, isFinal: isFinal)
            utf8.withUnsafeBytes { sanitizer.process($0, isFinal: isFinal, emit: push) }
        } else {
            sanitizer.process(bytes, isFinal: isFinal, emit: push)
        }
    }

    /// The `charset` parameter of a Content-Type header.
    static func charset(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset"
            else { continue }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }
}

/// Recognises the binary formats servers send instead of feeds, for a clear refusal.
enum BinarySniffer {
    static func kind(of bytes: [UInt8]) -> String? {
        func starts(_ magic: [UInt8]) -> Bool { bytes.count >= magic.count && Array(bytes.prefix(magic.count)) == magic }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "PNG image" }
        if starts([0xFF, 0xD8, 0xFF]) { return "JPEG image" }
        if starts(Array("GIF8".utf8)) { return "GIF image" }
        if starts(Array("%PDF".utf8)) { return "PDF document" }
        if starts([0x1F, 0x8B]) { return "gzip data (the server sent it compressed without saying so)" }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return "ZIP archive" }
        if bytes.count >= 12, starts(Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "WebP image"
        }
        return nil
    }
}
