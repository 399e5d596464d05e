/// Durations as written in `feeds.conf`: a whole number followed by `s`, `m`, `h` or `d`.
public enum Interval {
    /// Seconds for `90s`, `15m`, `2h`, `1d`; nil when the text is not such a duration.
    public static func seconds(from text: String) -> Int? {
        guard let unit = text.last, text.count >= 2 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits), value > 0
        else { return nil }
        let scale: Int
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86400
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    /// Seconds for a spacing such as `250ms`, `1s`, `2m` or `0` (none); nil otherwise.
    public static func fractionalSeconds(from text: String) -> Double? {
        if text == "0" { return 0 }
        if text.hasSuffix("ms") {
            let digits = text.dropLast(2)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits)
            else { return nil }
            return Double(value) / 1000
        }
        return seconds(from: text).map(Double.init)
    }

    /// The shortest spelling of a number of seconds, for messages and listings.
    public static func format(seconds: Int) -> String {
        if seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
