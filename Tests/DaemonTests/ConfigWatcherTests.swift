import Foundation
import Testing
@testable import Daemon

/// The daemon reloads when feeds.conf's bytes change, however the edit was saved, and not
/// when they did not.
@Suite struct ConfigWatcherTests {
    final class Count: @unchecked Sendable {  // `value` only under `lock`
        private let lock = NSLock()
        private var value = 0
        func add() { lock.withLock { value += 1 } }
        var current: Int { lock.withLock { value } }
    }

    /// Waits up to `seconds` for `count` to reach `target`.
    func wait(for count: Count, toReach target: Int, seconds: Double = 5) async throws -> Bool {
        for _ in 0..<Int(seconds * 20) where count.current < target { try await Task.sleep(nanoseconds: 50_000_000) }
        return count.current >= target
    }

    @Test func editsThatKeepTheSizeAreNoticedTouchesAreNot() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/feeds.conf"
        var lines = (0..<200).map { "https://feed\($0).example/rss interval=30m" }
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let changes = Count()
        let watcher = ConfigWatcher(path: path, pollInterval: 0.2) { changes.add() }
        defer { watcher.stop() }
        try await Task.sleep(nanoseconds: 300_000_000)

        // Saved as editors do (a new file renamed over the old), far past the first bytes.
        lines[150] = "https://feed150.example/rss interval=45m"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await wait(for: changes, toReach: 1))
        // Written in place.
        lines[199] = "https://feed199.example/rss interval=15m"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(lines.joined(separator: "\n").utf8))
        try handle.close()
        #expect(try await wait(for: changes, toReach: 2))
        // The same bytes again, and a touch: nothing to reload.
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
        try await Task.sleep(nanoseconds: 1_000_000_000)
        #expect(changes.current == 2)
    }
}
