import Foundation

/// Reads the dates feeds publish: RFC 822 and its sloppy variants (no weekday, two-digit
/// years, single-digit days, named and military zones, `GMT+8`, lower case, no zone),
/// RFC 3339 / ISO 8601 / W3C-DTF (with or without seconds, fraction or zone, date only),
/// asctime, and Unix timestamps. Returns nil for anything else, never "now".
public enum DateParser {
    public static func parse(_ text: String) -> Date? {
        var bytes = Array(text.utf8)
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        let start = bytes.firstIndex(where: { !isSpace($0) }) ?? bytes.endIndex
        let trimmed = bytes[start...]
        guard !trimmed.isEmpty else { return nil }
        if trimmed.count != 4, trimmed.allSatisfy(isDigit) { return unixTimestamp(trimmed) }
        if trimmed.count >= 4, trimmed.prefix(4).allSatisfy(isDigit),
           trimmed.count == 4 || trimmed[trimmed.startIndex + 4] == UInt8(ascii: "-"),
           let date = iso8601(trimmed) {
            return date
        }
        return rfc822Like(trimmed)
    }

    // MARK: Unix timestamps

    private static func unixTimestamp(_ digits: ArraySlice<UInt8>) -> Date? {
        guard let value = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
        switch digits.count {
        case 9...10: return Date(timeIntervalSince1970: Double(value))
        case 12...13: return Date(timeIntervalSince1970: Double(value) / 1000)
        default: return nil
        }
    }

    // MARK: ISO 8601 / RFC 3339 / W3C-DTF

    private static func iso8601(_ s: ArraySlice<UInt8>) -> Date? {
        var scanner = Scanner(s)
        guard let year = scanner.number(digits: 4) else { return nil }
        var month = 1, day = 1
        if scanner.skip("-") {
            guard let m = scanner.number(digits: 2) else { return nil }
            month = m
            if scanner.skip("-") {
                guard let d = scanner.number(digits: 2) else { return nil }
                day = d
            }
        }
        var hour = 0, minute = 0, second = 0, fraction = 0.0, offset = 0
        if scanner.skip("T") || scanner.skip("t") || (scanner.peekIsSpace && scanner.skipSpaces()) {
            guard let h = scanner.number(digits: 2), scanner.skip(":"), let mi = scanner.number(digits: 2)
            else { return nil }
            hour = h
            minute = mi
            if scanner.skip(":") {
                guard let sec = scanner.number(digits: 2) else { return nil }
                second = sec
                if scanner.skip(".") || scanner.skip(",") { fraction = scanner.fraction() }
            }
            _ = scanner.skipSpaces()
            if scanner.skip("Z") || scanner.skip("z") {
                offset = 0
            } else if let sign = scanner.sign() {
                guard let zone = scanner.numericOffset() else { return nil }
                offset = sign * zone
            } else if let word = scanner.word(), let zone = Word.zones[word.packed] {
                offset = zone
            }
        }
        _ = scanner.skipSpaces()
        guard scanner.atEnd else { return nil }
        return CivilTime.date(year: year, month: month, day: day, hour: hour, minute: minute,
                              second: second, fraction: fraction, offsetSeconds: offset)
    }

    // MARK: RFC 822 and friends

