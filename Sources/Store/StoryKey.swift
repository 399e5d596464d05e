import Foundation

/// One story carried by several feeds: articles whose canonical link matches are the
/// same story. Canonical means: scheme and host lower-cased, the default port dropped,
/// no fragment, and no tracking parameters (`utm_*`, `fbclid`, `gclid`); the path and
/// the other parameters are kept as they are (they can name different pages).
enum StoryKey {
    static let trackingParameters: Set<String> = ["fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid"]

    static func of(_ link: String?) -> String? {
        guard let link, !link.isEmpty, var components = URLComponents(string: link),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else { return nil }
        components.scheme = scheme
        components.host = host.lowercased()
        if (scheme == "http" && components.port == 80) || (scheme == "https" && components.port == 443) {
            components.port = nil
        }
        components.fragment = nil
        if let items = components.queryItems {
            let kept = items.filter { item in
                let name = item.name.lowercased()
                return !name.hasPrefix("utm_") && !trackingParameters.contains(name)
            }
            components.queryItems = kept.isEmpty ? nil : kept
        }
        if components.path.isEmpty { components.path = "/" }
        return components.string
    }

    /// The story's identity as stored: a stable 64-bit hash of the canonical link.
    static func hash(_ link: String?) -> Int64? {
        of(link).map { Int64(bitPattern: UInt64(Hash.fnv1a64Hex([$0]), radix: 16) ?? 0) }
    }
}
