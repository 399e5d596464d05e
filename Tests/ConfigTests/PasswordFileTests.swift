import Foundation
import Testing
@testable import Config

/// The password comes from a libpq password file: the same rules psql follows.
@Suite struct PasswordFileTests {
    @Test(arguments: [
        ("db:5432:news:agg:one", "db", 5432, "news", "agg", "one"),
        ("# comment\n*:*:*:agg:any\ndb:5432:news:agg:later", "db", 5432, "news", "agg", "any"),
        ("db:5433:news:agg:wrongport\ndb:*:news:agg:right", "db", 5432, "news", "agg", "right"),
        ("db:5432:news:other:no", "db", 5432, "news", "agg", nil),
        (#"db:5432:news:agg:with\:colon\\and"#, "db", 5432, "news", "agg", #"with:colon\and"#),
        (#"host\:x:5432:*:*:escaped"#, "host:x", 5432, "news", "agg", "escaped"),
        ("db:5432:news:agg:pa:ss", "db", 5432, "news", "agg", "pa:ss"),
        ("short:line", "db", 5432, "news", "agg", nil),
    ] as [(String, String, Int, String, String, String?)])
    func linesMatchAsLibpqMatchesThem(_ text: String, _ host: String, _ port: Int, _ db: String, _ user: String, _ expected: String?) {
        #expect(PasswordFile.match(text, host: host, port: port, database: db, user: user) == expected)
    }

    @Test func theCredentialComesFirstAndAnOpenFileIsIgnored() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/creds", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let address = try PostgresAddress.parse("postgresql://agg@/news")  // Debian's socket: matched as localhost
        try "localhost:5432:news:agg:from-home\n".write(toFile: folder + "/.pgpass", atomically: true, encoding: .utf8)
        chmod(folder + "/.pgpass", 0o644)
        var found = PasswordFile.lookup(for: address, environment: ["HOME": folder])
        #expect(found.password == nil)
        #expect(found.warning?.contains("chmod 0600") == true)
        chmod(folder + "/.pgpass", 0o600)
        found = PasswordFile.lookup(for: address, environment: ["HOME": folder])
        #expect(found.password == "from-home")
        try "*:*:*:*:from-credential\n".write(toFile: folder + "/creds/pgpass", atomically: true, encoding: .utf8)
        chmod(folder + "/creds/pgpass", 0o400)
        found = PasswordFile.lookup(for: address, environment: ["HOME": folder, "CREDENTIALS_DIRECTORY": folder + "/creds"])
        #expect(found.password == "from-credential")
        #expect(found.file == folder + "/creds/pgpass")
        try "*:*:*:*:named\n".write(toFile: folder + "/named", atomically: true, encoding: .utf8)
        chmod(folder + "/named", 0o600)
        found = PasswordFile.lookup(for: address, environment: ["HOME": folder, "PGPASSFILE": folder + "/named"])
        #expect(found.password == "named")
    }
}
