import Foundation
import Testing
@testable import Config

/// `store=` / `--store` / `AGGREGATOR_STORE`: a folder or a PostgreSQL address in libpq's
/// URL form, never with a password.
@Suite struct StoreLocationTests {
    @Test(arguments: [
        ("postgresql://agg@db.example:5433/news?sslmode=require", "db.example", nil, 5433, "agg", "news", "require"),
        ("postgres://agg@db.example/news", "db.example", nil, 5432, "agg", "news", "prefer"),
        ("postgresql://agg@/news?host=/tmp/pg", nil, "/tmp/pg", 5432, "agg", "news", "prefer"),
        ("postgresql://agg@%2Ftmp%2Fpg/news", nil, "/tmp/pg", 5432, "agg", "news", "prefer"),
        ("postgresql:///news", nil, "/var/run/postgresql", 5432, "me", "news", "prefer"),
        ("postgresql://agg@db.example", "db.example", nil, 5432, "agg", "agg", "prefer"),
        ("postgresql://agg@[::1]:5432/news?sslmode=disable", "::1", nil, 5432, "agg", "news", "disable"),
        ("postgresql://db.example/news?user=other&port=6000", "db.example", nil, 6000, "other", "news", "prefer"),
    ] as [(String, String?, String?, Int, String, String, String)])
    func addressesReadAsLibpqReadsThem(_ text: String, _ host: String?, _ socket: String?, _ port: Int,
                                       _ user: String, _ database: String, _ ssl: String) throws {
        let address = try PostgresAddress.parse(text, defaultUser: "me")
        #expect(address.host == host)
        #expect(address.socketFolder == socket)
        #expect(address.port == port)
        #expect(address.user == user)
        #expect(address.database == database)
        #expect(address.sslMode.rawValue == ssl)
        // What messages print reads back as the same address.
        #expect(try PostgresAddress.parse(address.description, defaultUser: "me") == address)
    }

    @Test(arguments: [
        ("postgresql://agg:secret@db/news", "a password does not belong"),
        ("postgresql://agg@db/news?password=secret", "a password does not belong"),
        ("postgresql://agg@db/news?sslmode=sometimes", "invalid sslmode 'sometimes'"),
        ("postgresql://agg@db/news?pool=3", "unknown parameter 'pool'"),
        ("postgresql://agg@db:99999/news", "invalid port"),
    ])
    func badAddressesSayWhy(_ text: String, _ expected: String) {
        #expect {
            _ = try PostgresAddress.parse(text, defaultUser: "me")
        } throws: { error in
            (error as? PostgresAddress.Problem)?.message.contains(expected) == true
        }
    }

    @Test func aPasswordNeverShowsInTheDescription() throws {
        let address = try PostgresAddress.parse("postgresql://agg@db.example/news")
        #expect(address.description == "postgresql://agg@db.example/news")
        #expect(try StoreLocation.parse("/var/lib/aggregator") == .directory("/var/lib/aggregator"))
    }

    @Test func feedsConfSaysWhereTheStoreIsOnADefaultLine() {
        let config = ConfigParser.parse(text: "default store=postgresql://agg@db.example/news\nhttps://a.example/feed\n",
                                        path: "feeds.conf", baseDirectory: "/etc/aggregator")
        #expect(config.errors.isEmpty)
        #expect(config.store == .postgres(try! PostgresAddress.parse("postgresql://agg@db.example/news")))
        #expect(config.storeLine == 1)
        let folder = ConfigParser.parse(text: "default store=data\n", path: "feeds.conf", baseDirectory: "/etc/aggregator")
        #expect(folder.store == .directory("/etc/aggregator/data"))
        let bad = ConfigParser.parse(text: "# mine\ndefault store=postgresql://agg:hunter2@db/news\n", path: "feeds.conf", baseDirectory: "/")
        #expect(bad.errors.map(\.description).first?.hasPrefix("feeds.conf:2: invalid store: a password does not belong") == true,
                "\(bad.errors)")
        #expect(!bad.errors.map(\.description).joined().contains("hunter2"))
        let feedLine = ConfigParser.parse(text: "https://a.example/feed store=postgresql://db/x\n", path: "feeds.conf", baseDirectory: "/")
        #expect(!feedLine.errors.isEmpty)
    }
}
