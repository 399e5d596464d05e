import Foundation
import Testing
@testable import Discovery

/// What a page announces, what well-known sites keep, where feeds usually are: the pure
/// parts of `aggregator add`'s discovery (the fetching is tested end to end).
@Suite struct FeedLinksTests {
    func links(_ html: String, page: String = "https://example.org/blog/post.html") -> FeedLinks {
        FeedLinks.read(html: Array(html.utf8), pageURL: page)
    }

    @Test func alternateLinksOfFeedTypesResolvedAgainstThePage() {
        let found = links("""
            <html><head><title>Blog</title>
            <link rel="stylesheet" href="/style.css" type="text/css">
            <link rel="alternate" type="application/rss+xml" title="Posts" href="feed.xml">
            <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="/atom.xml">
            <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
            <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts">
            <link rel="alternate" type="application/feed+json" title=" JSON " href="https://cdn.example.net/feed.json">
            <link rel="alternate" type="application/rss+xml" href="feed.xml">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            </head><body><p>text
            """)
        #expect(found.feeds.map(\.url) == [
            "https://example.org/blog/feed.xml", "https://example.org/atom.xml", "https://cdn.example.net/feed.json",
        ])
        #expect(found.feeds.map(\.title) == ["Posts", nil, "JSON"])
        #expect(found.feeds[1].type == "application/atom+xml")
    }

    @Test func baseHrefAndCanonicalAndRelFeed() {
        let found = links("""
            <head><base href="https://static.example.org/b/"><link rel="canonical" href="/channel/UCabc">
            <link rel="feed" href="news.rss"></head>
            """, page: "https://www.youtube.com/@someone")
        #expect(found.canonical == "https://static.example.org/channel/UCabc")
        #expect(found.feeds.map(\.url) == ["https://static.example.org/b/news.rss"])
    }

    @Test func brokenMarkupAndNoHeadStillRead() {
        #expect(links("<link rel=alternate type=application/rss+xml href=/f.rss><div><p>unclosed").feeds.map(\.url)
                == ["https://example.org/f.rss"])
        #expect(links("").feeds.isEmpty)
        #expect(links("not html at all").feeds.isEmpty)
    }
}

@Suite struct SiteRulesTests {
    @Test(arguments: [
        ("https://www.youtube.com/channel/UCxyz123", ["https://www.youtube.com/feeds/videos.xml?channel_id=UCxyz123"]),
        ("https://youtube.com/user/someone/videos", ["https://www.youtube.com/feeds/videos.xml?user=someone"]),
        ("https://www.youtube.com/playlist?list=PL123", ["https://www.youtube.com/feeds/videos.xml?playlist_id=PL123"]),
        ("https://m.youtube.com/watch?v=abc&list=PL9", ["https://www.youtube.com/feeds/videos.xml?playlist_id=PL9"]),
        ("https://www.youtube.com/@handle", []),
        ("https://github.com/apple/swift", ["https://github.com/apple/swift/releases.atom", "https://github.com/apple/swift/tags.atom",
                                            "https://github.com/apple/swift/commits.atom"]),
        ("https://github.com/apple/swift/issues", ["https://github.com/apple/swift/releases.atom", "https://github.com/apple/swift/tags.atom",
                                                   "https://github.com/apple/swift/commits.atom"]),
        ("https://github.com/someone", ["https://github.com/someone.atom"]),
        ("https://github.com/topics/rss", []),
        ("https://example.org/channel/UC1", []),
    ])
    func wellKnownSites(_ address: String, _ expected: [String]) {
        #expect(SiteRules.candidates(for: address) == expected)
    }
}

@Suite struct WellKnownPathsTests {
    @Test func rootAndTheFolderOfThePage() {
        #expect(WellKnownPaths.candidates(for: "https://example.org") == WellKnownPaths.names.map { "https://example.org/\($0)" })
        let nested = WellKnownPaths.candidates(for: "https://example.org/blog/post.html?x=1#top")
        #expect(nested.count == 2 * WellKnownPaths.names.count)
        #expect(nested.first == "https://example.org/feed")
        #expect(nested.contains("https://example.org/blog/rss.xml"))
        #expect(WellKnownPaths.candidates(for: "not a url").isEmpty)
    }

    @Test func aBareNameMeansHTTPS() {
        #expect(FeedFinder.normalise(" example.org/blog ") == "https://example.org/blog")
        #expect(FeedFinder.normalise("http://127.0.0.1:8080/") == "http://127.0.0.1:8080/")
        #expect(FeedFinder.problem(with: "example.org") == nil)
        #expect(FeedFinder.problem(with: "file:feed.xml") == nil)
        #expect(FeedFinder.problem(with: "ht!tp://bad url")?.hasPrefix("not a web address") == true)
        #expect(FeedFinder.problem(with: "ftp://example.org/feed")?.hasPrefix("not a web address") == true)
    }
}
