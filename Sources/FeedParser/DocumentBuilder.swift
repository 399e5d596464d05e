import CLibXML2
import Foundation

/// Turns SAX events into a `ParsedFeed`. It recognises the format from the root element,
/// keeps a stack of open elements (with their namespace, `xml:base` and `xml:lang`), and
/// captures the text of the leaf elements it knows; `FieldRules` decides which those are.
final class DocumentBuilder {
    /// One open element. Its `xml:base` and `xml:lang` live in `scopes` and are only
    /// copied when an element sets one, so pushing and popping costs no reference counting.
    struct OpenElement {
        let namespace: Namespace
        let name: String
        let opensScope: Bool
    }

    struct Scope {
        let base: String?
        let lang: String?
    }

    /// Text being collected for one known element. A plain value (no references), so
    /// reading it in the per-chunk `characters` callback costs no reference counting.
    struct Capture {
        let field: Field
        let mode: TextMode
        let depth: Int
        /// Depth of child elements inside the captured one (markup in HTML/XHTML content).
        var markupDepth = 0
        var strippedWrapperDiv = false
        /// Atom content in a non-text media type, or Atom 0.3 `mode="base64"`.
        var isBase64 = false
    }

    let documentURL: String?
    var lineNumber: () -> Int = { 0 }
    private(set) var stopped = false
    private(set) var notAFeed: String?

    private var namespaces = NamespaceCache()
    private var stack: [OpenElement] = []
    private var scopes: [Scope] = []
    private var base: String? { scopes.last?.base ?? documentURL }
    private(set) var feed: ParsedFeed?
    private var family: Family = .rss
    /// The entry being read; `inEntry` says whether there is one (a non-optional struct
    /// is mutated in place, where an optional one is copied on every field write).
    private var entry = ParsedEntry()
    private var inEntry = false
    private var entryDepth = 0
    private var guidIsPermaLink = true
    /// `itunes:author` of the current entry, used only when it names no other author.
    private var itunesAuthor: String?
    /// `sy:updatePeriod` in seconds and `sy:updateFrequency` (updates per period).
    private var syndicationPeriod: Int?
    private var syndicationFrequency = 1

    /// `ttl` wins where both are given; the syndication module fills in otherwise.
    private func applySyndication() {
        guard let period = syndicationPeriod, feed?.refreshInterval == nil || syndicationSet else { return }
        feed?.refreshInterval = period / syndicationFrequency
        syndicationSet = true
    }
    private var syndicationSet = false
    private var person: ParsedPerson?
    /// `dc:title` / `media:title` of the current entry, used when it has no title of its own.
    private var entryTitleFallback: String?
    private var capture: Capture?
    /// The captured element's text so far: one buffer reused for every field, so
    /// capturing costs no allocation once it has grown to the largest field.
    private var text: [UInt8] = []
    private(set) var warnings: [String] = []

    enum Family { case rss, atom, cdf }

    /// Receives each entry as it ends, instead of collecting them (streaming).
    private let onEntry: ((ParsedEntry) -> Void)?
    private var pipeline: HTMLPipeline?
    private var pipelineOutput: PipelineOutput?
    private var pendingSummary: HTMLPipeline.HTMLJob?
    private var pendingContent: HTMLPipeline.HTMLJob?
    private(set) var entryCount = 0

    init(documentURL: String?, onEntry: ((ParsedEntry) -> Void)? = nil) {
        self.documentURL = documentURL
        self.onEntry = onEntry
    }

    // MARK: SAX events

