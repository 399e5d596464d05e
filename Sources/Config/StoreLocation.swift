import Foundation

/// Where the articles live: a folder holding the SQLite store (the default, `--data DIR`),
/// or a PostgreSQL database shared by a fleet (`store=postgresql://…` on a `default` line,
/// `--store URL`, `AGGREGATOR_STORE`).
public enum StoreLocation: Equatable, Sendable, CustomStringConvertible {
    case directory(String)
    case postgres(PostgresAddress)

    /// A `postgresql://` or `postgres://` URL is a PostgreSQL store; anything else is a folder.
    public static func parse(_ text: String) throws(PostgresAddress.Problem) -> StoreLocation {
        if PostgresAddress.looksLikeOne(text) { return .postgres(try PostgresAddress.parse(text)) }
        return .directory(text)
    }

    public var description: String {
        switch self {
        case .directory(let path): return path
        case .postgres(let address): return address.description
        }
    }
}

/// A PostgreSQL connection address in libpq's URL form, without a password:
/// `postgresql://[user@][host][:port][/database][?host=/socket/dir&sslmode=…&application_name=…]`.
/// A host starting with `/` (or `host=` in the query) is the folder of a Unix socket, as in
/// libpq; no host means Debian's socket folder, `/var/run/postgresql`.
public struct PostgresAddress: Equatable, Sendable, CustomStringConvertible {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require, verifyCA = "verify-ca", verifyFull = "verify-full"
    }
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public static let defaultSocketFolder = "/var/run/postgresql"

    /// A host name or address; nil when `socketFolder` is used.
    public var host: String?
    public var socketFolder: String?
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    public var applicationName: String?

    static func looksLikeOne(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// `defaultUser`: libpq's default, the account's name.
    public static func parse(_ text: String, defaultUser: String = PostgresAddress.accountName()) throws(Problem) -> PostgresAddress {
        guard looksLikeOne(text), let components = URLComponents(string: text) else {
            throw Problem(message: "not a PostgreSQL address: \(text) (write postgresql://user@host:5432/database)")
        }
        if components.password != nil {
            throw Problem(message: "a password does not belong in the store address (it would be in feeds.conf, "
                + "the process list or the journal): put it in ~/.pgpass, the file PGPASSFILE names, "
                + "or the service's pgpass credential (README: Many feeds, several machines)")
        }
        var address = PostgresAddress(host: nil, socketFolder: nil, port: 5432,
                                      user: components.user.flatMap { $0.isEmpty ? nil : $0 } ?? defaultUser,
                                      database: "", sslMode: .prefer)
        // URLComponents keeps "%2F…" in the host percent-encoded: libpq takes a socket folder there too.
        if let host = components.percentEncodedHost, !host.isEmpty {
            var decoded = host.removingPercentEncoding ?? host
            if decoded.hasPrefix("[") && decoded.hasSuffix("]") { decoded = String(decoded.dropFirst().dropLast()) }
            if decoded.hasPrefix("/") { address.socketFolder = decoded } else { address.host = decoded }
        }
        if let port = components.port {
            guard (1...65535).contains(port) else { throw Problem(message: "invalid port \(port) in \(text)") }
            address.port = port
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        address.database = path.isEmpty ? address.user : path
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "host":
                if value.hasPrefix("/") { address.socketFolder = value; address.host = nil } else { address.host = value; address.socketFolder = nil }
            case "port":
                guard let port = Int(value), (1...65535).contains(port) else { throw Problem(message: "invalid port '\(value)' in \(text)") }
                address.port = port
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw Problem(message: "invalid sslmode '\(value)': use one of "
                        + SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
                address.sslMode = mode
            case "user": address.user = value
            case "dbname": address.database = value
            case "application_name": address.applicationName = value
            case "password":
                throw Problem(message: "a password does not belong in the store address: put it in ~/.pgpass "
                    + "(or PGPASSFILE, or the service's pgpass credential)")
            default:
                throw Problem(message: "unknown parameter '\(item.name)' in \(text) (known: host, port, dbname, user, sslmode, application_name)")
            }
        }
        if address.host == nil && address.socketFolder == nil { address.socketFolder = defaultSocketFolder }
        return address
    }

    /// What ~/.pgpass lines are matched against for this address's host: libpq matches a
    /// Unix-socket connection to the default socket folder as `localhost`.
    public var passwordFileHost: String {
        if let host { return host }
        return socketFolder == Self.defaultSocketFolder ? "localhost" : (socketFolder ?? "localhost")
    }

    /// Printed in messages and `aggregator feeds`: the URL, never a password (it has none).
    public var description: String {
        var text = "postgresql://\(user)@"
        var query: [String] = []
        if let host {
            text += host.contains(":") ? "[\(host)]" : host
            if port != 5432 { text += ":\(port)" }
        } else {
            if let socketFolder, socketFolder != Self.defaultSocketFolder { query.append("host=\(socketFolder)") }
            if port != 5432 { query.append("port=\(port)") }
        }
        text += "/\(database)"
        if sslMode != .prefer { query.append("sslmode=\(sslMode.rawValue)") }
        return query.isEmpty ? text : text + "?" + query.joined(separator: "&")
    }

    public static func accountName() -> String {
        if let name = ProcessInfo.processInfo.environment["PGUSER"], !name.isEmpty { return name }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "postgres"
    }
}

/// Which store a command uses when it may be PostgreSQL: `--store`, then `--data` (a
/// folder: SQLite), then `AGGREGATOR_STORE`, then `AGGREGATOR_DATA` (SQLite), then
/// feeds.conf's `default store=`; with none of them, the SQLite store `Paths` finds.
public enum StoreChoice {
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The choice and what made it (for `--verbose` and messages).
    public static func resolve(flagStore: String?, flagData: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               configStore: () -> (location: StoreLocation, origin: String)?)
        throws(Problem) -> (location: StoreLocation, origin: String)? {
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        func parse(_ text: String, _ origin: String) throws(Problem) -> (location: StoreLocation, origin: String) {
            do { return (try StoreLocation.parse(text), origin) } catch { throw Problem(message: "\(origin): \(error.message)") }
        }
        if let flagStore {
            if flagData != nil { throw Problem(message: "--store and --data name two stores: give one") }
            return try parse(flagStore, "--store")
        }
        if flagData != nil { return nil }
        if let env = nonEmpty("AGGREGATOR_STORE") { return try parse(env, "AGGREGATOR_STORE") }
        if nonEmpty(Paths.dataEnvironment) != nil { return nil }
        return configStore()
    }
}

extension ConfigParser {
    /// `default store=` of the file at `path`, read without parsing the feeds (a reading
    /// command on 100,000 feeds must not pay for them). A bad value is left to `check-config`
    /// and the daemon; nil when the file has none or cannot be read.
    public static func storeSetting(path: String) -> (location: StoreLocation, line: Int)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var found: (location: StoreLocation, line: Int)?
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // Bytes, not Characters: this runs before every reading command, on files of 100,000 lines.
        let setting = Array("store=".utf8)
        for (index, line) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard isDefaultLine(Substring(line)), line.firstRange(of: setting) != nil else { continue }
            let configuration = parse(text: String(Substring(line)), path: path, baseDirectory: folder)
            if let location = configuration.store { found = (location, index + 1) }
        }
        return found
    }
}
