import Foundation
import Testing
@testable import FeedParser

@Suite struct AtomParsingTests {
    @Test func readsTheXinhuaSeedFeed() throws {
        let feed = try Fixture.parse("xinhua-scitech.atom.xml")
        #expect(feed.format == .atom10)
        #expect(feed.title == "Xinhua | Sci-Tech")
        #expect(feed.link == "http://www.xinhuanet.com/english/scitech/")
        #expect(feed.language == "en")
        #expect(feed.updated.map(DateFormatting.rfc3339) == "2020-10-31T01:40:00Z")
        let entry = try #require(feed.entries.first)
        #expect(entry.id == "tag:xinhuanet.com,2020-10-31:c_139480212")
        #expect(entry.title == "China to keep its door open in pursuing innovation: official")
        #expect(entry.link == "http://www.xinhuanet.com/english/2020-10/31/c_139480212.htm")
        #expect(entry.published.map(DateFormatting.rfc3339) == "2020-10-30T16:21:15Z")
        #expect(entry.updated.map(DateFormatting.rfc3339) == "2020-10-30T16:21:15Z")
        #expect(entry.authors == [ParsedPerson(name: "Xinhua")])
        #expect(entry.content?.hasPrefix("<p>BEIJING, Oct. 30") == true)
    }

    @Test func textConstructsFollowTheirType() throws {
        let feed = try parse("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title type="html">A &lt;i&gt;feed&lt;/i&gt;</title>
            <entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X<b>HTML</b> title</div></title>
            <summary>1 &lt; 2 &amp; 3</summary>
            <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hello <b>world</b> &amp; x<br/>y</p></div></content>
            </entry></feed>
            """)
        #expect(feed.title == "A feed")
        let entry = feed.entries[0]
        #expect(entry.title == "XHTML title")
        #expect(entry.summary == "1 &lt; 2 &amp; 3")  // text becomes escaped HTML
        #expect(entry.content == "<p>Hello <b>world</b> &amp; x<br>y</p>")
    }

    @Test func xmlBaseResolvesLinksPerElement() throws {
        let feed = try parse("""
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://example.org/blog/">
            <link href="./"/><link rel="self" href="feed.atom"/>
            <entry xml:base="2020/"><link href="post.html"/><link rel="enclosure" href="/a.mp3" length="10" type="audio/mpeg"/>
            <author><name>Ann</name><uri>/ann</uri><email>ann@example.org</email></author></entry>
            <entry><link rel="related" href="other"/><link href="second"/></entry>
            </feed>
            """)
        #expect(feed.link == "http://example.org/blog/")
        #expect(feed.entries[0].link == "http://example.org/blog/2020/post.html")
        #expect(feed.entries[0].enclosures == [ParsedEnclosure(url: "http://example.org/a.mp3", type: "audio/mpeg", length: 10)])
        #expect(feed.entries[0].authors == [ParsedPerson(name: "Ann", email: "ann@example.org", uri: "http://example.org/ann")])
        #expect(feed.entries[1].link == "http://example.org/blog/second")
    }

    @Test func feedAuthorsAndSourceElementsStayInTheirPlace() throws {
        let feed = try parse("""
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Mine</title><author><name>Owner</name></author>
            <entry><title>E</title><source><title>Theirs</title><author><name>Them</name></author></source></entry>
            </feed>
            """)
        #expect(feed.title == "Mine")
        #expect(feed.authors == [ParsedPerson(name: "Owner")])
        #expect(feed.entries[0].title == "E")
        #expect(feed.entries[0].authors.isEmpty)
    }

    @Test func readsAtom03() throws {
        let feed = try parse("""
            <feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old Atom</title>
            <link rel="alternate" type="text/html" href="http://example.org/"/>
            <entry><title>E</title><link rel="alternate" href="http://example.org/e"/><id>e1</id>
            <issued>2004-01-02T03:04:05Z</issued><modified>2004-01-03T03:04:05Z</modified>
            <content type="text/html" mode="escaped">&lt;p&gt;hi&lt;/p&gt;</content></entry></feed>
            """)
        #expect(feed.format == .atom03)
        #expect(feed.entries[0].published.map(DateFormatting.rfc3339) == "2004-01-02T03:04:05Z")
        #expect(feed.entries[0].updated.map(DateFormatting.rfc3339) == "2004-01-03T03:04:05Z")
        #expect(feed.entries[0].content == "<p>hi</p>")
    }

    @Test func realWorldFixturesParse() throws {
        let qemu = try Fixture.parse("qemu.atom")
        #expect(qemu.format == .atom10)
        #expect(qemu.entries.count == 10)
        let rootAuthor = try Fixture.parse("root-author.atom")
        #expect(rootAuthor.entries.count == 2)
        #expect(!rootAuthor.authors.isEmpty)
    }
}
