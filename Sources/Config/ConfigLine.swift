import Foundation

/// Writes feeds.conf lines that `ConfigParser` reads back as written (for `import-opml`).
public enum ConfigLine {
    public static func feed(url: String, title: String?, tags: [String]) -> String {
        var line = url
        if let title, !title.isEmpty { line += " title=" + quoted(title) }
        // A tag is one word between commas in `tags=`: commas inside a folder name would split it.
        let cleanTags = tags.map { $0.replacingOccurrences(of: ",", with: " ").trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if !cleanTags.isEmpty { line += " tags=" + quoted(cleanTags.joined(separator: ",")) }
        return line
    }

    /// Double-quoted with backslash escapes, on one line.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for ch in value {
            switch ch {
            case "\"", "\\": out += "\\" + String(ch)
            case "\n", "\r", "\t": out += " "
            default: out.append(ch)
            }
        }
        return out + "\""
    }
}
