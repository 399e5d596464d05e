import Glibc
import Foundation
import Testing
@testable import FeedParser

/// Every document reaches libxml2 as clean UTF-8, whatever it was sent as.
@Suite struct EncodingTests {
    func rss(title: String, declaration: String? = nil) -> String {
        let prolog = declaration.map { "<?xml version=\"1.0\" encoding=\"\($0)\"?>" } ?? ""
        return prolog + "<rss version=\"2.0\"><channel><title>\(title)</title><item><title>\(title)</title></item></channel></rss>"
    }

    func encode(_ text: String, _ encoding: String.Encoding) throws -> [UInt8] {
        try #require(text.data(using: encoding)).map { $0 }
    }

    func iconv(_ text: String, to encoding: String) throws -> [UInt8] {
        let transcoder = try #require(Transcoder(from: "UTF-8"))
        _ = transcoder
        // Encode with iconv the other way round: from UTF-8 into the legacy encoding.
        let descriptor = iconv_open(encoding, "UTF-8")
        defer { iconv_close(descriptor) }
        var input = Array(text.utf8).map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: input.count * 4 + 16)
        var inLeft = input.count, outLeft = output.count
        input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress
                var outPointer: UnsafeMutablePointer<CChar>? = outBuffer.baseAddress
                _ = Glibc.iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
            }
        }
        return output[0..<(output.count - outLeft)].map { UInt8(bitPattern: $0) }
    }

    @Test(arguments: [
        ("ISO-8859-1", "Café crème à la française"),
        ("windows-1252", "“Smart quotes” — and a € sign"),
        ("ISO-8859-15", "Prix: 5 €"),
        ("windows-1251", "Новости дня"),
        ("KOI8-R", "Новости дня"),
        ("GB2312", "新华社北京电"),
        ("GBK", "新华社北京电"),
        ("GB18030", "新华社北京电"),
        ("Big5", "新華社北京電"),
        ("Shift_JIS", "東京のニュース"),
        ("EUC-JP", "東京のニュース"),
        ("EUC-KR", "서울 뉴스"),
    ])
    func legacyEncodingsFromTheDeclaration(label: String, text: String) throws {
        let iconvName = label == "windows-1252" ? "WINDOWS-1252" : label
        let bytes = try iconv(rss(title: text, declaration: label), to: iconvName)
        let feed = try FeedParser.parse(bytes)
        #expect(feed.title == text, "\(label)")
        #expect(feed.entries.first?.title == text)
        #expect(feed.warnings.isEmpty, "\(label): \(feed.warnings)")
    }

    @Test func utf16WithAndWithoutBOM() throws {
        let text = rss(title: "Ünïcödé 新闻", declaration: "UTF-16")
        let withBOM = try encode(text, .utf16)  // Foundation writes a BOM
        #expect(try FeedParser.parse(withBOM).title == "Ünïcödé 新闻")
        let littleEndian = try encode(text, .utf16LittleEndian)
        #expect(try FeedParser.parse(littleEndian).title == "Ünïcödé 新闻")
        let bigEndian = try encode(text, .utf16BigEndian)
        #expect(try FeedParser.parse(bigEndian).title == "Ünïcödé 新闻")
    }

    @Test func theHTTPCharsetWinsOverTheDeclaration() throws {
        let bytes = try iconv(rss(title: "Новости", declaration: "ISO-8859-1"), to: "KOI8-R")
        let feed = try FeedParser.parse(bytes, contentType: "application/rss+xml; charset=\"koi8-r\"")
        #expect(feed.title == "Новости")
    }

    @Test func aWrongLabelOverValidUTF8IsOverridden() throws {
        let feed = try FeedParser.parse(Array(rss(title: "Café — 新闻", declaration: "ISO-8859-1").utf8),
                                        contentType: "text/xml; charset=iso-8859-1")
        #expect(feed.title == "Café — 新闻")
        #expect(feed.warnings == ["declared encoding WINDOWS-1252 ignored: the bytes are UTF-8"])
    }

    @Test func invalidBytesBecomeReplacementCharactersWithAWarning() throws {
        var bytes = Array(rss(title: "bad X byte").utf8)
        let index = try #require(bytes.firstIndex(of: UInt8(ascii: "X")))
        bytes[index] = 0xFF
        let feed = try FeedParser.parse(bytes)
        #expect(feed.title == "bad \u{FFFD} byte")
        #expect(feed.entries.count == 1)
        #expect(feed.warnings.contains("1 invalid UTF-8 byte sequence replaced with U+FFFD"))
    }

    @Test func controlCharactersXMLForbidsAreDropped() throws {
        let feed = try FeedParser.parse(Array(rss(title: "form\u{0C}feed and \u{01}more").utf8))
        #expect(feed.title == "formfeed and more")
        #expect(feed.entries.count == 1)
        #expect(feed.warnings == ["4 control characters not allowed in XML removed"])  // two in each title
    }

    @Test func aMultiByteCharacterSplitAcrossChunksSurvives() throws {
        let bytes = Array(rss(title: "新华社").utf8)
        let split = try #require(bytes.firstIndex(of: 0xE6)) + 1  // inside the first character
        var titles: [String?] = []
        let parser = FeedStreamParser(url: nil) { titles.append($0.title) }
        for piece in [bytes[..<split], bytes[split...]] {
            try Array(piece).withUnsafeBytes { try parser.push($0) }
        }
        let feed = try parser.finish()
        #expect(feed.title == "新华社")
        #expect(titles == ["新华社"])
        #expect(feed.warnings.isEmpty)
    }

    @Test(arguments: [1, 7, 64, 4096])
    func anyChunkingGivesTheSameResult(chunk: Int) throws {
        let bytes = try iconv(rss(title: "新华社北京电 — 新闻", declaration: "GB2312"), to: "GB18030")
        let parser = FeedStreamParser(url: nil)
        try push(bytes, to: parser, inChunksOf: chunk)
        let feed = try parser.finish()
        #expect(feed.title == "新华社北京电 — 新闻")
        #expect(feed.warnings.isEmpty)
    }

    /// A whole document reaches libxml2 as its last piece (`terminate`), a stream does
    /// not: both must read the same, broken documents included.
    @Test(arguments: [
        "<rss><channel><title>T</title><item><title>A &amp; B</title><description>&lt;p&gt;x</description></item></channel></rss>",
        "<rss><channel><title>T</title><item><title>cut off in the mid",  // truncated
        "<rss><channel><item><title>A</title></item></channel></rss>\n<rss>trailing</rss> junk",  // extra content
        "<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss><channel><item><title>caf\u{E9}</title></item></channel></rss>",
        "<rss><channel><item><title>bad &bogus; entity</title></item><item><title>B</title></channel>",
    ])
    func aWholeDocumentReadsAsTheSameDocumentStreamed(document: String) throws {
        var bytes = Array(document.utf8)
        if document.contains("windows-1252") {  // é as one Latin-1 byte, and a lone lead byte at the very end
            bytes = bytes.flatMap { $0 == 0xC3 ? [] : $0 == 0xA9 ? [0xE9] : [$0] } + [0xC3]
        }
        // Past the sniffing buffer, so that streamed pieces reach libxml2 before the end.
        let padding = Array(("<!--" + String(repeating: "padding ", count: FeedStreamParser.sniffSize / 8) + "-->").utf8)
        let channel = try #require(bytes.indices.first { bytes[$0...].starts(with: Array("<channel>".utf8)) }) + 9
        bytes.insert(contentsOf: padding, at: channel)
        let whole = FeedParser.parseOutcome(bytes)
        for chunk in [7, 4096, 1 << 20] {
            let parser = FeedStreamParser(url: nil)
            let streamed = Result { () throws -> ParsedFeed in
                try push(bytes, to: parser, inChunksOf: chunk)
                return try parser.finish()
            }.mapError { $0 as? NotAFeed ?? NotAFeed(reason: "\($0)") }
            #expect(streamed == whole, "chunks of \(chunk)")
        }
    }

    @Test func unknownEncodingsAreReadAsUTF8WithAWarning() throws {
        let feed = try FeedParser.parse(Array(rss(title: "plain", declaration: "x-klingon").utf8))
        #expect(feed.title == "plain")
        #expect(feed.warnings.first == "unknown encoding 'X-KLINGON', read as UTF-8")
    }

    @Test func labelsMapToTheSupersetsBrowsersUse() {
        #expect(EncodingDetector.normalise("ISO-8859-1") == "WINDOWS-1252")
        #expect(EncodingDetector.normalise(" gb2312 ") == "GB18030")
        #expect(EncodingDetector.normalise("Shift_JIS") == "CP932")
        #expect(EncodingDetector.normalise("us-ascii") == "UTF-8")
        #expect(EncodingDetector.normalise("") == nil)
    }
}

