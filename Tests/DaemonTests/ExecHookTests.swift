import Foundation
import Testing
@testable import Daemon

/// The exec runner: argv exactly as configured whatever the article says, the JSON on
/// stdin, the variables, a timeout that stops the whole process group.
@Suite struct ExecHookTests {
    @Test func argvHoldsOnlyWhatFeedsConfWroteAndStdinHoldsTheArticle() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out").path
        // Prints its argv, one per line, then stdin, into a file.
        let script = folder.appendingPathComponent("hook.sh").path
        try "#!/bin/sh\nfor a in \"$@\"; do printf 'ARG:%s\\n' \"$a\"; done > \"\(out)\"\ncat >> \"\(out)\"\nenv | grep ^AGGREGATOR_ | sort >> \"\(out)\"\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let hostile = #"{"title":"$(reboot) `id` \"quoted\" 'single'\nnewline; rm -rf /"}"#
        let outcome = await ExecHook.run([script, "--flag", "two words"], input: Array(hostile.utf8),
                                         environment: ["AGGREGATOR_EVENT": "new", "AGGREGATOR_DELIVERY_ID": "d1", "PATH": "/usr/bin:/bin"],
                                         timeout: 10)
        #expect(outcome.succeeded, "\(outcome)")
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written == "ARG:--flag\nARG:two words\n" + hostile + "AGGREGATOR_DELIVERY_ID=d1\nAGGREGATOR_EVENT=new\n")
    }

    @Test func failuresSayWhy() async {
        let exit3 = await ExecHook.run(["/bin/sh", "-c", "echo broken >&2; exit 3"], input: [], environment: [:], timeout: 10)
        #expect(exit3.problem == "exit status 3: broken")
        let missing = await ExecHook.run(["/nonexistent/hook"], input: [], environment: [:], timeout: 10)
        #expect(missing.problem == "could not start: No such file or directory")
        // A program that ignores its input entirely (the write gets EPIPE, not a signal).
        let ignoring = await ExecHook.run(["/bin/true"], input: Array(repeating: 0x41, count: 1 << 20), environment: [:], timeout: 10)
        #expect(ignoring.succeeded)
    }

    @Test func aProgramThatHangsIsStoppedWithWhatItStarted() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("hang-\(UUID().uuidString)").path
        let started = Date()
        // The child it starts would write the marker after 3 s if the group were not stopped.
        let outcome = await ExecHook.run(["/bin/sh", "-c", "(sleep 3; touch \(marker)) & sleep 60"], input: [],
                                         environment: [:], timeout: 0.5)
        #expect(outcome.timedOut)
        #expect(outcome.problem?.hasPrefix("did not finish in time") == true)
        // Far below the 60 s the program asked for (a loaded CI machine took 5.5 s once).
        #expect(Date().timeIntervalSince(started) < 20)
        try await Task.sleep(for: .seconds(3.5))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
