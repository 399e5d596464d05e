import Testing
@testable import FeedParser

/// The hand-written UTF-8 checks against the standard library's decoder, on every lead
/// byte with the continuation bytes that sit on each range's edges, whole and cut short.
@Suite struct UTF8ValidationTests {
    /// What `sequenceLength` must say, worked out with `String(validating:)`: the length
    /// of the one scalar the bytes start with; -1 when they are cut short of one that some
    /// continuation would complete; else 0.
    static func expected(_ bytes: [UInt8]) -> Int {
        func oneScalar(_ candidate: ArraySlice<UInt8>) -> Bool {
            guard let text = String(validating: candidate, as: UTF8.self) else { return false }
            return text.unicodeScalars.count == 1
        }
        for length in 2...4 where length <= bytes.count {
            if oneScalar(bytes[0..<length]) { return length }
        }
        guard bytes.count < 4 else { return 0 }
        let edges: [UInt8] = [0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF]
        var completions: [[UInt8]] = [bytes]
        for _ in bytes.count..<4 {
            completions = completions.flatMap { prefix in edges.map { prefix + [$0] } }
            for candidate in completions where (2...4).contains(where: { $0 == candidate.count && oneScalar(candidate[...]) }) {
                return -1
            }
        }
        return 0
    }

    @Test func sequenceLengthAgreesWithTheStandardLibrary() {
        let others: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        var cases: [[UInt8]] = (UInt8(0x80)...UInt8(0xFF)).map { [$0] }
        var all = cases
        for _ in 2...4 {
            cases = cases.flatMap { prefix in others.map { prefix + [$0] } }
            all += cases
        }
        var mismatches: [String] = []
        for bytes in all {
            let got = bytes.withUnsafeBytes { UTF8Validation.sequenceLength($0, at: 0) }
            let want = Self.expected(bytes)
            if got != want { mismatches.append("\(bytes.map { String($0, radix: 16) }): \(got), expected \(want)") }
        }
        #expect(all.count == 128 * (1 + 11 + 121 + 1331))
        #expect(mismatches.count == 0, "\(mismatches.prefix(5))")
    }

    @Test func aSequenceIsReadWhereItStandsInTheBuffer() {
        let bytes: [UInt8] = Array("ab€".utf8) + [0xE2, 0x82]
        bytes.withUnsafeBytes { buffer in
            #expect(UTF8Validation.sequenceLength(buffer, at: 2) == 3)
            #expect(UTF8Validation.sequenceLength(buffer, at: 5) == -1)
            #expect(UTF8Validation.sequenceLength(buffer, at: 3) == 0)
        }
    }
}