    func startElement(localName: UnsafePointer<xmlChar>, prefix: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?,
                      attributes: XMLAttributes) {
        if capture != nil {
            captureChildStart(localName: localName, uri: uri, attributes: attributes)
            return
        }
        var namespace = namespaces.lookup(uri)
        var name = String(cString: localName)
        if uri == nil, let prefix, let known = Self.undeclaredPrefix(String(cString: prefix)) {
            namespace = known
        }
        // RSS's own names in any case (`<TITLE>`, `<PUBDATE>`), as podcast tools write them.
        if family != .atom, namespace.isRSSCore, FieldRules.hasUpperCase(localName) { name = FieldRules.canonicalRSSName(name) }
        let parent = stack.last
        let (newBase, newLang) = attributes.xmlScope()
        let opensScope = newBase != nil || newLang != nil
        if opensScope {
            scopes.append(Scope(base: newBase.map { URLResolver.resolve($0, against: base) } ?? base,
                                lang: newLang ?? scopes.last?.lang))
        }
        stack.append(OpenElement(namespace: namespace, name: name, opensScope: opensScope))

        guard let parent else {
            recogniseRoot(namespace: namespace, name: name, attributes: attributes, lang: scopes.last?.lang)
            return
        }
        if feed?.format == .rss10, namespace == .rss090 { feed?.format = .rss090 }

        if isEntryStart(namespace: namespace, name: name) {
            entry = ParsedEntry()
            inEntry = true
            entryDepth = stack.count
            guidIsPermaLink = true
            entryTitleFallback = nil
            if let about = attributes.value("about", namespace: "http://www.w3.org/1999/02/22-rdf-syntax-ns#") {
                entry.id = about
            }
            if family == .cdf {
                if let href = Self.cdfAttribute("HREF", "href", attributes) { entry.link = URLResolver.resolve(href, against: base) }
                if let lastModified = Self.cdfAttribute("LASTMOD", "lastmod", attributes) { entry.updated = date(lastModified) }
            }
            return
        }
        guard let field = FieldRules.field(family: family, namespace: namespace, name: name,
                                           parent: parent, inEntry: inEntry) else { return }
        switch field {
        case .link, .enclosure, .category, .mediaContent, .mediaThumbnail, .itunesImage, .feedCategory:
            if handleAttributeElement(field, namespace: namespace, attributes: attributes, base: base) { return }
        case .personStart:
            person = ParsedPerson()
            return
        default:
            break
        }
        if field == .entryID, family == .rss, attributes.value("isPermaLink")?.lowercased() == "false" {
            guidIsPermaLink = false
        }
        // XHTML inside RSS (`xhtml:body`, `xhtml:div`) is markup, like Atom's xhtml content.
        let mode = namespace == .xhtml ? TextMode.xhtml : TextMode.forElement(field: field, family: family, attributes: attributes)
        text.removeAll(keepingCapacity: true)
        capture = Capture(field: field, mode: mode, depth: stack.count)
        if family == .atom { capture?.isBase64 = TextMode.isBase64(attributes) }
    }

    func endElement(localName: UnsafePointer<xmlChar>, uri: UnsafePointer<xmlChar>?) {
        if var current = capture {
            if current.markupDepth > 0 {
                captureChildEnd(&current, localName: localName)
                capture = current
                return
            }
            capture = nil
            finish(current)
        }
        guard let closed = stack.popLast() else { return }
        let closedBase = base
        if closed.opensScope { scopes.removeLast() }
        if person != nil, FieldRules.isPerson(namespace: closed.namespace, name: closed.name, family: family) {
            if let finished = person, !finished.isEmpty {
                if inEntry { entry.authors.append(finished) } else { feed?.authors.append(finished) }
            }
            person = nil
        }
        if inEntry, stack.count + 1 == entryDepth {
            inEntry = false
            let complete = finalize(entry, base: closedBase)
            entryCount += 1
            if let pipeline {
                pipeline.submit(HTMLPipeline.Job(entry: complete, summary: pendingSummary, content: pendingContent))
                pendingSummary = nil
                pendingContent = nil
            } else if let onEntry {
                onEntry(complete)
            } else {
                feed?.entries.append(complete)
            }
            entry = ParsedEntry()
        }
    }

    func characters(_ text: UnsafeBufferPointer<xmlChar>) {
        guard let mode = capture?.mode else { return }
        if mode == .xhtml {
            HTMLEscaping.appendEscaped(text, to: &self.text)
        } else {
            self.text.append(contentsOf: text)
        }
    }

