import CLibXML2
import Foundation

/// Drives libxml2's SAX2 push parser over one document and forwards its events to a
/// `DocumentBuilder`. The options are fixed for safety: recover from errors, never touch
/// the network, never load a DTD or substitute entities (no XML_PARSE_NOENT, DTDLOAD, HUGE).
final class SAXBridge {
    static let chunkSize = 256 * 1024
    static let maximumWarnings = 50
    /// Whether libxml2 was told the document ended.
    private var ended = false

    private let builder: DocumentBuilder
    private var context: xmlParserCtxtPtr?
    /// Entities the document declares in its internal DTD subset, the safe ones.
    fileprivate let declaredEntities = DeclaredEntities()
    private(set) var warnings: [String] = []
    private var droppedWarnings = 0
    /// The first fatal error, for "not XML" messages when no element was ever seen.
    private(set) var firstError: String?

    init(builder: DocumentBuilder) {
        self.builder = builder
    }

    private static let initialiseLibrary: Void = { xmlInitParser() }()

    /// Creates the push parser. The bytes pushed later must be UTF-8: the encoding layer
    /// converts everything else first, so libxml2 is told to ignore encoding labels.
    func start(documentURL: String?) {
        _ = Self.initialiseLibrary
        var handler = Self.makeHandler()
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let ctxt = xmlCreatePushParserCtxt(&handler, me, nil, 0, documentURL) else {
            firstError = "libxml2 could not create a parser"
            return
        }
        context = ctxt
        builder.lineNumber = { [unowned self] in self.currentLine }
        let options = XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue
        xmlCtxtUseOptions(ctxt, Int32(bitPattern: options))
    }

    /// Parses the next piece of the document; `isLast`: nothing follows it, so libxml2
    /// ends the document with its last chunk.
    func push(_ bytes: UnsafeRawBufferPointer, isLast: Bool = false) {
        guard let ctxt = context, !builder.stopped, ctxt.pointee.disableSAX == 0 else { return }
        var offset = 0
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        while offset < bytes.count {
            let length = min(Self.chunkSize, bytes.count - offset)
            let terminate = isLast && offset + length == bytes.count
            xmlParseChunk(ctxt, base.map { $0 + offset }, Int32(length), terminate ? 1 : 0)
            ended = ended || terminate
            offset += length
            if builder.stopped { return }
        }
    }

    /// Ends the document (unless its last piece did) and frees the parser.
    func finish() {
        guard let ctxt = context else { return }
        if !builder.stopped && !ended { xmlParseChunk(ctxt, nil, 0, 1) }
        if droppedWarnings > 0 { warnings.append("\(droppedWarnings) more warnings not shown") }
        release()
    }

    private func release() {
        guard let ctxt = context else { return }
        // A DOCTYPE makes libxml2 build a document even without SAX tree callbacks.
        if let doc = ctxt.pointee.myDoc { xmlFreeDoc(doc) }
        xmlFreeParserCtxt(ctxt)
        context = nil
        builder.lineNumber = { 0 }
    }

    deinit { release() }

    var currentLine: Int {
        guard let context else { return 0 }
        return Int(xmlSAX2GetLineNumber(context))
    }

    /// libxml2 2.9 silently drops every entity reference (even `&amp;`) once the document
    /// has had one error, because `xmlParseReference` gives up while `wellFormed` is 0.
    /// Recover mode is only useful if text stays whole, so the flag is re-armed at each
    /// SAX event; the errors themselves are already recorded as warnings.
    @inline(__always) fileprivate func keepRecovering() {
        if let context, context.pointee.wellFormed == 0 { context.pointee.wellFormed = 1 }
    }

    func stop() {
        if let context { xmlStopParser(context) }
    }

    fileprivate func record(_ error: UnsafePointer<xmlError>) {
        let raw = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
        let message = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = "line \(error.pointee.line):\(error.pointee.int2): \(message)"
        if firstError == nil && error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue { firstError = text }
        if warnings.count < Self.maximumWarnings { warnings.append(text) } else { droppedWarnings += 1 }
    }

    /// Runs `body` with the bridge libxml2 was given as its context. The parser cannot
    /// outlive the bridge (it frees the parser), so the reference is borrowed without a
    /// retain and release around every SAX event.
    private static func withBridge(_ ctx: UnsafeMutableRawPointer?, _ body: (SAXBridge) -> Void) {
        Unmanaged<SAXBridge>.fromOpaque(ctx!)._withUnsafeGuaranteedRef(body)
    }

