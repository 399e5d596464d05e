/// Splits one `feeds.conf` line into words, newsboat-style: white space separates,
/// double quotes group (`title="Xinhua | China"`), a backslash escapes a quote or a
/// backslash inside quotes (and is kept before anything else),
/// and `#` starts a comment only at the start of a word (so URL fragments survive).
enum LineTokenizer {
    enum Failure: Error, Equatable { case unterminatedQuote }

    static func words(in line: Substring) throws(Failure) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var inQuotes = false
        var escaped = false
        for ch in line {
            if inQuotes {
                if escaped {
                    // `\"` and `\\` stand for themselves; any other backslash is kept, so a
                    // quoted regular expression (`skip="title:\d+ deals"`) reads as written.
                    if ch != "\"" && ch != "\\" { current.append("\\") }
                    current.append(ch)
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    inQuotes = false
                } else {
                    current.append(ch)
                }
                continue
            }
            if ch == " " || ch == "\t" || ch == "\r" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else if ch == "#" && !inWord {
                break
            } else if ch == "\"" {
                inWord = true
                inQuotes = true
            } else {
                inWord = true
                current.append(ch)
            }
        }
        if inQuotes { throw .unterminatedQuote }
        if inWord { words.append(current) }
        return words
    }
}
