import Foundation
import TestSupport
import Testing
@testable import Daemon

@Suite struct SystemdNotifierTests {
    @Test func sendsDatagramsToTheNotifySocket() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString)").path
        let listener = try NotifyListener(path: path)
        defer { listener.close() }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path])
        #expect(notifier.send("READY=1\nSTATUS=polling 2 feeds"))
        #expect(listener.receive(timeout: 2) == "READY=1\nSTATUS=polling 2 feeds")
    }

    @Test func abstractSocketNamesStartWithAnAt() throws {
        let name = "@aggregator-test-\(UUID().uuidString)"
        let listener = try NotifyListener(path: name)
        defer { listener.close() }
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": name]).send("STOPPING=1"))
        #expect(listener.receive(timeout: 2) == "STOPPING=1")
    }

    @Test func withoutASocketNothingIsSent() {
        #expect(!SystemdNotifier(environment: [:]).send("READY=1"))
    }
}

