import Foundation

/// Runs a built binary and collects what it printed, without blocking a Swift
/// concurrency thread (the loopback server needs those threads to answer it).
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum ProcessRunner {
    /// The folder holding the built products (`.build/debug`), found from a test bundle.
    public static func productsFolder(of bundle: Bundle) -> URL {
        bundle.bundleURL.deletingLastPathComponent()
    }

    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           timeout: Double = 60) async throws -> ProcessResult {
        let process = Process()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("stdout"), err = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        // A person's reading (read, starred, --new) goes to their state folder: never the
        // home of whoever runs the tests. A test that keeps one across runs names its own.
        if environment["AGGREGATOR_STATE"] == nil && environment["XDG_STATE_HOME"] == nil {
            merged["AGGREGATOR_STATE"] = folder.appendingPathComponent("state").path
        }
        process.environment = merged
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        let status = try await wait(for: process, timeout: timeout)
        return ProcessResult(status: status, stdout: try String(contentsOf: out, encoding: .utf8),
                             stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// Starts `process` and waits for it to end, killing it after `timeout` seconds.
    public static func wait(for process: Process, timeout: Double) async throws -> Int32 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if process.isRunning { process.terminate() }
            }
        }
    }

    /// Waits for a process already running to end; SIGKILL after `timeout` seconds.
    public static func exitStatus(of process: Process, timeout: Double) async -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }
}
