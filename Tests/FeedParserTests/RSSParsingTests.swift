import Foundation
import Testing
@testable import FeedParser

@Suite struct RSSParsingTests {
    @Test func readsTheXinhuaSeedFeed() throws {
        let feed = try Fixture.parse("xinhua-china.rss.xml", url: "http://www.xinhuanet.com/english/rss/chinarss.xml")
        #expect(feed.format == .rss20)
        #expect(feed.title == "Xinhua | China")
        #expect(feed.link == "http://www.xinhuanet.com/english/china/")
        #expect(feed.description == "Latest China news from Xinhua")
        #expect(feed.language == "en")
        #expect(feed.updated.map(DateFormatting.rfc3339) == "2020-10-31T01:30:00Z")
        #expect(feed.warnings.isEmpty)
        #expect(feed.entries.map(\.title) == [
            "China to keep its door open in pursuing innovation: official",
            "Autumn harvest in full swing across northern provinces",
            "Golden Week travel figures released",
        ])
        let first = feed.entries[0]
        #expect(first.id == "xinhua-c_139480212")
        #expect(first.link == "http://www.xinhuanet.com/english/2020-10/31/c_139480212.htm")
        #expect(first.published.map(DateFormatting.rfc3339) == "2020-10-30T16:21:15Z")
        #expect(first.author == "Xinhua")
        #expect(first.categories == ["Sci-Tech"])
        #expect(first.summary?.hasPrefix("BEIJING, Oct. 30 (Xinhua) -- China will continue") == true)
        #expect(first.content?.hasPrefix("<p>BEIJING, Oct. 30 (Xinhua)") == true)
        #expect(first.content?.contains("entrepreneurs, Wang said.</p>") == true)
        #expect(feed.entries[2].published.map(DateFormatting.rfc3339) == "2020-10-08T13:45:00Z")
    }

    @Test func htmlNamedEntitiesAreDecoded() throws {
        let feed = try parse("""
            <rss version="2.0"><channel><title>Caf&eacute; &amp; more&nbsp;&mdash; news</title>
            <item><title>d&eacute;j&agrave; vu &hellip;</title><description>&lt;p&gt;caf&eacute;&lt;/p&gt;</description></item>
            </channel></rss>
            """)
        #expect(feed.title == "Café & more — news")
        #expect(feed.entries[0].title == "déjà vu …")
        #expect(feed.entries[0].summary == "<p>café</p>")
        #expect(feed.warnings.isEmpty)
    }

    @Test func markupInTitlesIsReducedToText() throws {
        let feed = try parse("""
            <rss version="2.0"><channel><item><title>A &lt;b&gt;bold&lt;/b&gt; move &amp;amp; more</title></item>
            <item><title>AT&amp;T and 3 &lt; 4</title></item></channel></rss>
            """)
        #expect(feed.entries[0].title == "A bold move & more")
        #expect(feed.entries[1].title == "AT&T and 3 < 4")
    }

    @Test func recoveryKeepsEntriesAndEntitiesAfterAnError() throws {
        let feed = try parse("""
            <rss version="2.0"><channel>
            <item><title>Tom & Jerry</title><guid>1</guid></item>
            <item><title>Fish &amp; chips &eacute;t&eacute;</title><guid>2</guid></item>
            </channel></rss>
            """)
        #expect(feed.entries.count == 2)
        #expect(feed.entries[1].title == "Fish & chips été")
        #expect(feed.warnings.first?.hasPrefix("line 2:") == true)
    }

    @Test func linksAndEnclosuresAreMadeAbsolute() throws {
        let feed = try parse("""
            <rss version="2.0"><channel><link>/</link>
            <item><link>posts/1.html</link><enclosure url="/audio/1.mp3" type="audio/mpeg" length=" 12345 "/></item>
            <item><guid>https://example.org/p/2</guid></item>
            <item><guid isPermaLink="false">https://example.org/p/3</guid></item>
            </channel></rss>
            """, url: "https://example.org/blog/feed.xml")
        #expect(feed.link == "https://example.org/")
        #expect(feed.entries[0].link == "https://example.org/blog/posts/1.html")
        #expect(feed.entries[0].enclosures == [
            ParsedEnclosure(url: "https://example.org/audio/1.mp3", type: "audio/mpeg", length: 12345),
        ])
        #expect(feed.entries[1].link == "https://example.org/p/2")  // a permalink guid is the link
        #expect(feed.entries[2].link == nil)
    }

    @Test func elementsOutsideChannelAndItemDoNotOverwriteFields() throws {
        let feed = try parse("""
            <rss version="2.0"><channel><title>Real</title><link>http://real.example/</link>
            <image><title>Logo</title><link>http://logo.example/</link><url>http://logo.example/l.png</url></image>
            <item><title>Item</title><source url="http://other.example/">Other</source></item></channel></rss>
            """)
        #expect(feed.title == "Real")
        #expect(feed.link == "http://real.example/")
        #expect(feed.entries.map(\.title) == ["Item"])
    }

    @Test func dublinCoreAndContentNamespacesAreMatchedByURINotPrefix() throws {
        let feed = try parse("""
            <rss version="2.0" xmlns:x="http://purl.org/dc/elements/1.1/" xmlns:c="http://purl.org/rss/1.0/modules/content/"
                 xmlns:dc="http://example.org/not-dublin-core">
            <channel><item><x:creator>Ann</x:creator><x:date>2020-10-30T16:21:15Z</x:date><x:subject>Tech</x:subject>
            <dc:creator>Not Ann</dc:creator><c:encoded><![CDATA[<p>full</p>]]></c:encoded><category>Tech</category>
            </item></channel></rss>
            """)
        let entry = try #require(feed.entries.first)
        #expect(entry.author == "Ann")
        #expect(entry.authors.count == 1)
        #expect(entry.published.map(DateFormatting.rfc3339) == "2020-10-30T16:21:15Z")
        #expect(entry.categories == ["Tech"])
        #expect(entry.content == "<p>full</p>")
    }

    @Test func authorFormsAreSplitIntoNameAndEmail() throws {
        let feed = try parse("""
            <rss version="2.0"><channel><managingEditor>ed@example.org (The Editor)</managingEditor>
            <item><author>jo@example.org (Jo Bloggs)</author></item>
            <item><author>Jo Bloggs &lt;jo@example.org&gt;</author></item>
            <item><author>jo@example.org</author></item></channel></rss>
            """)
        #expect(feed.authors == [ParsedPerson(name: "The Editor", email: "ed@example.org")])
        #expect(feed.entries.map(\.authors) == [
            [ParsedPerson(name: "Jo Bloggs", email: "jo@example.org")],
            [ParsedPerson(name: "Jo Bloggs", email: "jo@example.org")],
            [ParsedPerson(email: "jo@example.org")],
        ])
        #expect(feed.entries[2].author == "jo@example.org")
    }

    @Test func unparseableDatesAreNullWithAWarning() throws {
        let feed = try parse("""
            <rss version="2.0"><channel>
            <item><title>a</title><pubDate>sometime soon</pubDate></item></channel></rss>
            """)
        #expect(feed.entries[0].published == nil)
        #expect(feed.warnings == ["line 2: unparseable date 'sometime soon'"])
    }

    @Test func readsRSS10AndRSS091() throws {
        let rdf = try parse("""
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                     xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel rdf:about="http://example.org/"><title>RDF feed</title><link>http://example.org/</link></channel>
            <item rdf:about="http://example.org/1"><title>One</title><link>http://example.org/1</link>
            <dc:date>2020-10-30T16:21:15Z</dc:date></item>
            </rdf:RDF>
            """)
        #expect(rdf.format == .rss10)
        #expect(rdf.title == "RDF feed")
        #expect(rdf.entries.map(\.id) == ["http://example.org/1"])
        #expect(rdf.entries[0].published != nil)

        let old = try parse(#"<rss version="0.91"><channel><title>Old</title><item><title>i</title></item></channel></rss>"#)
        #expect(old.format == .rss091)
        #expect(old.entries.count == 1)
    }

    @Test func realWorldFixturesParse() throws {
        let expectations: [(String, FeedFormat, Int)] = [
            ("EMarley.rss", .rss20, 10), ("bio.rdf", .rss10, 30), ("donthitsave.xml", .rss20, 10),
            ("kc0011.rss", .rss20, 20), ("shopify-namespace.rss", .rss20, 1),
        ]
        for (name, format, count) in expectations {
            let feed = try Fixture.parse(name)
            #expect(feed.format == format, "\(name)")
            #expect(feed.entries.count == count, "\(name)")
            #expect(feed.entries.allSatisfy { $0.title != nil || $0.summary != nil }, "\(name)")
        }
    }

    @Test func gb2312IsDecodedFromTheXMLDeclaration() throws {
        let feed = try Fixture.parse("kc0011.rss")
        #expect(feed.title == "投资资讯网交易在线--流通纪念币最新20篇论坛主题-全文")
        #expect(feed.entries[0].published.map(DateFormatting.rfc3339) == "2020-01-10T14:33:00Z")
    }
}