    /// Token-driven, so the parts may come in the orders real feeds use:
    /// `Sat, 31 Oct 2020 00:21:15 +0800`, `31 Oct 20 0:21 EST`, `Sat Oct 31 00:21:15 2020`.
    private static func rfc822Like(_ s: ArraySlice<UInt8>) -> Date? {
        var scanner = Scanner(s)
        var day: Int?, month: Int?, year: Int?
        var hour = 0, minute = 0, second = 0
        var haveTime = false
        var offset: Int?
        var pm: Bool?
        var yearFirst = false  // 2020/1/10: year, month, day

        while !scanner.atEnd {
            if scanner.skipSeparators() { continue }
            if let word = scanner.word() {
                if Word.isWeekday(word) { continue }
                if month == nil, let m = Word.month(word) { month = m; continue }
                if word == Word.am || word == Word.pm { pm = word == Word.pm; continue }
                if let zone = Word.zones[word.packed] {
                    offset = zone
                    // GMT+8, UTC+08:00, GMT-0500
                    if let sign = scanner.sign() {
                        guard let extra = scanner.numericOffset() else { return nil }
                        offset = zone + sign * extra
                    }
                    continue
                }
                if word.length == 1 && haveTime { offset = 0; continue }  // military zones: RFC 2822 says unknown
                continue  // "at", "(PST)" and other words carry no date
            }
            if haveTime, offset == nil, let sign = scanner.sign() {
                guard let zone = scanner.numericOffset() else { return nil }
                offset = sign * zone
                continue
            }
            if scanner.skip("+") || scanner.skip("-") || scanner.skip("(") || scanner.skip(")") { continue }
            guard let (value, digits) = scanner.numberWithCount() else { return nil }
            if scanner.skip(":") {
                guard !haveTime, let mi = scanner.number(maxDigits: 2) else { return nil }
                hour = value
                minute = mi
                if scanner.skip(":") {
                    guard let sec = scanner.number(maxDigits: 2) else { return nil }
                    second = sec
                    if scanner.skip(".") { _ = scanner.fraction() }
                }
                haveTime = true
            } else if digits == 4 && year == nil {
                year = value
                yearFirst = day == nil && month == nil
            } else if digits <= 2 && yearFirst && month == nil {
                month = value
            } else if digits <= 2 && day == nil {
                day = value
            } else if digits <= 2 && year == nil {
                year = value < 50 ? 2000 + value : 1900 + value
            } else {
                return nil
            }
        }
        guard let day, let month, let year else { return nil }
        if let pm {
            if pm && hour < 12 { hour += 12 } else if !pm && hour == 12 { hour = 0 }
        }
        return CivilTime.date(year: year, month: month, day: day, hour: hour, minute: minute,
                              second: second, offsetSeconds: offset ?? 0)
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// A cursor over ASCII bytes with the small reads both grammars need.
    private struct Scanner {
        let bytes: ArraySlice<UInt8>
        var index: Int

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.index = bytes.startIndex
        }

        var atEnd: Bool { index >= bytes.endIndex }
        var peekIsSpace: Bool { !atEnd && DateParser.isSpace(bytes[index]) }

        mutating func skip(_ char: Unicode.Scalar) -> Bool {
            guard !atEnd, bytes[index] == UInt8(ascii: char) else { return false }
            index += 1
            return true
        }

        mutating func skipSpaces() -> Bool {
            let start = index
            while !atEnd, DateParser.isSpace(bytes[index]) { index += 1 }
            return index > start
        }

        /// Spaces, commas, slashes and dots between RFC 822 parts.
        mutating func skipSeparators() -> Bool {
            let start = index
            while !atEnd, [0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x2F, 0x2E].contains(bytes[index]) { index += 1 }
            return index > start
        }

        mutating func number(digits: Int) -> Int? {
            guard index + digits <= bytes.endIndex else { return nil }
            var value = 0
            for i in index..<index + digits {
                guard DateParser.isDigit(bytes[i]) else { return nil }
                value = value * 10 + Int(bytes[i] - 0x30)
            }
            index += digits
            return value
        }

        mutating func number(maxDigits: Int) -> Int? {
            guard let (value, count) = numberWithCount(), count <= maxDigits else { return nil }
            return value
        }

        mutating func numberWithCount() -> (Int, Int)? {
            var value = 0, count = 0
            while !atEnd, DateParser.isDigit(bytes[index]), count < 18 {
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
                count += 1
            }
            return count == 0 ? nil : (value, count)
        }

        mutating func fraction() -> Double {
            var value = 0.0, scale = 0.1
            while !atEnd, DateParser.isDigit(bytes[index]) {
                value += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            return value
        }

        mutating func sign() -> Int? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }

        /// `0800`, `08:00`, `08`, `8` after a sign, in seconds.
        mutating func numericOffset() -> Int? {
            guard let (value, count) = numberWithCount() else { return nil }
            var hours = value, minutes = 0
            switch count {
            case 4: hours = value / 100; minutes = value % 100
            case 3: hours = value / 100; minutes = value % 100
            case 1, 2:
                if skip(":") { guard let m = number(digits: 2) else { return nil }; minutes = m }
            default: return nil
            }
            guard hours <= 14, minutes < 60 else { return nil }
            return hours * 3600 + minutes * 60
        }

        /// A run of ASCII letters, lower-cased and packed (no allocation).
        mutating func word() -> Word? {
            let start = index
            var packed: UInt64 = 0
            while !atEnd, (bytes[index] | 0x20) >= 0x61, (bytes[index] | 0x20) <= 0x7A {
                if index - start < 8 { packed |= UInt64(bytes[index] | 0x20) << (8 * UInt64(index - start)) }
                index += 1
            }
            guard index > start else { return nil }
            return Word(packed: packed, length: index - start)
        }
    }
}

