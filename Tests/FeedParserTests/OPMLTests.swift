import Foundation
import Testing
@testable import FeedParser

@Suite struct OPMLTests {
    @Test func readsFeedsWithTheirFoldersAndTitles() throws {
        let text = """
            <?xml version="1.0"?>
            <!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <opml version="1.0"><head><title>mine</title></head><body>
              <outline text="News">
                <outline text="World" title="World &amp; more" type="rss" xmlUrl="https://a.example/feed" htmlUrl="https://a.example/"/>
                <outline text="Inner"><outline text="Deep" xmlUrl="https://b.example/rss"/></outline>
              </outline>
              <outline text="Loose" xmlUrl="http://c.example/atom.xml"/>
              <outline text="&xxe;" xmlUrl="https://d.example/x"/>
            </body></opml>
            """
        let feeds = try OPML.read(Array(text.utf8))
        #expect(feeds == [
            OPML.Feed(url: "https://a.example/feed", title: "World & more", siteURL: "https://a.example/", folders: ["News"]),
            OPML.Feed(url: "https://b.example/rss", title: "Deep", folders: ["News", "Inner"]),
            OPML.Feed(url: "http://c.example/atom.xml", title: "Loose"),
            OPML.Feed(url: "https://d.example/x", title: nil),  // the external entity is never loaded
        ])
    }

    @Test func refusesWhatIsNotOPML() {
        #expect(throws: OPML.ReadError.self) { try OPML.read(Array("<rss/>".utf8)) }
        #expect(throws: OPML.ReadError.self) { try OPML.read([]) }
    }

    @Test func writesOPML2ThatReadsBack() throws {
        let feeds = [OPML.Feed(url: "https://a.example/feed?x=1&y=2", title: "A \"quoted\" <title>", folders: ["news"]),
                     OPML.Feed(url: "https://b.example/rss", siteURL: "https://b.example/")]
        let text = OPML.write(feeds, title: "t", now: Date(timeIntervalSince1970: 0))
        #expect(text.contains("<opml version=\"2.0\">"))
        #expect(text.contains("<dateCreated>Thu, 01 Jan 1970 00:00:00 GMT</dateCreated>"))
        #expect(text.contains("xmlUrl=\"https://a.example/feed?x=1&amp;y=2\""))
        let back = try OPML.read(Array(text.utf8))
        #expect(back == [OPML.Feed(url: "https://a.example/feed?x=1&y=2", title: "A \"quoted\" <title>", folders: ["news"]),
                         OPML.Feed(url: "https://b.example/rss", title: "https://b.example/rss", siteURL: "https://b.example/")])
    }
}
