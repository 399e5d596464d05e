import ArgumentParser
import FeedParser
import Foundation

/// `--since` / `--until` values: `YYYY-MM-DD` (midnight, local time), RFC 3339, or
/// relative: `12h`, `2d`, `1w` ago, `30m` ago, `today`, `yesterday`, `now`.
struct DateArgument {
    let date: Date
    /// True for `YYYY-MM-DD`: `--until 2020-10-31` then means "through the end of that day".
    let isWholeDay: Bool

    static func parse(_ text: String) throws -> DateArgument {
        try parse(text, now: Date())
    }

    static func parse(_ text: String, now: Date) throws -> DateArgument {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        switch text.lowercased() {
        case "now": return DateArgument(date: now, isWholeDay: false)
        case "today": return DateArgument(date: calendar.startOfDay(for: now), isWholeDay: true)
        case "yesterday":
            let today = calendar.startOfDay(for: now)
            return DateArgument(date: calendar.date(byAdding: .day, value: -1, to: today) ?? today, isWholeDay: true)
        default: break
        }
        if let unit = text.last, let amount = Int(text.dropLast()), amount >= 0, text.count >= 2 {
            let seconds: Double?
            switch unit {
            case "m": seconds = 60
            case "h": seconds = 3600
            case "d": seconds = 86_400
            case "w": seconds = 7 * 86_400
            default: seconds = nil
            }
            if let seconds { return DateArgument(date: now.addingTimeInterval(-Double(amount) * seconds), isWholeDay: false) }
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
           let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) {
            var components = DateComponents()
            components.year = year
            components.month = month
            components.day = day
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone.current
            if (1...12).contains(month), (1...31).contains(day), let date = calendar.date(from: components),
               calendar.component(.day, from: date) == day {
                return DateArgument(date: date, isWholeDay: true)
            }
        } else if text.contains("T") || text.contains("t"), let date = DateParser.parse(text) {
            return DateArgument(date: date, isWholeDay: false)
        }
        throw ValidationError("invalid date '\(text)': use YYYY-MM-DD, RFC 3339 (2020-10-01T08:00:00Z), "
            + "a time ago (30m, 12h, 2d, 1w), today or yesterday")
    }

    /// The exclusive upper bound for `--until`.
    var endBound: Date {
        guard isWholeDay else { return date.addingTimeInterval(1) }
        return Calendar(identifier: .gregorian).date(byAdding: .day, value: 1, to: date) ?? date
    }
}