/// A word of a date, lower-cased, its first eight letters packed into an integer so it
/// is compared and looked up without allocating.
struct Word: Equatable {
    let packed: UInt64
    let length: Int

    init(packed: UInt64, length: Int) {
        self.packed = packed
        self.length = length
    }

    init(_ text: StaticString) {
        var packed: UInt64 = 0
        text.withUTF8Buffer { buffer in
            for (i, byte) in buffer.prefix(8).enumerated() { packed |= UInt64(byte) << (8 * UInt64(i)) }
        }
        self.init(packed: packed, length: text.utf8CodeUnitCount)
    }

    static let am = Word("am"), pm = Word("pm")

    /// Whether this word is `full` or a prefix of it at least three letters long.
    private func abbreviates(_ full: Word) -> Bool {
        guard length >= 3, length <= full.length else { return false }
        let compared = min(length, 8)
        let mask: UInt64 = compared == 8 ? .max : (1 << (8 * UInt64(compared))) - 1
        return packed & mask == full.packed & mask
    }

    private static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        .map { Word(packing: $0) }
    private static let months = ["january", "february", "march", "april", "may", "june", "july", "august",
                                 "september", "october", "november", "december"].map { Word(packing: $0) }
    private static let sept = Word("sept")

    static func isWeekday(_ word: Word) -> Bool { weekdays.contains { word.abbreviates($0) } }

    static func month(_ word: Word) -> Int? {
        if word == sept { return 9 }
        return months.firstIndex { word.abbreviates($0) }.map { $0 + 1 }
    }

    init(packing text: String) {
        var packed: UInt64 = 0
        for (i, byte) in text.utf8.prefix(8).enumerated() { packed |= UInt64(byte) << (8 * UInt64(i)) }
        self.init(packed: packed, length: text.utf8.count)
    }

    /// Offsets east of UTC, in seconds, for the zone names feeds use.
    static let zones: [UInt64: Int] = {
        let hours: [String: Int] = [
            "ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0,
            "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
            "akst": -9, "akdt": -8, "hst": -10, "ast": -4, "adt": -3, "nst": -3, "ndt": -2,
            "bst": 1, "cet": 1, "cest": 2, "met": 1, "mest": 2, "west": 1, "eet": 2, "eest": 3, "msk": 3,
            "jst": 9, "kst": 9, "hkt": 8, "sgt": 8, "awst": 8, "acst": 9, "aest": 10, "aedt": 11,
            "nzst": 12, "nzdt": 13, "pht": 8, "wib": 7, "ict": 7,
        ]
        var table = [UInt64: Int]()
        for (name, offset) in hours { table[Word(packing: name).packed] = offset * 3600 }
        table[Word(packing: "ist").packed] = 19800
        table[Word(packing: "acdt").packed] = 37800
        table[Word(packing: "npt").packed] = 20700
        return table
    }()
}
