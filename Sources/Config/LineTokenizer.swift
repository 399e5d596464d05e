/// Splits one `feeds.conf` line into words, newsboat-style: white space separates,
/// double quotes group (`title="Xinhua | China"`), a backslash escapes a quote or a
/// backslash inside quotes (and is kept before anything else),
/// and `#` starts a comment only at the start of a word (so URL fragments survive).
///
/// Works on the line's UTF-8 bytes: every character it looks for is ASCII, and no byte of
/// a multi-byte character is ASCII, so words split where the characters would. (Walking
/// Characters was a fifth of loading a 100,000-line file.)
enum LineTokenizer {
    enum Failure: Error, Equatable { case unterminatedQuote }

    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), carriageReturn = UInt8(ascii: "\r")
    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), hash = UInt8(ascii: "#")

    static func words(in line: Substring) throws(Failure) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        var inWord = false
        var inQuotes = false
        var escaped = false
        for byte in line.utf8 {
            if inQuotes {
                if escaped {
                    // `\"` and `\\` stand for themselves; any other backslash is kept, so a
                    // quoted regular expression (`skip="title:\d+ deals"`) reads as written.
                    if byte != quote && byte != backslash { current.append(backslash) }
                    current.append(byte)
                    escaped = false
                } else if byte == backslash {
                    escaped = true
                } else if byte == quote {
                    inQuotes = false
                } else {
                    current.append(byte)
                }
                continue
            }
            if byte == space || byte == tab || byte == carriageReturn {
                if inWord {
                    words.append(String(decoding: current, as: UTF8.self))
                    current.removeAll(keepingCapacity: true)
                    inWord = false
                }
            } else if byte == hash && !inWord {
                break
            } else if byte == quote {
                inWord = true
                inQuotes = true
            } else {
                inWord = true
                current.append(byte)
            }
        }
        if inQuotes { throw .unterminatedQuote }
        if inWord { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }
}
