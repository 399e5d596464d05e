import ArgumentParser
import FeedParser
import Foundation

/// `--since` / `--until` values: `YYYY-MM-DD` (midnight, local time) or RFC 3339.
struct DateArgument {
    let date: Date
    /// True for `YYYY-MM-DD`: `--until 2020-10-31` then means "through the end of that day".
    let isWholeDay: Bool

    static func parse(_ text: String) throws -> DateArgument {
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
        throw ValidationError("invalid date '\(text)': use YYYY-MM-DD or RFC 3339 (e.g. 2020-10-01T08:00:00Z)")
    }

    /// The exclusive upper bound for `--until`.
    var endBound: Date {
        guard isWholeDay else { return date.addingTimeInterval(1) }
        return Calendar(identifier: .gregorian).date(byAdding: .day, value: 1, to: date) ?? date
    }
}