    // MARK: Root and entries

    /// libxml2 reports an element with an undeclared prefix (`itunes:summary` without
    /// `xmlns:itunes`) with its prefix but no namespace. Publishers forget the declaration for the common extensions, so these
    /// well-known prefixes are honoured — only when no namespace was declared at all.
    static func undeclaredPrefix(_ prefix: String) -> Namespace? {
        switch prefix {
        case "itunes": return .itunes
        case "media": return .media
        case "dc": return .dc
        case "dcterms": return .dcterms
        case "content": return .content
        case "slash": return .slash
        case "atom": return .atom10
        default: return nil
        }
    }

    private func recogniseRoot(namespace: Namespace, name: String, attributes: XMLAttributes, lang: String?) {
        let format: FeedFormat
        switch (name, namespace) {
        case ("rss", _):
            family = .rss
            let version = attributes.value("version")?.asciiTrimmed ?? "2.0"
            switch version {
            case "0.91", "0.91.0": format = .rss091
            case "0.92", "0.93", "0.94": format = .rss092
            case "0.90", "0.9": format = .rss090
            default: format = .rss20
            }
        case ("RDF", .rdf):
            family = .rss
            format = .rss10
        case ("feed", .atom10):
            family = .atom
            format = .atom10
        case ("feed", .atom03):
            family = .atom
            format = .atom03
        case ("feed", .none):
            family = .atom
            format = attributes.value("version") == "0.3" ? .atom03 : .atom10
        case ("channel", .none):
            // Microsoft CDF: the channel is the root, its link and date are attributes.
            family = .cdf
            feed = ParsedFeed(format: .cdf)
            feed?.language = Self.normalizedLanguage(lang)
            if let href = Self.cdfAttribute("HREF", "href", attributes) { feed?.link = URLResolver.resolve(href, against: base) }
            if let lastModified = Self.cdfAttribute("LASTMOD", "lastmod", attributes) { feed?.updated = date(lastModified) }
            return
        case ("html", _), ("HTML", _):
            stop(reason: "HTML document")
            return
        default:
            stop(reason: "XML document with root element <\(name)>")
            return
        }
        feed = ParsedFeed(format: format)
        feed?.language = Self.normalizedLanguage(lang)
    }

    /// `xml:lang` as a language tag: `en_US` → `en-US`.
    static func normalizedLanguage(_ lang: String?) -> String? {
        guard let lang = lang?.asciiTrimmed, !lang.isEmpty else { return nil }
        return lang.replacingOccurrences(of: "_", with: "-")
    }

    /// A CDF attribute, written in upper case as a rule (`HREF`, `LASTMOD`).
    static func cdfAttribute(_ upper: StaticString, _ lower: StaticString, _ attributes: XMLAttributes) -> String? {
        (attributes.value(upper) ?? attributes.value(lower))?.asciiTrimmed
    }

    private func stop(reason: String) {
        notAFeed = reason
        stopped = true
    }

    private func isEntryStart(namespace: Namespace, name: String) -> Bool {
        guard !inEntry else { return false }
        switch family {
        case .rss: return name == "item" && namespace.isRSSCore
        case .atom: return name == "entry" && namespace.isAtom
        case .cdf: return name == "item" && namespace == .none
        }
    }

