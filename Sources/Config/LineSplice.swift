import Foundation

/// Where two versions of a file differ, in whole lines: the lines both begin with, the
/// lines both end with, and the middle the edit replaced. Found from the bytes (a common
/// prefix and suffix, cut back to line boundaries), so an edit of one line in a file of
/// 100,000 costs two passes at memory speed, not a parse.
///
/// Lines are as `split(separator: "\n", omittingEmptySubsequences: false)` gives them (a
/// file ending in a line break has an empty last line). Both texts are taken with a line
/// break appended (`LineSplice.terminated`), so every line ends in one and the last line is
/// counted like the others.
struct LineSplice: Equatable {
    /// Lines both texts begin with.
    let prefixLines: Int
    /// The replaced lines' bytes, in the old text and in the new (whole lines, each ending in "\n").
    let oldMiddle: Range<Int>
    let newMiddle: Range<Int>
    let oldMiddleLines: Int
    let newMiddleLines: Int
    /// Lines both texts end with.
    let suffixLines: Int

    /// `text`'s bytes with a line break appended: what `init(old:new:)` compares.
    static func terminated(_ text: String) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count + 1)
        bytes.append(contentsOf: text.utf8)
        bytes.append(newline)
        return bytes
    }

    private static let newline = UInt8(ascii: "\n")

    init(old: [UInt8], new: [UInt8]) {
        precondition(old.last == Self.newline && new.last == Self.newline, "texts are taken terminated")
        (prefixLines, oldMiddle, newMiddle, oldMiddleLines, newMiddleLines, suffixLines) = old.withUnsafeBufferPointer { o in
            new.withUnsafeBufferPointer { n in Self.compare(o, n) }
        }
    }

    private static func compare(_ old: UnsafeBufferPointer<UInt8>, _ new: UnsafeBufferPointer<UInt8>)
        -> (Int, Range<Int>, Range<Int>, Int, Int, Int) {
        let shorter = min(old.count, new.count)
        var prefix = 0
        // Whole blocks by memcmp first, then byte by byte.
        while prefix + 4096 <= shorter, memcmp(old.baseAddress! + prefix, new.baseAddress! + prefix, 4096) == 0 { prefix += 4096 }
        while prefix < shorter, old[prefix] == new[prefix] { prefix += 1 }
        // Back to the start of the line the difference is in.
        while prefix > 0, old[prefix - 1] != newline { prefix -= 1 }
        var suffix = 0
        let longestSuffix = shorter - prefix
        while suffix < longestSuffix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        // Forward to the start of a line in both (a suffix of nothing always is one: the
        // byte before it is the line break appended).
        func lineStart(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool { index == 0 || bytes[index - 1] == newline }
        while suffix > 0, !(lineStart(old, old.count - suffix) && lineStart(new, new.count - suffix)) { suffix -= 1 }
        func lines(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
            var count = 0
            for index in range where bytes[index] == newline { count += 1 }
            return count
        }
        let oldMiddle = prefix..<(old.count - suffix)
        let newMiddle = prefix..<(new.count - suffix)
        return (lines(old, 0..<prefix), oldMiddle, newMiddle, lines(old, oldMiddle), lines(new, newMiddle),
                lines(old, (old.count - suffix)..<old.count))
    }
}
