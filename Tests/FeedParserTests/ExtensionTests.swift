import Foundation
import Testing
@testable import FeedParser

@Suite struct ExtensionTests {
    @Test func mediaRSSContentAndThumbnailsBecomeEnclosures() throws {
        let feed = try parse("""
            <rss version="2.0" xmlns:m="http://search.yahoo.com/mrss/"><channel><item><title>t</title>
            <m:group><m:content url="https://cdn.example/v.mp4" type="video/mp4" fileSize="1000"/>
            <m:content url="https://cdn.example/v.mp4" type="video/mp4"/></m:group>
            <m:thumbnail url="/thumb.jpg"/>
            <enclosure url="https://cdn.example/a.mp3" type="audio/mpeg" length="5"/>
            </item></channel></rss>
            """, url: "https://example.org/feed")
        #expect(feed.entries[0].enclosures == [
            ParsedEnclosure(url: "https://cdn.example/v.mp4", type: "video/mp4", length: 1000),
            ParsedEnclosure(url: "https://example.org/thumb.jpg"),
            ParsedEnclosure(url: "https://cdn.example/a.mp3", type: "audio/mpeg", length: 5),
        ])
    }

    @Test func mediaInAtomEntriesToo() throws {
        let feed = try parse("""
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
            <entry><id>v1</id><media:group><media:thumbnail url="https://i.example/1.jpg" width="480"/></media:group></entry>
            </feed>
            """)
        #expect(feed.entries[0].enclosures.map(\.url) == ["https://i.example/1.jpg"])
    }

    @Test func iTunesFillsWhatTheStandardElementsLeaveOut() throws {
        let feed = try parse("""
            <rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
            <itunes:author>The Show</itunes:author><itunes:image href="https://example.org/art.jpg"/>
            <item><title>Ep 1</title><itunes:author>Host</itunes:author><itunes:summary>Talk &amp; more</itunes:summary>
            <itunes:duration>1:02:03</itunes:duration><itunes:image href="ep1.jpg"/></item>
            <item><title>Ep 2</title><author>jo@example.org (Jo)</author><itunes:author>Host</itunes:author>
            <description>Own summary</description><itunes:summary>Not this</itunes:summary><itunes:duration>95</itunes:duration></item>
            <item><title>Ep 3</title><itunes:duration>62:03</itunes:duration></item>
            <item><title>Ep 4</title><itunes:duration>soon</itunes:duration></item>
            </channel></rss>
            """, url: "https://example.org/feed")
        #expect(feed.authors == [ParsedPerson(name: "The Show")])
        #expect(feed.image == "https://example.org/art.jpg")
        #expect(feed.entries[0].author == "Host")
        #expect(feed.entries[0].summary == "Talk &amp; more")
        #expect(feed.entries[0].image == "https://example.org/ep1.jpg")
        #expect(feed.entries.map(\.duration) == [3723, 95, 3723, nil])
        #expect(feed.entries[1].author == "Jo")
        #expect(feed.entries[1].summary == "Own summary")
    }

    @Test func slashCommentsAndJSONExtras() throws {
        let feed = try parse("""
            <rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>
            <item><title>t</title><slash:comments>42</slash:comments></item><item><title>u</title></item></channel></rss>
            """)
        #expect(feed.entries.map(\.commentCount) == [42, nil])
        let object = try #require(JSONSerialization.jsonObject(with: Data(feed.jsonText().utf8)) as? [String: Any])
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(entries[0]["comments"] as? Int == 42)
        #expect(entries[1]["comments"] == nil)  // extras appear only when present
    }

    @Test func jsonFeedItemsAreAdaptedToTheSameModel() throws {
        let feed = try parse("""
            {"version": "https://jsonfeed.org/version/1.1", "title": "J &amp; F", "home_page_url": "https://example.org/",
             "feed_url": "https://example.org/feed.json", "language": "en",
             "authors": [{"name": "Ann", "url": "/ann"}],
             "items": [
              {"id": 7, "url": "/p/7", "title": "Seven", "content_html": "<p onclick=x>hi <script>x</script></p>",
               "summary": "a < b", "date_published": "2020-10-30T16:21:15Z", "date_modified": "garbage",
               "tags": ["x", "y"], "attachments": [{"url": "a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 10}]},
              {"id": "8", "external_url": "https://other.example/8", "content_text": "1 < 2"},
              "not an object"
             ]}
            """, url: nil)
        #expect(feed.format == .json11)
        #expect(feed.title == "J & F")
        #expect(feed.language == "en")
        #expect(feed.authors == [ParsedPerson(name: "Ann", uri: "https://example.org/ann")])
        let first = feed.entries[0]
        #expect(first.id == "7")
        #expect(first.link == "https://example.org/p/7")
        #expect(first.content == "<p>hi </p>")
        #expect(first.summary == "a &lt; b")
        #expect(first.published.map(DateFormatting.rfc3339) == "2020-10-30T16:21:15Z")
        #expect(first.updated == nil)
        #expect(first.categories == ["x", "y"])
        #expect(first.enclosures == [ParsedEnclosure(url: "https://example.org/a.mp3", type: "audio/mpeg", length: 10)])
        #expect(feed.entries[1].link == "https://other.example/8")
        #expect(feed.entries[1].content == "1 &lt; 2")
        #expect(feed.warnings.count == 2)  // the bad date and the item that is not an object
    }

    @Test func jsonFeed10AuthorAndBareVersion() throws {
        let old = try parse(#"{"version": "https://jsonfeed.org/version/1", "author": {"name": "Old"}, "items": []}"#)
        #expect(old.format == .json10)
        #expect(old.authors == [ParsedPerson(name: "Old")])
        let bare = try parse(#"{"version": "1.0", "items": [{"id": "x"}]}"#)
        #expect(bare.format == .json10)
        #expect(bare.entries.count == 1)
    }
}

@Suite struct RefreshHintTests {
    @Test func ttlAndTheSyndicationModuleBecomeARefreshInterval() throws {
        let ttl = try parse(#"<rss version="2.0"><channel><ttl>90</ttl></channel></rss>"#)
        #expect(ttl.refreshInterval == 5400)
        let sy = try parse("""
            <rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
            <sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency></channel></rss>
            """)
        #expect(sy.refreshInterval == 21_600)
        let both = try parse("""
            <rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
            <ttl>30</ttl><sy:updatePeriod>hourly</sy:updatePeriod></channel></rss>
            """)
        #expect(both.refreshInterval == 1800)  // ttl wins
        let junk = try parse(#"<rss version="2.0"><channel><ttl>soon</ttl><item><ttl>5</ttl></item></channel></rss>"#)
        #expect(junk.refreshInterval == nil)
    }
}
