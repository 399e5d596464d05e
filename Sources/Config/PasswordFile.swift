import Foundation

/// Finds a PostgreSQL password the way libpq does, so one file serves psql and aggregator:
/// lines `hostname:port:database:username:password`, `*` matching anything, `\:` and `\\`
/// escaping, `#` comments, the first matching line wins. The file is ignored (with a
/// warning) when its group or others may read it, as libpq does.
///
/// Where: the service's systemd credential `pgpass` (`LoadCredential=pgpass:…`, found in
/// `$CREDENTIALS_DIRECTORY`), else `PGPASSFILE`, else `~/.pgpass`.
public enum PasswordFile {
    public struct Lookup: Equatable, Sendable {
        public var password: String?
        /// The file read, for messages ("password from ~/.pgpass").
        public var file: String?
        public var warning: String?
    }

    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var files: [String] = []
        if let credentials = environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty {
            files.append(credentials + "/pgpass")
        }
        if let named = environment["PGPASSFILE"], !named.isEmpty {
            files.append(named)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            files.append(home + "/.pgpass")
        }
        return files
    }

    public static func lookup(for address: PostgresAddress,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> Lookup {
        var result = Lookup()
        for file in candidates(environment: environment) {
            var info = stat()
            guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if info.st_mode & 0o077 != 0 {
                result.warning = "\(file) is ignored: group or others may read it (chmod 0600 \(file))"
                continue
            }
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            if let password = match(text, host: address.passwordFileHost, port: address.port,
                                    database: address.database, user: address.user) {
                result.password = password
                result.file = file
                return result
            }
        }
        return result
    }

    /// The password of the first line matching, if any.
    public static func match(_ text: String, host: String, port: Int, database: String, user: String) -> String? {
        let wanted = [host, String(port), database, user]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.hasPrefix("#") { continue }
            let fields = split(String(trimmed))
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0.0 == "*" || $0.0 == $0.1 }) { return fields[4] }
        }
        return nil
    }

    /// Fields split on unescaped colons, with `\:` and `\\` undone.
    static func split(_ line: String) -> [String] {
        var fields: [String] = [], current = ""
        var escaped = false
        for character in line {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\": escaped = true
            case ":" where fields.count < 4: fields.append(current); current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
