import Foundation

/// What a chain of redirects says about where a feed lives.
public enum RedirectChain {
    /// Following the hops from `start` while they are permanent (301, 308): the URL they
    /// lead to, or nil when the first hop is temporary or there is none. A temporary
    /// hop later in the chain ends the permanent part: only what is permanent is kept.
    public static func permanentURL(from start: String, hops: [(status: Int, location: String?)]) -> String? {
        var current = start
        var moved = false
        for hop in hops {
            guard hop.status == 301 || hop.status == 308, let location = hop.location,
                  let next = URL(string: location, relativeTo: URL(string: current))?.absoluteString
            else { break }
            current = next
            moved = true
        }
        return moved && current != start ? current : nil
    }
}
