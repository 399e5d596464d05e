import Foundation

/// Feeds well-known sites have but do not announce: a YouTube channel, user or playlist
/// page → its videos feed; a GitHub repository → its releases (and tags) feeds, a GitHub
/// user → their activity feed. Pure: the address in, candidate feed URLs out (each is
/// still fetched and parsed before it is offered).
public enum SiteRules {
    public static func candidates(for address: String) -> [String] {
        guard let components = URLComponents(string: address), let host = components.host?.lowercased() else { return [] }
        let parts = components.path.split(separator: "/").map(String.init)
        let query = Dictionary((components.queryItems ?? []).compactMap { item in item.value.map { (item.name, $0) } },
                               uniquingKeysWith: { first, _ in first })
        if host == "youtube.com" || host.hasSuffix(".youtube.com") {
            let feeds = "https://www.youtube.com/feeds/videos.xml"
            if let list = query["list"], parts.first == "playlist" || parts.first == "watch" {
                return ["\(feeds)?playlist_id=\(list)"]
            }
            if parts.count >= 2, parts[0] == "channel", parts[1].hasPrefix("UC") {
                return ["\(feeds)?channel_id=\(parts[1])"]
            }
            if parts.count >= 2, parts[0] == "user" { return ["\(feeds)?user=\(parts[1])"] }
            return []  // `@handle` and `/c/name` pages: their canonical link names the channel
        }
        if host == "github.com" || host == "www.github.com" {
            let reserved: Set<String> = ["features", "topics", "orgs", "settings", "marketplace", "explore", "login", "about"]
            guard let owner = parts.first, !reserved.contains(owner.lowercased()) else { return [] }
            if parts.count >= 2 {
                let repository = "https://github.com/\(owner)/\(parts[1])"
                return ["\(repository)/releases.atom", "\(repository)/tags.atom", "\(repository)/commits.atom"]
            }
            return ["https://github.com/\(owner).atom"]
        }
        return []
    }
}

/// Where sites usually keep their feed when the page does not say: relative to the site's
/// root and, for a page in a folder, to that folder.
public enum WellKnownPaths {
    public static let names = ["feed", "rss", "rss.xml", "atom.xml", "feed.xml", "index.xml"]

    public static func candidates(for pageURL: String) -> [String] {
        guard var components = URLComponents(string: pageURL), components.host != nil else { return [] }
        components.query = nil
        components.fragment = nil
        let path = components.path
        var folders = ["/"]
        if let slash = path.lastIndex(of: "/"), path[..<slash].count > 0 {
            folders.append(String(path[...slash]))
        }
        var seen = Set<String>()
        return folders.flatMap { folder in
            names.compactMap { name -> String? in
                components.path = folder + name
                guard let url = components.string, seen.insert(url).inserted else { return nil }
                return url
            }
        }
    }
}