/// Large documents sanitise article HTML on a second thread; the result must not differ.
@Suite struct PipelineTests {
    func document(items: Int) -> [UInt8] {
        var xml = "<rss version=\"2.0\"><channel><title>P</title>"
        for i in 0..<items {
            xml += "<item><guid>\(i)</guid><title>Item \(i)</title><link>/p/\(i)</link>"
                + "<description>&lt;p onclick=\"x\"&gt;Summary \(i) &lt;a href=\"/s/\(i)\"&gt;s&lt;/a&gt;&lt;/p&gt;</description>"
                + "<content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><![CDATA[<div>Body \(i)<script>x()</script><img src=\"/i/\(i).png\"></div>]]></content:encoded>"
                + "</item>"
        }
        return Array((xml + "</channel></rss>").utf8)
    }

    func parse(_ bytes: [UInt8], threshold: Int, chunk: Int, streaming: Bool) throws -> [ParsedEntry] {
        var streamed: [ParsedEntry] = []
        let parser = FeedStreamParser(url: "https://example.org/feed", pipelineThreshold: threshold,
                                      onEntry: streaming ? { streamed.append($0) } : nil)
        try push(bytes, to: parser, inChunksOf: chunk)
        let feed = try parser.finish()
        return streaming ? streamed : feed.entries
    }

