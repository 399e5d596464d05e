import Config
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Store

/// The store in a PostgreSQL database (`store=postgresql://…`): the SQLite store's tables
/// in PostgreSQL's types (PostgresSchema), searched through a GIN index on a `tsvector`.
/// A fleet of aggregatord processes polls into it (`+Claims`, `+Polling`, `+Fleet`); the
/// CLI reads it (`+Reading`) and copies stores in and out (`+Copy`).
///
/// One connection per store object; queries run one at a time on it.
public final class PostgresStore: Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public enum Kind: Sendable { case unreachable, authentication, missing, other }
        public var kind: Kind
        public var message: String
        public var description: String { message }

        public init(kind: Kind, message: String) {
            self.kind = kind
            self.message = message
        }
    }

    public let address: PostgresAddress
    let connection: PostgresConnection
    static let logger = Logger(label: "aggregator.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    var logger: Logger { Self.logger }

    private init(address: PostgresAddress, connection: PostgresConnection) {
        self.address = address
        self.connection = connection
    }

    /// Connects (the password from the pgpass file libpq would read), and, when `create`,
    /// makes the tables the first time. A store that has no tables yet is `.missing`
    /// for a reader.
    public static func open(_ address: PostgresAddress, create: Bool,
                            environment: [String: String] = ProcessInfo.processInfo.environment) async throws(Failure) -> PostgresStore {
        let password = PasswordFile.lookup(for: address, environment: environment)
        let configuration: PostgresConnection.Configuration
        if let host = address.host {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            let tls: PostgresConnection.Configuration.TLS
            do {
                switch address.sslMode {
                case .disable:
                    tls = .disable
                case .allow, .prefer, .require:
                    // libpq encrypts in these modes without checking who answers.
                    tlsConfiguration.certificateVerification = .none
                    let context = try NIOSSLContext(configuration: tlsConfiguration)
                    tls = address.sslMode == .require ? .require(context) : .prefer(context)
                case .verifyCA:
                    tlsConfiguration.certificateVerification = .noHostnameVerification
                    tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
                case .verifyFull:
                    tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
                }
            } catch {
                throw Failure(kind: .other, message: "TLS for \(address): \(error)")
            }
            configuration = .init(host: host, port: address.port, username: address.user,
                                  password: password.password, database: address.database, tls: tls)
        } else {
            let socket = (address.socketFolder ?? PostgresAddress.defaultSocketFolder) + "/.s.PGSQL.\(address.port)"
            configuration = .init(unixSocketPath: socket, username: address.user,
                                  password: password.password, database: address.database)
        }
        var withName = configuration
        withName.options.additionalStartupParameters = [("application_name", address.applicationName ?? "aggregator")]
        withName.options.connectTimeout = .seconds(10)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: withName, id: 1, logger: logger)
        } catch {
            throw describe(error, address: address, passwordFile: password)
        }
        let store = PostgresStore(address: address, connection: connection)
        do {
            try await store.prepareSchema(create: create)
        } catch let failure as Failure {
            try? await connection.close()
            throw failure
        } catch {
            try? await connection.close()
            throw describe(error, address: address, passwordFile: password)
        }
        return store
    }

    /// Whether the connection is gone (the server closed it, or `close`).
    public var isClosed: Bool { connection.isClosed }

    /// Whether `error` is the server's answer to a statement (it carries a SQLSTATE) and
    /// not the connection's end: classes 08 (connection exception) and 57 (operator
    /// intervention: the server shutting down, a terminated backend) are the connection's.
    public static func isServerError(_ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return !state.hasPrefix("08") && !state.hasPrefix("57")
    }

    public func close() async {
        try? await connection.closeGracefully()
    }

    /// Runs `body`, then closes the connection whatever happened (the server then logs no
    /// connection dropped without a goodbye).
    public func closing<T>(_ body: (PostgresStore) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }

    /// Creates the tables in one transaction (two stores created at once: one wins, the
    /// other finds them), or checks the version of those there.
    func prepareSchema(create: Bool) async throws {
        let exists = try await scalarInt("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'aggregator_schema'") ?? 0
        if exists == 0 {
            guard create else {
                throw Failure(kind: .missing, message: "nothing collected yet in \(address) (no aggregator tables there)")
            }
            try await transaction {
                // Serialises two creators: the second waits, then finds the tables.
                try await self.run("SELECT pg_advisory_xact_lock(4242001)")
                let again = try await self.scalarInt("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'aggregator_schema'") ?? 0
                guard again == 0 else { return }
                for statement in PostgresSchema.statements { try await self.run(statement) }
                try await self.run("INSERT INTO aggregator_schema (version) VALUES (\(PostgresSchema.version))")
            }
        }
        let version = try await scalarInt("SELECT max(version) FROM aggregator_schema") ?? 0
        guard version <= PostgresSchema.version else {
            throw Failure(kind: .other, message: "\(address) holds a newer store (schema \(version)) than this aggregator knows "
                + "(\(PostgresSchema.version)): upgrade aggregator")
        }
        // An older store is brought up to date by a writer (readers read what is there).
        if version < PostgresSchema.version && create {
            try await transaction {
                try await self.run("SELECT pg_advisory_xact_lock(4242001)")
                let again = try await self.scalarInt("SELECT max(version) FROM aggregator_schema") ?? 0
                guard again < PostgresSchema.version else { return }
                for next in (again + 1)...PostgresSchema.version {
                    for statement in PostgresSchema.upgrades[next] ?? [] { try await self.run(statement) }
                }
                try await self.run("INSERT INTO aggregator_schema (version) VALUES (\(PostgresSchema.version))")
            }
        }
    }

    // MARK: - Small helpers

    func run(_ sql: String) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    func scalarInt(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) async throws -> Int? {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        for try await row in rows.decode(Int?.self) { return row }
        return nil
    }

    func transaction(_ body: () async throws -> Void) async throws {
        try await run("BEGIN")
        do {
            try await body()
            try await run("COMMIT")
        } catch {
            try? await run("ROLLBACK")
            throw error
        }
    }

    /// A message a person can act on; never the password.
    static func describe(_ error: any Error, address: PostgresAddress, passwordFile: PasswordFile.Lookup) -> Failure {
        if let failure = error as? Failure { return failure }
        guard let psql = error as? PSQLError else {
            return Failure(kind: .unreachable, message: "cannot reach PostgreSQL at \(address): \(error)")
        }
        if let message = psql.serverInfo?[.message] {
            let state = psql.serverInfo?[.sqlState] ?? ""
            // 28P01 wrong password, 28000 no such role / not allowed, 3D000 no such database.
            if state.hasPrefix("28") {
                var text = "PostgreSQL at \(address) refused \(address.user): \(message)"
                if state == "28P01" && passwordFile.password == nil {
                    text += "\n  No password was found for it: add a line host:port:database:user:password to ~/.pgpass "
                        + "(mode 0600), the file PGPASSFILE names, or the service's pgpass credential"
                }
                if let warning = passwordFile.warning { text += "\n  " + warning }
                return Failure(kind: .authentication, message: text)
            }
            if state == "3D000" {
                return Failure(kind: .missing, message: "PostgreSQL at \(address): \(message) (create it: createdb -O \(address.user) \(address.database))")
            }
            return Failure(kind: .other, message: "PostgreSQL at \(address): \(message)")
        }
        if psql.code == .authMechanismRequiresPassword {
            return Failure(kind: .authentication, message: "PostgreSQL at \(address) asks \(address.user) for a password and none was found: "
                + "add a line host:port:database:user:password to ~/.pgpass (mode 0600), the file PGPASSFILE names, "
                + "or the service's pgpass credential" + (passwordFile.warning.map { "\n  " + $0 } ?? ""))
        }
        let underlying = psql.underlying.map { "\($0)" } ?? "\(psql.code)"
        var reason = underlying
        if underlying.contains("Connection refused") || underlying.contains("No such file or directory") {
            reason = address.host == nil
                ? "no server listening on its socket in \(address.socketFolder ?? PostgresAddress.defaultSocketFolder) (is PostgreSQL running?)"
                : "connection refused (is PostgreSQL running and listening on \(address.host!):\(address.port)?)"
        } else if underlying.contains("timeout") || underlying.contains("Timeout") {
            reason = "no answer within 10 s"
        }
        return Failure(kind: .unreachable, message: "cannot reach PostgreSQL at \(address): \(reason)")
    }
}
