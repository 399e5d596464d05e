import Foundation
import Testing
@testable import FeedParser

@Suite struct SafetyAndDetectionTests {
    @Test(arguments: [
        ("<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>", "HTML document"),
        ("", "empty document"),
        ("  \n ", "empty document"),
        (#"{"name": "not a feed"}"#, "JSON document that is not a JSON Feed (no version, no items)"),
        ("[1, 2]", "JSON document that is not an object"),
        (#"{"version": "https://jsonfeed.org/version/1.1", "items": [ }"#, "invalid JSON (Invalid value around character 59.)"),
        ("<note><to>x</to></note>", "XML document with root element <note>"),
    ])
    func refusesWhatIsNotAFeed(input: String, reason: String) {
        #expect(throws: NotAFeed(reason: reason)) { try parse(input) }
    }

    @Test func namesBinaryFormatsServersSendInstead() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        #expect(throws: NotAFeed(reason: "PNG image")) { try FeedParser.parse(png) }
        #expect(throws: NotAFeed(reason: "gzip data (the server sent it compressed without saying so)")) {
            try FeedParser.parse([0x1F, 0x8B, 0x08, 0x00])
        }
    }

    @Test func refusesTextThatIsNotXMLWithTheParsersReason() {
        #expect {
            try parse("hello, this is plain text")
        } throws: { error in
            (error as? NotAFeed)?.reason.hasPrefix("not an XML document (line 1:1: Document is empty)") == true
        }
    }

    @Test func refusesDocumentsOverTheSizeLimit() {
        #expect(throws: NotAFeed.self) {
            try FeedParser.parse(Array("<rss><channel></channel></rss>".utf8), maximumSize: 10)
        }
    }

    @Test func neverLoadsExternalEntities() throws {
        let feed = try parse("""
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <rss version="2.0"><channel><title>t&xxe;</title><item><title>i</title></item></channel></rss>
            """)
        #expect(feed.title == "t")
        #expect(feed.title?.contains("root:") == false)
    }

    @Test func neverExpandsEntityBombs() throws {
        var doctype = "<!DOCTYPE rss [<!ENTITY a0 \"lol\">"
        for i in 1...10 { doctype += "<!ENTITY a\(i) \"" + String(repeating: "&a\(i - 1);", count: 10) + "\">" }
        doctype += "]>"
        let started = Date()
        let feed = try parse(doctype + "<rss version=\"2.0\"><channel><title>x&a10;</title></channel></rss>")
        #expect(feed.title == "x")
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func truncatedDocumentsKeepTheEntriesBeforeTheCut() throws {
        let full = try String(decoding: Fixture.bytes("xinhua-china.rss.xml"), as: UTF8.self)
        let cut = String(full[..<full.range(of: "<title>Golden Week")!.lowerBound])
        let feed = try parse(cut)
        #expect(feed.entries.count >= 2)
        #expect(!feed.warnings.isEmpty)
        #expect(feed.warnings.allSatisfy { $0.hasPrefix("line ") })
    }

    @Test func leadingBOMAndWhitespaceAreAccepted() throws {
        let feed = try FeedParser.parse([0xEF, 0xBB, 0xBF] + Array("\n  <rss version=\"2.0\"><channel><title>B</title></channel></rss>".utf8))
        #expect(feed.title == "B")
    }
}

@Suite struct ContractJSONTests {
    @Test func everyContractKeyIsPresentWithNullsForAbsentValues() throws {
        let feed = try parse(#"<rss version="2.0"><channel><item><title>t</title></item></channel></rss>"#)
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(feed.jsonText().utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["format", "title", "link", "description", "language", "updated", "authors",
                                     "categories", "entries", "warnings"])
        #expect(object["format"] as? String == "rss2.0")
        #expect(object["link"] is NSNull)
        let entry = try #require((object["entries"] as? [[String: Any]])?.first)
        #expect(Set(entry.keys) == ["id", "title", "link", "published", "updated", "author", "authors", "summary",
                                    "content", "categories", "enclosures"])
        #expect(entry["title"] as? String == "t")
        #expect(entry["published"] is NSNull)
    }

    @Test func datesAreRFC3339UTC() throws {
        let feed = try Fixture.parse("xinhua-china.rss.xml")
        let object = try #require(JSONSerialization.jsonObject(with: Data(feed.jsonText().utf8)) as? [String: Any])
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries.map { $0["published"] as? String } == [
            "2020-10-30T16:21:15Z", "2020-09-28T10:02:40Z", "2020-10-08T13:45:00Z",
        ])
    }
}