    private static func makeHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = { ctx, localName, prefix, uri, _, _, attributeCount, _, attributes in
            SAXBridge.withBridge(ctx) { me in
                me.keepRecovering()
                me.builder.startElement(
                    localName: localName!, prefix: prefix, uri: uri,
                    attributes: XMLAttributes(pointer: attributes, count: Int(attributeCount)))
                if me.builder.stopped { me.stop() }
            }
        }
        handler.endElementNs = { ctx, localName, _, uri in
            SAXBridge.withBridge(ctx) { me in
                me.keepRecovering()
                me.builder.endElement(localName: localName!, uri: uri)
            }
        }
        handler.characters = { ctx, chars, length in
            SAXBridge.withBridge(ctx) { me in
                me.keepRecovering()
                me.builder.characters(UnsafeBufferPointer(start: chars, count: Int(length)))
            }
        }
        handler.cdataBlock = { ctx, chars, length in
            SAXBridge.withBridge(ctx) { me in
                me.keepRecovering()
                me.builder.characters(UnsafeBufferPointer(start: chars, count: Int(length)))
            }
        }
        handler.getEntity = { ctx, name in
            guard let name else { return nil }
            var declared: UnsafeMutablePointer<xmlEntity>?
            SAXBridge.withBridge(ctx) { declared = $0.declaredEntities.entity(named: name) }
            return declared ?? HTMLEntities.entity(named: name)
        }
        handler.entityDecl = { ctx, name, type, _, _, content in
            guard let name, let content, type == XML_INTERNAL_GENERAL_ENTITY.rawValue else { return }
            SAXBridge.withBridge(ctx) { $0.declaredEntities.declare(name: name, content: content) }
        }
        handler.serror = { ctx, error in
            guard let ctx, let error else { return }
            SAXBridge.withBridge(ctx) { $0.record(error) }
        }
        return handler
    }
}

/// The attributes libxml2 hands to startElementNs: five pointers each
/// (local name, prefix, namespace URI, value start, value end).
struct XMLAttributes {
    let pointer: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    /// The value of the attribute named `localName` in no namespace (or in `namespace`).
    /// Names are literals: compared in place, byte for byte (a String would be bridged to a
    /// C string, allocated when short, on every element).
    func value(_ localName: StaticString, namespace: StaticString? = nil) -> String? {
        guard let pointer else { return nil }
        for i in 0..<count {
            let base = pointer + i * 5
            guard let name = base[0], Self.equal(name, localName) else { continue }
            if let namespace {
                guard let uri = base[2], Self.equal(uri, namespace) else { continue }
            } else if base[2] != nil {
                continue
            }
            guard let start = base[3], let end = base[4] else { return "" }
            return Self.decoded(UnsafeBufferPointer(start: start, count: end - start))
        }
        return nil
    }

    /// `xml:base` and `xml:lang`, which every element is asked for, in one pass that
    /// looks no further at attributes without a namespace.
    @inline(__always)
    func xmlScope() -> (base: String?, lang: String?) {
        guard let pointer, count > 0 else { return (nil, nil) }
        var base: String?, lang: String?
        for i in 0..<count {
            let attribute = pointer + i * 5
            guard let uri = attribute[2], let name = attribute[0], Self.equal(uri, Self.xmlNamespace) else { continue }
            let value = attribute[3].flatMap { start in
                attribute[4].map { Self.decoded(UnsafeBufferPointer(start: start, count: $0 - start)) }
            } ?? ""
            if Self.equal(name, "base") { base = value } else if Self.equal(name, "lang") { lang = value }
        }
        return (base, lang)
    }

    /// The XML namespace, of `xml:base` and `xml:lang`.
    static let xmlNamespace: StaticString = "http://www.w3.org/XML/1998/namespace"

    /// Whether the C string is `text`. (A shorter C string ends at a 0 that differs from
    /// `text`'s byte there, so nothing past its end is read.)
    @inline(__always)
    static func equal(_ cString: UnsafePointer<xmlChar>, _ text: StaticString) -> Bool {
        let bytes = text.utf8Start
        for index in 0..<text.utf8CodeUnitCount where cString[index] != bytes[index] { return false }
        return cString[text.utf8CodeUnitCount] == 0
    }

    /// An attribute value as text. libxml2 hands `&amp;` over as `&#38;` (it does not
    /// substitute references in values without XML_PARSE_NOENT): references are decoded.
    static func decoded(_ bytes: UnsafeBufferPointer<xmlChar>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return bytes.contains(UInt8(ascii: "&")) ? EntityText.decodeReferences(text) : text
    }

    /// Every attribute as (local name, value), for re-serialising XHTML content.
    var all: [(name: String, value: String)] {
        guard let pointer else { return [] }
        return (0..<count).compactMap { i in
            let base = pointer + i * 5
            guard let name = base[0], let start = base[3], let end = base[4] else { return nil }
            return (String(cString: name), Self.decoded(UnsafeBufferPointer(start: start, count: end - start)))
        }
    }
}