    @Test(arguments: [false, true])
    func pipelinedParsingGivesTheSameEntriesInTheSameOrder(streaming: Bool) throws {
        let bytes = document(items: 2000)
        let plain = try parse(bytes, threshold: .max, chunk: 1 << 20, streaming: streaming)
        let pipelined = try parse(bytes, threshold: 0, chunk: 4096, streaming: streaming)
        #expect(plain.count == 2000)
        #expect(pipelined == plain)
        #expect(pipelined[1999].content == "<div>Body 1999<img src=\"https://example.org/i/1999.png\"></div>")
        #expect(pipelined[7].summary == "<p>Summary 7 <a href=\"https://example.org/s/7\">s</a></p>")
    }
}

/// Feeds `bytes` to `parser` in pieces of `chunk` bytes, as a network would.
func push(_ bytes: [UInt8], to parser: FeedStreamParser, inChunksOf chunk: Int) throws {
    var offset = 0
    while offset < bytes.count {
        let end = min(offset + chunk, bytes.count)
        try Array(bytes[offset..<end]).withUnsafeBytes { try parser.push($0) }
        offset = end
    }
}

extension FeedParser {
    /// The parse of a whole document, failure included, for comparing.
    static func parseOutcome(_ bytes: [UInt8]) -> Result<ParsedFeed, NotAFeed> {
        Result { () throws(NotAFeed) in try parse(bytes) }
    }
}