    /// `itunes:duration`: `3723`, `62:03` or `1:02:03`.
    static func seconds(fromDuration text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Int($0.asciiTrimmed) }
        guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        return parts.reduce(0) { $0 * 60 + $1! }
    }

    private func finalize(_ raw: ParsedEntry, base: String?) -> ParsedEntry {
        var entry = raw
        if entry.title == nil { entry.title = entryTitleFallback }
        entryTitleFallback = nil
        if entry.authors.isEmpty, let itunesAuthor { entry.authors = [ParsedPerson(name: itunesAuthor)] }
        itunesAuthor = nil
        if entry.link == nil, family == .rss, guidIsPermaLink, let id = entry.id,
           id.hasPrefix("http://") || id.hasPrefix("https://") {
            entry.link = id
        }
        if entry.categories.count > 1 {
            var seen = Set<String>()
            entry.categories = entry.categories.filter { seen.insert($0).inserted }
        }
        return entry
    }

    /// Atom links, categories and RSS enclosures carry their data in attributes.
    /// Returns true when the element needs no text capture.
    private func handleAttributeElement(_ field: Field, namespace: Namespace, attributes: XMLAttributes,
                                        base: String?) -> Bool {
        switch field {
        case .link:
            guard let href = attributes.value("href") else { return false }  // RSS <link>text</link>
            let url = URLResolver.resolve(href, against: base)
            let rel = attributes.value("rel") ?? "alternate"
            if rel == "enclosure" {
                if inEntry { entry.enclosures.append(ParsedEnclosure(
                    url: url, type: attributes.value("type"), length: attributes.value("length").flatMap { Int64($0) })) }
            } else if rel == "alternate" {
                if inEntry {
                    if entry.link == nil { entry.link = url }
                } else if feed?.link == nil {
                    feed?.link = url
                }
            }
            return true
        case .enclosure:
            guard let href = attributes.value("url") else { return true }
            guard inEntry else { return true }
            entry.enclosures.append(ParsedEnclosure(
                url: URLResolver.resolve(href, against: base), type: attributes.value("type"),
                length: attributes.value("length").flatMap { Int64($0.asciiTrimmed) }))
            return true
        case .mediaContent, .mediaThumbnail:
            guard let href = attributes.value("url") else { return true }
            let url = URLResolver.resolve(href, against: base)
            guard inEntry else {  // on the channel: the feed's image
                if feed?.image == nil { feed?.image = url }
                return true
            }
            guard !entry.enclosures.contains(where: { $0.url == url }) else { return true }
            let type = attributes.value("type")
            entry.enclosures.append(ParsedEnclosure(
                url: url, type: type, length: attributes.value("fileSize").flatMap { Int64($0.asciiTrimmed) }))
            return true
        case .itunesImage:
            guard let href = attributes.value("href") else { return true }
            let url = URLResolver.resolve(href, against: base)
            if inEntry { entry.image = url } else if feed?.image == nil { feed?.image = url }
            return true
        case .category:
            // Atom's term is an attribute; RSS's and Media RSS's category is the text.
            guard namespace != .media, let term = attributes.value("term") ?? attributes.value("label") else { return false }
            let trimmed = term.asciiTrimmed
            if !trimmed.isEmpty && inEntry { entry.categories.append(trimmed) }
            return true
        case .feedCategory:
            // itunes:category text="…", Atom category term="…"; RSS's has text instead.
            guard let term = attributes.value("text") ?? attributes.value("term") ?? attributes.value("label") else { return false }
            let trimmed = term.asciiTrimmed
            if !trimmed.isEmpty, feed?.categories.contains(trimmed) == false { feed?.categories.append(trimmed) }
            return true
        default:
            return false
        }
    }

    // MARK: Captured text

    private func finish(_ capture: Capture) {
        if capture.isBase64 {
            let encoded = String(decoding: text, as: UTF8.self)
            text = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters).map { Array($0) } ?? text
        }
        C1Characters.replaceWithWindows1252(&text)
        // Article bodies in HTML go from the buffer through the sanitiser in one step.
        if capture.mode != .plain, capture.field == .entrySummary || capture.field == .entryContent {
            finishHTML(capture)
            return
        }
        let text = ByteText.trimmedString(self.text)
        switch capture.field {
        case .feedTitle: feed?.title = capture.mode.plainText(text, family: family)
        case .feedTitleFallback: if feed?.title == nil { feed?.title = capture.mode.plainText(text, family: family) }
        case .entryTitleFallback: if entryTitleFallback == nil { entryTitleFallback = capture.mode.plainText(text, family: family) }
        case .feedDescriptionFallback: if feed?.description == nil, !text.isEmpty { feed?.description = text }
        case .feedCategory:
            if !text.isEmpty, feed?.categories.contains(text) == false { feed?.categories.append(text) }
        case .feedDescription: feed?.description = capture.mode.plainText(text, family: family)
        case .feedLanguage: if !text.isEmpty { feed?.language = text }
        case .feedUpdated: if feed?.updated == nil { feed?.updated = date(text) }
        case .feedAuthor: if let p = PersonText.parse(text) { feed?.authors.append(p) }
        case .feedAuthorFallback:
            if feed?.authors.isEmpty == true, let p = PersonText.parse(text) { feed?.authors.append(p) }
        case .feedImage: if feed?.image == nil, !text.isEmpty { feed?.image = URLResolver.resolve(text, against: base) }
        case .entryID: if !text.isEmpty { entry.id = text }
        case .entryTitle: entry.title = capture.mode.plainText(text, family: family)
        case .link:
            if !text.isEmpty {
                if inEntry {
                    if entry.link == nil { entry.link = URLResolver.resolve(text, against: base) }
                } else if feed?.link == nil {
                    feed?.link = URLResolver.resolve(text, against: base)
                }
            }
        case .entryPublished: if entry.published == nil { entry.published = date(text) }
        case .entryUpdated: if entry.updated == nil { entry.updated = date(text) }
        case .entryAuthor: if let p = PersonText.parse(text) { entry.authors.append(p) }
        case .entrySummary: if entry.summary == nil { entry.summary = capture.mode.html(text) }
        case .entryContent: if entry.content == nil || family == .atom { entry.content = capture.mode.html(text) }
        case .category: if !text.isEmpty && inEntry { entry.categories.append(text) }
        case .personName: if !text.isEmpty { person?.name = text }
        case .personEmail: if !text.isEmpty { person?.email = text }
        case .personURI: if !text.isEmpty { person?.uri = URLResolver.resolve(text, against: base) }
        case .itunesAuthor: if !text.isEmpty { itunesAuthor = text }
        case .itunesSummary:
            guard !text.isEmpty else { break }
            if inEntry {
                if entry.summary == nil { entry.summary = HTMLEscaping.escapeText(text) }
            } else if feed?.description == nil {
                feed?.description = text
            }
        case .keywords:
            for keyword in text.split(separator: ",").map({ $0.asciiTrimmed }) where !keyword.isEmpty {
                if inEntry {
                    if !entry.categories.contains(keyword) { entry.categories.append(keyword) }
                } else if feed?.categories.contains(keyword) == false {
                    feed?.categories.append(keyword)
                }
            }
        case .itunesDuration: entry.duration = Self.seconds(fromDuration: text)
        case .commentCount: entry.commentCount = Int(text)
        case .ttl:
            if let minutes = Int(text), minutes > 0 { feed?.refreshInterval = minutes * 60 }
        case .updatePeriod:
            syndicationPeriod = ["hourly": 3600, "daily": 86_400, "weekly": 604_800, "monthly": 2_592_000,
                                 "yearly": 31_536_000][text.lowercased()]
            applySyndication()
        case .updateFrequency:
            if let frequency = Int(text), frequency > 0 { syndicationFrequency = frequency }
            applySyndication()
        case .enclosure, .personStart, .mediaContent, .mediaThumbnail, .itunesImage: break
        }
    }

    /// Summary and content in HTML: sanitised, with links made absolute against the
    /// element's `xml:base` (or the document's URL). Plain text is escaped in `finish`.
    private func finishHTML(_ capture: Capture) {
        let isSummary = capture.field == .entrySummary
        let wanted = isSummary ? entry.summary == nil && pendingSummary == nil
                               : (entry.content == nil && pendingContent == nil) || family == .atom
        guard wanted else { return }
        var start = 0, end = text.count
        while start < end, ByteText.isSpace(text[start]) { start += 1 }
        while end > start, ByteText.isSpace(text[end - 1]) { end -= 1 }
        guard end > start else { return }
        // Escaped HTML in an XHTML wrapper div (TypePad's way): the wrapper is not content,
        // as with Atom's xhtml content.
        if capture.mode == .html, let inner = XHTMLWrapper.inner(text, start..<end) { (start, end) = (inner.lowerBound, inner.upperBound) }
        if pipeline != nil {
            // Sanitised on the pipeline's thread; the entry waits for it there.
            let job = HTMLPipeline.HTMLJob(bytes: Array(text[start..<end]), base: base)
            if isSummary { pendingSummary = job } else { pendingContent = job; entry.content = nil }
            return
        }
        let html = text.withUnsafeBufferPointer {
            HTMLSanitizer.sanitize(bytes: UnsafeBufferPointer(rebasing: $0[start..<end]), base: base)
        }
        if isSummary { entry.summary = html } else { entry.content = html }
    }

    /// Hands article HTML to a second thread from now on (FeedStreamParser does this for
    /// large documents). Entries then leave through `pipelineDelivered` or `onEntry`.
    func startPipeline() {
        guard pipeline == nil else { return }
        let collected = PipelineOutput()
        pipelineOutput = collected
        let onEntry = self.onEntry.map { UncheckedHandler(call: $0) }
        pipeline = HTMLPipeline { entry in
            if let onEntry { onEntry.call(entry) } else { collected.entries.append(entry) }
        }
    }

    /// Waits for the pipeline to deliver everything, then adds what it collected.
    func finishPipeline() {
        guard let pipeline else { return }
        pipeline.close()
        self.pipeline = nil
        if let collected = pipelineOutput?.entries { feed?.entries.append(contentsOf: collected) }
        pipelineOutput = nil
    }

    private func date(_ text: String) -> Date? {
        guard !text.isEmpty else { return nil }
        if let date = DateParser.parse(text) { return date }
        warnings.append("line \(lineNumber()): unparseable date '\(text.prefix(80))'")
        return nil
    }

    // Child elements inside captured HTML/XHTML content are kept as markup.

    private func captureChildStart(localName: UnsafePointer<xmlChar>, uri: UnsafePointer<xmlChar>?,
                                   attributes: XMLAttributes) {
        guard capture!.mode != .plain else { capture!.markupDepth += 1; return }
        let name = String(cString: localName)
        if capture!.mode == .xhtml, capture!.markupDepth == 0, name == "div",
           ByteText.isBlank(text), namespaces.lookup(uri) == .xhtml {
            // Atom's XHTML content sits in a wrapper div that is not part of the content.
            capture!.strippedWrapperDiv = true
            capture!.markupDepth += 1
            return
        }
        capture!.markupDepth += 1
        var tag = "<" + name
        for attribute in attributes.all {
            tag += " \(attribute.name)=\"\(HTMLEscaping.escapeAttribute(attribute.value))\""
        }
        tag += ">"
        text.append(contentsOf: tag.utf8)
    }

    private func captureChildEnd(_ current: inout Capture, localName: UnsafePointer<xmlChar>) {
        current.markupDepth -= 1
        guard current.mode != .plain else { return }
        if current.markupDepth == 0 && current.strippedWrapperDiv { return }
        let name = String(cString: localName)
        if HTMLEscaping.voidElements.contains(name.lowercased()) { return }
        text.append(contentsOf: "</\(name)>".utf8)
    }
}

/// Entries the pipeline's thread collected; read only after `HTMLPipeline.close()`.
private final class PipelineOutput: @unchecked Sendable {
    var entries: [ParsedEntry] = []
}

/// The caller's entry handler, called from the pipeline's thread one entry at a time
/// (never concurrently with the parsing thread's own calls, which stop when it starts).
private struct UncheckedHandler: @unchecked Sendable {
    let call: (ParsedEntry) -> Void
}
