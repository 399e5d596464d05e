import Foundation

/// One story carried by several feeds: articles whose canonical link matches are the
/// same story. Canonical means: scheme and host lower-cased, the default port dropped,
/// no fragment, and no tracking parameters (`utm_*`, `fbclid`, `gclid`); the path and
/// the other parameters are kept as they are (they can name different pages).
enum StoryKey {
    static let trackingParameters: Set<String> = ["fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid"]

    static func of(_ link: String?) -> String? {
        guard let link, !link.isEmpty else { return nil }
        if let plain = alreadyCanonical(link) { return plain }
        return parsed(link)
    }

    /// The common link that is canonical as it stands (or but for a missing `/` path),
    /// read byte by byte: URLComponents cost 4% of a cold poll. Whatever this does not
    /// recognise goes to `parsed`, which it matches exactly (a test compares the two).
    static func alreadyCanonical(_ link: String) -> String? {
        var link = link
        return link.withUTF8 { bytes -> String? in
            let schemeEnd: Int
            if bytes.starts(with: "https://".utf8) { schemeEnd = 8 }
            else if bytes.starts(with: "http://".utf8) { schemeEnd = 7 }
            else { return nil }
            var index = schemeEnd
            // Authority: lower-case host name only (no user, port or IPv6 literal).
            while index < bytes.count, bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: "?") {
                let byte = bytes[index]
                guard (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else { return nil }
                index += 1
            }
            guard index > schemeEnd else { return nil }
            let authorityEnd = index
            // Path: characters a URL may hold as they are; no fragment.
            while index < bytes.count, bytes[index] != UInt8(ascii: "?") {
                if bytes[index] == UInt8(ascii: "%") {  // only a whole escape: URLComponents refuses a stray %
                    guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else { return nil }
                    index += 3
                    continue
                }
                guard pathBytes[Int(bytes[index])] else { return nil }
                index += 1
            }
            if index < bytes.count {
                // A query kept byte for byte: plain names and values, none of them tracking.
                var nameStart = index + 1
                var inName = true
                index += 1
                while index <= bytes.count {
                    let byte = index < bytes.count ? bytes[index] : UInt8(ascii: "&")
                    if byte == UInt8(ascii: "=") && !inName { return nil }  // `=` in a value may be re-encoded
                    if byte == UInt8(ascii: "&") || byte == UInt8(ascii: "=") {
                        if inName {
                            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<index]), as: UTF8.self)
                            guard !name.isEmpty, !isTracking(name) else { return nil }
                        }
                        inName = byte == UInt8(ascii: "&")
                        nameStart = index + 1
                    } else if !queryBytes[Int(byte)] {
                        return nil
                    }
                    index += 1
                }
            }
            if authorityEnd == bytes.count { return String(decoding: bytes, as: UTF8.self) + "/" }
            // An empty path before a query would be rewritten: the general case handles it.
            return bytes[authorityEnd] == UInt8(ascii: "?") ? nil : String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func isTracking(_ name: String) -> Bool {
        let name = name.lowercased()
        return name.hasPrefix("utm_") || trackingParameters.contains(name)
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }

    private static func table(_ allowed: String) -> [Bool] {
        let bytes = Set(allowed.utf8)
        return (0..<256).map { bytes.contains(UInt8($0)) }
    }
    private static let alphanumerics = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    /// Bytes a path keeps unchanged: unreserved, sub-delimiters, `:@/` (`%` escapes apart).
    private static let pathBytes = table(alphanumerics + "-._~!$'()*+,;=:@/")
    /// Bytes of query names and values that re-encoding leaves alone.
    private static let queryBytes = table(alphanumerics + "-._~")

    /// The general case, through URLComponents.
    static func parsed(_ link: String) -> String? {
        guard var components = URLComponents(string: link),
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
