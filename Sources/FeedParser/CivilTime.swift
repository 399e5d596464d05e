import Foundation

/// Calendar arithmetic for the proleptic Gregorian calendar in UTC, done by hand because
/// Foundation's Calendar is far too slow for the parse hot path (one date per entry).
enum CivilTime {
    /// Days since 1970-01-01 for a year, month (1–12) and day (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// A Date for a wall-clock time at `offsetSeconds` east of UTC; nil when a field is out of range.
    static func date(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                     fraction: Double = 0, offsetSeconds: Int = 0) -> Date? {
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              (0...24).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

/// Formats dates the way the contract and the CLI print them.
public enum DateFormatting {
    /// `2020-10-31T02:15:00Z`: RFC 3339 in UTC, whole seconds.
    public static func rfc3339(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let secondsOfDay = total - days * 86400
        let (y, m, d) = CivilTime.civilFromDays(days)
        return zeroPadded(y, 4) + "-" + zeroPadded(m, 2) + "-" + zeroPadded(d, 2) + "T" + zeroPadded(secondsOfDay / 3600, 2)
            + ":" + zeroPadded(secondsOfDay % 3600 / 60, 2) + ":" + zeroPadded(secondsOfDay % 60, 2) + "Z"
    }

    /// `Sat, 31 Oct 2020 02:15:00 GMT`: RFC 822/1123 as HTTP and OPML write it.
    public static func rfc822(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let secondsOfDay = total - days * 86400
        let (y, m, d) = CivilTime.civilFromDays(days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((days % 7) + 7) % 7]
        return weekday + ", " + zeroPadded(d, 2) + " " + months[m - 1] + " " + zeroPadded(y, 4) + " "
            + zeroPadded(secondsOfDay / 3600, 2) + ":" + zeroPadded(secondsOfDay % 3600 / 60, 2) + ":"
            + zeroPadded(secondsOfDay % 60, 2) + " GMT"
    }

    /// `2020-10-31 08:21` (or with `:SS`), in the local time zone: for people at a terminal.
    public static func local(_ date: Date, seconds: Bool = false) -> String {
        var time = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&time, &parts)
        let minutes = zeroPadded(Int(parts.tm_year) + 1900, 4) + "-" + zeroPadded(Int(parts.tm_mon) + 1, 2) + "-"
            + zeroPadded(Int(parts.tm_mday), 2) + " " + zeroPadded(Int(parts.tm_hour), 2) + ":" + zeroPadded(Int(parts.tm_min), 2)
        return seconds ? minutes + ":" + zeroPadded(Int(parts.tm_sec), 2) : minutes
    }

    /// `n` in decimal with leading zeros to `width` digits (`%0Nd`; String(format:) goes
    /// through Foundation's formatter and was most of printing a date).
    static func zeroPadded(_ n: Int, _ width: Int) -> String {
        let digits = String(n.magnitude)
        let padding = digits.count < width ? String(repeating: "0", count: width - digits.count) : ""
        return (n < 0 ? "-" : "") + padding + digits
    }
}
