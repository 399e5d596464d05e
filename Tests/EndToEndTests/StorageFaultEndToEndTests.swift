import FlyingFox
import Foundation
import GRDB
import TestSupport
import Testing

/// A disk that fills, a file system mounted read-only, a damaged store, and backups — with
/// the real binaries. The tmpfs tests need root (CI runs as root) and are skipped otherwise;
/// the in-process test of the same rules (StoreOutageTests) runs everywhere, through
/// SQLite's own page limit.
@Suite(.serialized) struct StorageFaultEndToEndTests {
    typealias Workspace = EndToEndTests.Workspace

    static let feedCount = 24, itemsPerFeed = 30

    /// Feeds whose text compresses poorly, so they take real room; with validators.
    static func server() async throws -> LoopbackServer {
        try await LoopbackServer.start((0..<feedCount).map { feed in
            let items = (0..<itemsPerFeed).map { item in
                "<item><guid>f\(feed)-\(item)</guid><title>Feed \(feed) item \(item)</title><description>"
                    + (0..<24).map { _ in UUID().uuidString }.joined(separator: " ") + "</description></item>"
            }.joined()
            let body = Data("<rss version=\"2.0\"><channel><title>Feed \(feed)</title>\(items)</channel></rss>".utf8)
            return ("GET /feed/\(feed)", LoopbackServer.staticFeed(body, etag: "\"f\(feed)\"",
                                                                  lastModified: "Sat, 31 Oct 2020 01:00:00 GMT"))
        })
    }

    static func feedsConf(_ server: LoopbackServer, feeds: Range<Int> = 0..<feedCount) -> String {
        feeds.map { "\(server.baseURL)/feed/\($0) interval=1h" }.joined(separator: "\n") + "\n"
    }

    /// A tmpfs of `megabytes` over the workspace's data folder, unmounted by `unmount`.
    struct SmallDisk {
        let path: String
        init(at path: String, megabytes: Int, readOnly: Bool = false) throws {
            self.path = path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Self.mount(["-t", "tmpfs", "-o", "size=\(megabytes)m" + (readOnly ? ",ro" : ""), "tmpfs", path])
        }

        static func mount(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/mount")
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        }

        func remount(_ options: String) throws { try Self.mount(["-o", "remount,\(options)", path]) }

        func unmount() {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/umount")
            process.arguments = ["-l", path]
            try? process.run()
            process.waitUntilExit()
        }

        /// A file taking all but `leave` bytes of the free room.
        func fill(leaving leave: Int64) throws -> String {
            var info = statvfs()
            statvfs(path, &info)
            let free = Int64(info.f_bavail) * Int64(info.f_frsize)
            let filler = path + "/filler"
            _ = FileManager.default.createFile(atPath: filler, contents: Data(count: Int(max(0, free - leave))))
            return filler
        }
    }

    /// A store made (one feed fetched) while there was room, on a 16 MB disk then filled
    /// to all but 600 KB, with every feed configured: the next polls fill it.
    static func nearlyFullDisk(_ server: LoopbackServer) async throws -> (Workspace, SmallDisk, filler: String) {
        let workspace = try Workspace(feedsConf: Self.feedsConf(server, feeds: 0..<1))
        let disk = try SmallDisk(at: workspace.data, megabytes: 16)
        guard try await workspace.cli(["fetch"]).status == 0 else { throw CocoaError(.fileWriteUnknown) }
        let filler = try disk.fill(leaving: 600_000)
        try Self.feedsConf(server).write(toFile: workspace.config, atomically: true, encoding: .utf8)
        return (workspace, disk, filler)
    }

    static func storedArticles(_ workspace: Workspace) async throws -> Int {
        let list = try await workspace.cli(["list", "--all", "--format", "jsonl"])
        return list.stdout.split(separator: "\n").count
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func aFullDiskPausesPollingAndEverythingIsStoredOnceThereIsRoom() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let (workspace, disk, filler) = try await Self.nearlyFullDisk(server)
        defer { workspace.remove() }
        defer { disk.unmount() }

        let daemon = try ServiceTests.Daemon(workspace)
        defer { kill(daemon.process.processIdentifier, SIGKILL) }
        #expect(await daemon.waitUntil(seconds: 20) { daemon.messages.contains { $0.contains("STATUS=store full: ") } },
                "\(daemon.messages.suffix(3)) \(daemon.logText.suffix(600))")
        // Paused: once the polls under way are done, nothing is downloaded.
        try await Task.sleep(for: .seconds(1))
        let asked = server.requests().count
        try await Task.sleep(for: .seconds(3))
        #expect(server.requests().count == asked, "downloaded while paused")

