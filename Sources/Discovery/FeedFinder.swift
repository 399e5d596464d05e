import FeedParser
import Fetcher
import Foundation

/// A feed found for an address, checked by fetching and parsing it.
public struct FeedCandidate: Sendable, Equatable {
    public enum Source: String, Sendable {
        case address = "the address itself"
        case announced = "announced by the page"
        case siteRule = "the site's usual feed"
        case usualPath = "a usual place for feeds"
    }

    public var url: String
    public var title: String?
    public var articles: Int
    public var format: String
    public var source: Source
}

/// What one fetch during discovery gave: a feed, a web page to look into, or nothing.
enum ProbeResult: Sendable {
    case feed(ParsedFeed, url: String)
    case page(html: [UInt8], url: String)
    case failed(String)

    /// Pure: what a response means for discovery.
    static func of(_ response: FetchResponse, requested: String) -> ProbeResult {
        guard response.isSuccess else { return .failed("HTTP \(response.status)") }
        // A permanent redirect names where the feed lives now; a temporary one does not.
        let url = response.permanentURL ?? requested
        if let feed = try? FeedParser.parse(response.body, url: response.effectiveURL, contentType: response.contentType) {
            return .feed(feed, url: url)
        }
        return .page(html: response.body, url: response.effectiveURL)
    }
}

/// Finds the feeds behind an address the way people know a site — its page: the address
/// if it is a feed; else the feeds the page announces and the feeds well-known sites keep
/// (YouTube, GitHub); else the usual places (`/feed`, `/rss.xml`, …). Every candidate is
/// fetched and parsed before it is offered; at most `WellKnownPaths` and the page's own
/// links are tried, a few at a time.
public struct FeedFinder: Sendable {
    public enum Outcome: Sendable {
        case found([FeedCandidate])
        /// Nothing usable: why, and what was tried.
        case nothing(reason: String, tried: [String])
    }

    let fetch: @Sendable (String) async -> Result<FetchResponse, FetchError>

    public init(fetcher: Fetcher, timeout: Int = 20) {
        fetch = { url in
            do throws(FetchError) {
                return .success(try await fetcher.fetch(FetchRequest(url: url, timeout: timeout, connectTimeout: 10,
                                                                     maximumBodySize: 10 * 1024 * 1024)))
            } catch {
                return .failure(error)
            }
        }
    }

    /// `example.org` alone means https.
    public static func normalise(_ address: String) -> String {
        let trimmed = address.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.lowercased().hasPrefix("file:") { return trimmed }
        if trimmed.range(of: "^[A-Za-z][A-Za-z0-9+.-]*://", options: .regularExpression) != nil { return trimmed }
        return "https://" + trimmed
    }

    /// Why `address` cannot be looked at (nil: it can): not http(s) or file, no host, spaces.
    public static func problem(with address: String) -> String? {
        let url = normalise(address)
        if url.lowercased().hasPrefix("file:") { return nil }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              !url.contains(where: { $0.isWhitespace })
        else { return "not a web address: '\(address)' (a site such as example.org, or a feed's http(s) URL)" }
        return nil
    }

    public func find(_ address: String) async -> Outcome {
        let address = Self.normalise(address)
        switch await probe(address) {
        case .failed(let reason):
            // A site rule still knows a feed for a page that cannot be read (YouTube's consent wall).
            let ruled = await verify(SiteRules.candidates(for: address).map { ($0, nil, .siteRule) })
            return ruled.isEmpty ? .nothing(reason: "\(address): \(reason)", tried: [address]) : .found(ruled)
        case .feed(let feed, let url):
            return .found([Self.candidate(feed, url: url, title: nil, source: .address)])
        case .page(let html, let url):
            let links = FeedLinks.read(html: html, pageURL: url)
            var first: [(String, String?, FeedCandidate.Source)] = []
            for page in [address, url] + (links.canonical.map { [$0] } ?? []) {
                first += SiteRules.candidates(for: page).map { ($0, nil, .siteRule) }
            }
            first += links.feeds.map { ($0.url, $0.title, .announced) }
            let found = await verify(first)
            if !found.isEmpty { return .found(found) }
            let usual = WellKnownPaths.candidates(for: url)
            let fallback = await verify(usual.map { ($0, nil, .usualPath) })
            if !fallback.isEmpty { return .found(fallback) }
            return .nothing(reason: "\(address) is a web page that names no feed, and none is at the usual places",
                            tried: [address] + first.map(\.0) + usual)
        }
    }

    private func probe(_ url: String) async -> ProbeResult {
        switch await fetch(url) {
        case .success(let response): return ProbeResult.of(response, requested: url)
        case .failure(let error): return .failed("\(error.kind.rawValue): \(error.message)")
        }
    }

    /// The candidates that are feeds, in the order given, each once (by where it lives).
    private func verify(_ candidates: [(url: String, title: String?, source: FeedCandidate.Source)]) async -> [FeedCandidate] {
        var unique: [(url: String, title: String?, source: FeedCandidate.Source)] = []
        var seen = Set<String>()
        for candidate in candidates where seen.insert(candidate.url).inserted { unique.append(candidate) }
        let results = await withTaskGroup(of: (Int, FeedCandidate?).self) { group in
            for (index, candidate) in unique.enumerated() {
                group.addTask {
                    guard case .feed(let feed, let url) = await probe(candidate.url) else { return (index, nil) }
                    return (index, Self.candidate(feed, url: url, title: candidate.title, source: candidate.source))
                }
            }
            var results = [FeedCandidate?](repeating: nil, count: unique.count)
            for await (index, found) in group { results[index] = found }
            return results
        }
        var where_ = Set<String>()
        return results.compactMap { $0 }.filter { where_.insert($0.url).inserted }
    }

    static func candidate(_ feed: ParsedFeed, url: String, title: String?, source: FeedCandidate.Source) -> FeedCandidate {
        FeedCandidate(url: url, title: feed.title ?? title, articles: feed.entries.count, format: feed.format.rawValue, source: source)
    }
}
