import Foundation

/// Checks and completes the URL at the start of a `feeds.conf` line.
public enum FeedURL {
    public struct Problem: Error, Equatable {
        public let message: String
    }

    static let schemes = ["http", "https", "file"]

    /// An absolute URL for `text`: `http(s)://` as written, `file:` paths made absolute
    /// against `baseDirectory` (the folder holding `feeds.conf`).
    public static func resolve(_ text: String, baseDirectory: String) -> Result<String, Problem> {
        guard let colon = text.firstIndex(of: ":"), text[..<colon].allSatisfy(\.isLetter), colon != text.startIndex
        else {
            return .failure(Problem(message:
                "not a URL: '\(text)' (a feed line starts with http://, https:// or file:)"))
        }
        let scheme = text[..<colon].lowercased()
        guard schemes.contains(scheme) else {
            return .failure(Problem(message: "unsupported URL scheme '\(scheme)' in '\(text)' (use http, https or file)"))
        }
        let rest = String(text[text.index(after: colon)...])
        if scheme == "file" { return resolveFile(rest, original: text, baseDirectory: baseDirectory) }

        guard rest.hasPrefix("//"), let components = URLComponents(string: text),
              let host = components.host, !host.isEmpty
        else {
            return .failure(Problem(message: "not a valid \(scheme) URL: '\(text)'"))
        }
        return .success(text)
    }

    private static func resolveFile(_ rest: String, original: String, baseDirectory: String) -> Result<String, Problem> {
        var path: String
        if rest.hasPrefix("//") {
            // file://HOST/path: only an empty host or localhost names this machine.
            let afterSlashes = rest.dropFirst(2)
            let slash = afterSlashes.firstIndex(of: "/") ?? afterSlashes.endIndex
            let host = afterSlashes[..<slash]
            guard host.isEmpty || host.lowercased() == "localhost" else {
                return .failure(Problem(message:
                    "file URL '\(original)' names host '\(host)': use file:relative/path or file:///absolute/path"))
            }
            path = String(afterSlashes[slash...])
        } else {
            path = rest
        }
        path = path.removingPercentEncoding ?? path
        guard !path.isEmpty else {
            return .failure(Problem(message: "file URL '\(original)' has no path"))
        }
        if !path.hasPrefix("/") { path = baseDirectory + "/" + path }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        return .success(absolute.absoluteString)
    }

    /// The form two lines are compared in to find duplicates: scheme and host are case-insensitive.
    public static func identity(_ url: String) -> String {
        // Most URLs are written in lower case already: then the identity is the URL, found
        // from its bytes (this runs for every line of feeds.conf).
        let bytes = url.utf8
        let colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/")
        // "://" found by hand: the generic firstRange(of:) was a fifth of loading 100,000 lines.
        if let separator = bytes.indices.first(where: { index in
            bytes[index] == colon && bytes[bytes.index(after: index)...].starts(with: [slash, slash])
        }) {
            let host = bytes[bytes.index(separator, offsetBy: 3)...]
            let hostEnd = host.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") })
                ?? bytes.endIndex
            if !bytes[..<hostEnd].contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") || $0 >= 0x80 }) {
                return url
            }
        }
        guard let schemeEnd = url.range(of: "://") else { return url }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let afterScheme = url[schemeEnd.upperBound...]
        let hostEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        return scheme + "://" + afterScheme[..<hostEnd].lowercased() + afterScheme[hostEnd...]
    }
}
