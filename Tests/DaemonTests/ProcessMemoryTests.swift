import Foundation
import Testing
@testable import Daemon

@Suite struct ProcessMemoryTests {
    /// kB of one line of /proc/self/status.
    func status(_ name: String) throws -> Int {
        let text = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(name + ":") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    @Test func droppingReadOnlyFilePagesLowersResidentMemoryAndEverythingStillRuns() throws {
        // Touch plenty of code and constants first (this test binary is large).
        _ = (0..<1000).map { "\($0)".data(using: .utf8)!.base64EncodedString() }.joined()
        let before = try status("RssFile")
        ProcessMemory.releaseCodePages()
        let after = try status("RssFile")
        #expect(after < before / 2, "RssFile \(before) kB → \(after) kB")
        // Code, constants and relocated data come back as they are used.
        let text = (0..<1000).map { "\($0)".data(using: .utf8)!.base64EncodedString() }.joined()
        #expect(text.count == 4000)  // one to three bytes encode to four characters
        #expect(try JSONDecoder().decode([String: Int].self, from: Data(#"{"a": 1}"#.utf8)) == ["a": 1])
    }

    @Test func freedHeapGoesBack() throws {
        // 200 MB in small blocks, then freed: without a trim glibc keeps most of it.
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<50_000 {
            let block = malloc(4000)!
            memset(block, 1, 4000)
            blocks.append(block)
        }
        // Keep every 100th block, so the freed memory is holes, not the top of the heap.
        for (index, block) in blocks.enumerated() where index % 100 != 0 { free(block) }
        let before = try status("RssAnon")
        ProcessMemory.releaseFreedHeap()
        let after = try status("RssAnon")
        for (index, block) in blocks.enumerated() where index % 100 == 0 { free(block) }
        #expect(before - after > 100_000, "RssAnon \(before) kB → \(after) kB")
    }
}