        let freed = Date()
        try FileManager.default.removeItem(atPath: filler)
        #expect(await daemon.waitUntil(seconds: 90) { daemon.logText.contains("store writable again") })
        let resumedAfter = Date().timeIntervalSince(freed)
        let total = Self.feedCount * Self.itemsPerFeed
        var stored = 0
        for _ in 0..<100 where stored < total {
            stored = try await Self.storedArticles(workspace)
            if stored < total { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(stored == total, "\(stored) of \(total) stored after the disk had room again")
        let log = daemon.logText.split(separator: "\n")
        let outage = log.filter { $0.contains("store full") || $0.contains("disk is full") }
        #expect(outage.count == 1, "\(outage)")
        #expect(await daemon.waitUntil { daemon.messages.last?.contains("STATUS=polling \(Self.feedCount) feeds") == true })
        #expect(await daemon.stop() == 0)
        print("full disk: \(stored) of \(total) articles stored without a restart; \(outage.count) line while full; "
            + "first poll \(String(format: "%.1f", resumedAfter)) s after room returned; \(asked) requests before the pause")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func fetchStopsAtAFullDiskWithOneLineAndAsksAgainInFull() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let (workspace, disk, filler) = try await Self.nearlyFullDisk(server)
        defer { workspace.remove() }
        defer { disk.unmount() }

        let full = try await workspace.cli(["fetch"])
        #expect(full.status == 73)
        #expect(full.stderr.split(separator: "\n").filter { $0.contains("store full: ") }.count == 1, "\(full.stderr)")
        #expect(full.stderr.contains("stopped polling"), "\(full.stderr)")
        #expect(!full.stdout.contains("disk is full"), "a line per feed: \(full.stdout)")

        try FileManager.default.removeItem(atPath: filler)
        let again = try await workspace.cli(["fetch"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await Self.storedArticles(workspace) == Self.feedCount * Self.itemsPerFeed)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a tmpfs read-only"))
    func aReadOnlyFileSystemIsWaitedOut() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: Self.feedsConf(server, feeds: 0..<4))
        defer { workspace.remove() }
        let disk = try SmallDisk(at: workspace.data, megabytes: 32)
        defer { disk.unmount() }
        #expect(try await workspace.cli(["fetch"]).status == 0)
        // Mounted read-only before the daemon starts (a mount with files open for writing
        // cannot be made read-only): it waits, ready, instead of exiting for a restart loop.
        try disk.remount("ro")
        try Self.feedsConf(server, feeds: 0..<8).write(toFile: workspace.config, atomically: true, encoding: .utf8)
        let daemon = try ServiceTests.Daemon(workspace)
        defer { kill(daemon.process.processIdentifier, SIGKILL) }
        #expect(await daemon.waitUntil(seconds: 10) {
            daemon.messages.contains { $0.contains("READY=1") && $0.contains("store read-only: the file system holding") }
        }, "\(daemon.messages) \(daemon.logText)")
        try await Task.sleep(for: .seconds(2))
        #expect(server.requests().count == 4, "asked while read-only")
        #expect(daemon.process.isRunning)
        try disk.remount("rw")
        let total = 8 * Self.itemsPerFeed
        #expect(await daemon.waitUntil(seconds: 60) { (try? Self.syncCount(workspace)) == total }, "\(daemon.logText)")
        #expect(daemon.logText.split(separator: "\n").filter { $0.contains("store read-only") }.count == 1)
        #expect(await daemon.stop() == 0)
    }

    static func syncCount(_ workspace: Workspace) throws -> Int {
        try count("SELECT count(*) FROM article", in: workspace.data + "/aggregator.sqlite")
    }

    /// A count read straight from a database file, read-only.
    static func count(_ sql: String, in path: String) throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { try Int.fetchOne($0, sql: sql) ?? 0 }
    }

    /// Garbage in one page of the store: `check` says so in plain words and exits 65,
    /// the daemon refuses the store; a damaged search index is rebuilt on its own.
    @Test func aDamagedStoreIsNamedAndRefusedAndADamagedIndexRebuilt() async throws {
        let server = try await Self.server()
        defer { Task { await server.stop() } }
        let workspace = try Workspace(feedsConf: Self.feedsConf(server, feeds: 0..<6))
        defer { workspace.remove() }
        #expect(try await workspace.cli(["fetch"]).status == 0)
        #expect(try await workspace.cli(["search", "item"]).status == 0)  // builds the index file
        let healthy = try await workspace.cli(["check"])
        #expect(healthy.status == 0 && healthy.stdout.contains("aggregator.sqlite: ok"), "\(healthy.stdout)")

        // A copy with one page of garbage.
        let damaged = workspace.folder.appendingPathComponent("damaged").path
        try FileManager.default.createDirectory(atPath: damaged, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: workspace.data + "/aggregator.sqlite", toPath: damaged + "/aggregator.sqlite")
        try Self.scribble(on: damaged + "/aggregator.sqlite", page: try Self.rootPage(of: "article", in: damaged + "/aggregator.sqlite"))
        let check = try await workspace.cli(["check", "--data", damaged], withPaths: false)
        #expect(check.status == 65, "\(check.stdout) \(check.stderr)")
        #expect(check.stdout.contains("\(damaged)/aggregator.sqlite: DAMAGED"), "\(check.stdout)")
        #expect(check.stdout.contains("aggregator backup") && check.stdout.contains(".recover"))
        let refused = try await ProcessRunner.run(EndToEndTests.daemon, ["--config", workspace.config, "--data", damaged])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("damaged") && refused.stderr.contains("not starting on it"), "\(refused.stderr)")

        // The index file damaged: the daemon starts all the same and builds it again.
        try Self.scribble(on: workspace.data + "/search.sqlite",
                          page: try Self.rootPage(of: "article_fts_data", in: workspace.data + "/search.sqlite"))
        let daemon = try ServiceTests.Daemon(workspace)
        #expect(await daemon.waitUntil { daemon.count("READY=1") == 1 })
        #expect(await daemon.waitUntil(seconds: 20) {
            (try? Self.indexed(workspace)) == 6 * Self.itemsPerFeed
        })
        #expect(await daemon.stop() == 0)
        let after = try await workspace.cli(["check"])
        #expect(after.status == 0 && after.stdout.contains("search.sqlite: ok"), "\(after.stdout)")
        let found = try await workspace.cli(["search", "Feed 3 item 7"])
        #expect(found.stdout.contains("Feed 3 item 7"), "\(found.stdout) \(found.stderr)")
    }

    /// Garbage over a b-tree page's header and cells (the whole page but page 1's file header).
    static func scribble(on path: String, page: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let start = (page - 1) * 16384 + (page == 1 ? 100 : 0)
        try handle.seek(toOffset: UInt64(start))
        try handle.write(contentsOf: Data((0..<8000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }))
    }

    /// The page holding a table's root (where its b-tree starts).
    static func rootPage(of table: String, in path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.writeWithoutTransaction { db in
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")  // every page in the file itself
            return try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_schema WHERE name = ?", arguments: [table]) ?? 2
        }
    }

    static func indexed(_ workspace: Workspace) throws -> Int {
        try count("SELECT count(*) FROM article_fts", in: workspace.data + "/search.sqlite")
    }

    /// A backup taken while the daemon stores feeds that grow on every request: a
    /// consistent store of its own, which passes SQLite's checks and lists.
    @Test func aBackupWhileTheDaemonIngestsIsWholeAndReadable() async throws {
        let feeds = CrashTests.GrowingFeeds()
        let server = try await LoopbackServer.start([
            ("GET /feed/*", { request in
                HTTPResponse(statusCode: .ok, body: feeds.body(for: request.path.split(separator: "/").last.map(String.init) ?? "x"))
            }),
        ])
        defer { Task { await server.stop() } }
        let conf = (0..<40).map { "\(server.baseURL)/feed/f\($0) interval=1s" }.joined(separator: "\n") + "\n"
        let workspace = try Workspace(feedsConf: conf)
        defer { workspace.remove() }
        let daemon = try ServiceTests.Daemon(workspace)
        #expect(await daemon.waitUntil { daemon.count("READY=1") == 1 })
        try await Task.sleep(for: .milliseconds(1500))
        let destination = workspace.folder.appendingPathComponent("backup").path
        for round in 0..<3 {
            let backup = try await workspace.cli(["backup", destination] + (round > 0 ? ["--replace"] : []))
            #expect(backup.status == 0, "\(backup.stderr)")
            #expect(backup.stdout.contains("backed up "), "\(backup.stdout)")
            let check = try await workspace.cli(["check", "--data", destination], withPaths: false)
            #expect(check.status == 0 && check.stdout.contains("aggregator.sqlite: ok"), "\(check.stdout)")
            let list = try await workspace.cli(["list", "--all", "--format", "jsonl", "--data", destination], withPaths: false)
            #expect(list.status == 0 && list.stdout.split(separator: "\n").count >= 40, "round \(round): \(list.stderr)")
            try await Task.sleep(for: .milliseconds(300))
        }
        let again = try await workspace.cli(["backup", destination])
        #expect(again.status == 73 && again.stderr.contains("already holds a store; --replace replaces it"))
        #expect(await daemon.stop() == 0)
    }
}
