import Foundation

/// A real PostgreSQL for the tests: the cluster `make test` started (its URL in
/// AGGREGATOR_TEST_POSTGRES), else one this process starts with .ci/postgres-cluster.sh
/// and stops when it exits. Each test takes a database of its own.
/// Without PostgreSQL installed the tests fail saying so: no mock stands in.
public enum ThrowawayPostgres {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The socket folder of the cluster (the URL's `host=`).
    private static let cluster: Result<String, Unavailable> = {
        if let url = ProcessInfo.processInfo.environment["AGGREGATOR_TEST_POSTGRES"], !url.isEmpty,
           let folder = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "host" })?.value {
            return .success(folder)
        }
        let started = run("/bin/bash", [script, "start"])
        guard started.status == 0 else {
            return .failure(Unavailable(description: "no PostgreSQL for the tests: \(started.output) "
                + "(make test installs Debian's postgresql and starts one)"))
        }
        let folder = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        startedCluster = (script, folder)
        atexit { if let (script, folder) = startedCluster { _ = ThrowawayPostgres.run("/bin/bash", [script, "stop", folder]) } }
        return .success(folder)
    }()

    /// A new, empty database, as a store address: `postgresql://aggregator@/NAME?host=FOLDER`.
    public static func newDatabase() throws -> String {
        let folder = try cluster.get()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let created = run(binary("createdb"), ["-h", folder, "-U", "aggregator", String(name)])
        guard created.status == 0 else { throw Unavailable(description: "createdb: \(created.output)") }
        return "postgresql://aggregator@/\(name)?host=\(folder)"
    }

    /// A cluster of the test's own (for one it stops and starts: an outage), with its
    /// `aggregator` database; `stop` removes it.
    public struct Dedicated: Sendable {
        public let folder: String
        public var url: String { "postgresql://aggregator@/aggregator?host=\(folder)" }

        public init() throws {
            let started = ThrowawayPostgres.run("/bin/bash", [ThrowawayPostgres.script, "start"])
            guard started.status == 0, let folder = started.output.split(separator: "\n").last.map(String.init) else {
                throw Unavailable(description: "no PostgreSQL for the tests: \(started.output)")
            }
            self.folder = folder
        }

        /// The server stopped (fast shutdown: connections cut), its data kept.
        public func pause() throws { try control("pause") }
        public func resume() throws { try control("resume") }
        public func stop() { _ = ThrowawayPostgres.run("/bin/bash", [ThrowawayPostgres.script, "stop", folder]) }

        private func control(_ command: String) throws {
            let result = ThrowawayPostgres.run("/bin/bash", [ThrowawayPostgres.script, command, folder])
            guard result.status == 0 else { throw Unavailable(description: "\(command): \(result.output)") }
        }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".ci/postgres-cluster.sh").path

    /// Runs SQL with psql (for a test's own checks, independent of the code under test).
    public static func psql(_ url: String, _ sql: String) throws -> String {
        let result = run(binary("psql"), ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        guard result.status == 0 else { throw Unavailable(description: "psql: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func binary(_ name: String) -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let newest = versions.sorted { $0.compare($1, options: .numeric) == .orderedAscending }.last ?? "15"
        return "/usr/lib/postgresql/\(newest)/bin/\(name)"
    }

    /// posix_spawn and waitpid, output into a file: Foundation's Process waited forever
    /// here for a command that had ended (inside a lazily made static, on a test's thread),
    /// and the server pg_ctl starts would hold a pipe open.
    static func run(_ program: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("pg-run-\(UUID().uuidString)").path
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let started = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard started == 0 else { return (-1, "\(program): \(String(cString: strerror(started)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}

/// The cluster this process started, stopped at exit.
private nonisolated(unsafe) var startedCluster: (script: String, folder: String)?
