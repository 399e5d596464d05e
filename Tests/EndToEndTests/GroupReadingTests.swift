import Foundation
import TestSupport
import Testing

/// The store as the service keeps it — written by one account into a 0750 folder, read
/// by members of its group who may create nothing there — read in every state: daemon
/// running, after clean stops, after kill -9, before anything was collected, and with no
/// store at all; an account outside the group is told it lacks permission, and how to
/// get it. Needs root to switch accounts (CI runs as root); skipped otherwise.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root to run the daemon and the CLI as other accounts"))
struct GroupReadingTests {
    /// Accounts by number (they need no names): the service, a member of the store's
    /// group, an outsider. The group is Debian's `users` (gid 100), so it has a name.
    static let service: UInt32 = 4241, member: UInt32 = 4242, outsider: UInt32 = 4244
    static let group: UInt32 = 100

    /// A folder everyone may enter, holding copies of the binaries (the build folder may
    /// sit under a home no other account can enter), feeds.conf, and the store's folder.
    struct Site {
        let root: URL
        var data: String { root.appendingPathComponent("data").path }
        var config: String { root.appendingPathComponent("feeds.conf").path }
        var cli: String { root.appendingPathComponent("aggregator").path }
        var daemon: String { root.appendingPathComponent("aggregatord").path }

        init(feedsConf: String) throws {
            root = URL(fileURLWithPath: "/tmp/group-read-\(UUID().uuidString.prefix(8))")
            let files = FileManager.default
            try files.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            for name in ["aggregator", "aggregatord"] {
                try files.copyItem(at: EndToEndTests.products.appendingPathComponent(name), to: root.appendingPathComponent(name))
            }
            try files.copyItem(at: try Self.fixture("xinhua-china.rss.xml"), to: root.appendingPathComponent("china.rss"))
            try feedsConf.replacingOccurrences(of: "@ROOT@", with: root.path)
                .write(toFile: config, atomically: true, encoding: .utf8)
            try files.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config)
            try files.setAttributes([.posixPermissions: 0o644], ofItemAtPath: root.appendingPathComponent("china.rss").path)
            // As systemd's StateDirectory=aggregator with StateDirectoryMode=0750 makes it.
            try files.createDirectory(atPath: data, withIntermediateDirectories: false,
                                      attributes: [.posixPermissions: 0o750])
            guard chown(data, GroupReadingTests.service, GroupReadingTests.group) == 0 else { throw CocoaError(.fileWriteNoPermission) }
        }

        static func fixture(_ name: String) throws -> URL {
            guard let url = Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil) else {
                throw CocoaError(.fileNoSuchFile)
            }
            return url
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        /// `aggregator ARGS --data DATA` as `uid`, in `groups`.
        func read(as uid: UInt32, groups: [UInt32], _ arguments: [String]) async throws -> ProcessResult {
            let groupList = groups.isEmpty ? ["--clear-groups"] : ["--groups=" + groups.map(String.init).joined(separator: ",")]
            return try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                               ["--reuid=\(uid)", "--regid=\(uid)"] + groupList
                                                   + [cli] + arguments + ["--data", data],
                                               environment: ["TZ": "UTC", "HOME": root.path])
        }

        func memberLists() async throws -> ProcessResult {
            try await read(as: GroupReadingTests.member, groups: [GroupReadingTests.group], ["list", "--since", "2020-10-01"])
        }

        /// The daemon as the unit runs it: the service account, its group, umask 0027.
        /// libdispatch logs to stderr here (in the service it goes to syslog, the journal).
        func startDaemon() throws -> (Process, URL) {
            let process = Process()
            let log = root.appendingPathComponent("daemon-\(UUID().uuidString.prefix(6)).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(GroupReadingTests.service)", "--regid=\(GroupReadingTests.group)", "--clear-groups",
                                 "/bin/sh", "-c", "umask 0027; exec \"$0\" \"$@\"", daemon, "--config", config, "--data", data]
            var environment = ProcessInfo.processInfo.environment
            environment["LIBDISPATCH_LOG"] = "stderr"
            environment.removeValue(forKey: "NOTIFY_SOCKET")
            process.environment = environment
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return (process, log)
        }
    }

    static func waitUntil(seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test func membersReadInEveryStateAndOutsidersAreToldWhy() async throws {
        let site = try Site(feedsConf: "file://@ROOT@/china.rss interval=1h\n")
        defer { site.remove() }
        let title = EndToEndTests.october31

        // No store yet: said plainly, not as an error of the store.
        let none = try await site.memberLists()
        #expect(none.status == 66)
        #expect(none.stderr.contains("nothing collected yet: no store in \(site.data)"), "\(none.stderr)")

        // Running.
        var (daemon, log) = try site.startDaemon()
        #expect(try await Self.waitUntil { try await site.memberLists().stdout.contains(title) }, "running")

        // Three clean stops, reading after each, and restarting in between.
        for round in 1...3 {
            kill(daemon.processIdentifier, SIGTERM)
            #expect(await ProcessRunner.exitStatus(of: daemon, timeout: 10) == 0)
            let stopped = try await site.memberLists()
            #expect(stopped.status == 0 && stopped.stdout.contains(title), "after clean stop \(round): \(stopped.stderr)")
            let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(!logText.contains("Failed to set thread priority"), "libdispatch: \(logText)")
            (daemon, log) = try site.startDaemon()
            #expect(try await Self.waitUntil { try await site.memberLists().stdout.contains(title) }, "restarted \(round)")
        }

        // Killed.
        kill(daemon.processIdentifier, SIGKILL)
        _ = await ProcessRunner.exitStatus(of: daemon, timeout: 10)
        let killed = try await site.memberLists()
        #expect(killed.status == 0 && killed.stdout.contains(title), "after kill -9: \(killed.stderr)")
        let search = try await site.read(as: Self.member, groups: [Self.group], ["search", "innovation"])
        #expect(search.status == 0 && search.stdout.contains(title), "search after kill -9: \(search.stderr)")

        // An outsider: permission denied, the group named, and how to join it.
        let outside = try await site.read(as: Self.outsider, groups: [], ["list"])
        #expect(outside.status == 77)
        #expect(outside.stderr.contains("permission denied: uid \(Self.outsider) may not read the store in \(site.data)"),
                "\(outside.stderr)")
        #expect(outside.stderr.contains("sudo usermod -aG users"), "\(outside.stderr)")
    }

    @Test func beforeAnythingIsCollectedMembersAreToldSo() async throws {
        let site = try Site(feedsConf: "# nothing yet\n")
        defer { site.remove() }
        let (daemon, _) = try site.startDaemon()
        defer { kill(daemon.processIdentifier, SIGKILL) }
        #expect(await Self.waitUntil { FileManager.default.fileExists(atPath: site.data + "/aggregator.sqlite-shm") })
        let empty = try await site.memberLists()
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.isEmpty)
        #expect(empty.stderr.contains("nothing collected yet in \(site.data)"), "\(empty.stderr)")
    }
}
