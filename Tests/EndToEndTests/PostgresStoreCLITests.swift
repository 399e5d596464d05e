import Foundation
import Testing
import TestSupport

/// The commands on a PostgreSQL store, as a person runs them: a SQLite store collected by
/// `fetch`, copied by `store copy`, then `list`, `feeds` and `search` give the same answers
/// from either (`--store`, `AGGREGATOR_STORE`, `default store=`); what is not on
/// PostgreSQL yet says so instead of reading another store.
@Suite(.serialized) struct PostgresStoreCLITests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pgcli-\(UUID().uuidString)")
    var config: String { folder.appendingPathComponent("feeds.conf").path }
    var data: String { folder.appendingPathComponent("data").path }

    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
        try await ProcessRunner.run(EndToEndTests.cli, arguments, environment: [
            "TZ": "UTC", "AGGREGATOR_STATE": folder.appendingPathComponent("state").path,
        ].merging(environment) { _, new in new })
    }

    func item(_ guid: String, _ title: String, _ text: String, hoursAgo: Double, link: String? = nil) -> String {
        let date = Date().addingTimeInterval(-hoursAgo * 3600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return "<item><guid>\(guid)</guid><title>\(title)</title><link>\(link ?? "https://example.org/\(guid)")</link>"
            + "<description>\(text)</description><pubDate>\(formatter.string(from: date))</pubDate></item>"
    }

    @Test func aCopiedStoreAnswersAsTheOriginal() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ("<rss version=\"2.0\"><channel><title>World</title>"
            + item("w1", "Harvest in the north", "Farmers bring in the harvest.", hoursAgo: 1)
            + item("w2", "Shared story", "Told twice.", hoursAgo: 3, link: "https://shared.example/s")
            + item("w3", "Tabs\tand \\backslashes", "Line one\nline two", hoursAgo: 30)
            + "</channel></rss>").write(to: folder.appendingPathComponent("world.xml"), atomically: true, encoding: .utf8)
        try ("<rss version=\"2.0\"><channel><title>Tech</title>"
            + item("t1", "Harvest robots", "Machines for the harvest.", hoursAgo: 2)
            + item("t2", "Shared story", "Told twice.", hoursAgo: 4, link: "https://shared.example/s")
            + "</channel></rss>").write(to: folder.appendingPathComponent("tech.xml"), atomically: true, encoding: .utf8)
        try "file:world.xml tags=news\nfile:tech.xml title=\"Tech desk\" tags=tech\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let fetch = try await run(["fetch", "--config", config, "--data", data])
        #expect(fetch.status == 0, "\(fetch.stderr)")

        let url = try ThrowawayPostgres.newDatabase()
        let copy = try await run(["store", "copy", "--from", data, "--to", url])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(copy.stdout.hasPrefix("copied 5 articles and 2 feeds from \(data) to "), "\(copy.stdout)")

        let questions: [[String]] = [
            ["list", "--all", "--format", "jsonl"],
            ["list", "--format", "json", "--limit", "2"],
            ["list", "--format", "tsv", "--feed", "tech"],
            ["list", "--format", "tsv", "--tag", "news", "--since", "1d"],
            ["list", "--format", "tsv", "--search", "harvest"],
            ["feeds", "--json"],
        ]
        for question in questions {
            let fromSQLite = try await run(question + ["--config", config, "--data", data])
            let fromPostgres = try await run(question + ["--config", config, "--store", url])
            #expect(fromSQLite.status == 0 && fromPostgres.status == 0, "\(question): \(fromPostgres.stderr)")
            #expect(fromPostgres.stdout == fromSQLite.stdout, "\(question)")
            #expect(!fromSQLite.stdout.isEmpty, "\(question)")
        }
        // The same store named by the environment, and by feeds.conf.
        let byEnvironment = try await run(["list", "--all", "--format", "jsonl", "--config", config],
                                          environment: ["AGGREGATOR_STORE": url])
        let reference = try await run(["list", "--all", "--format", "jsonl", "--config", config, "--data", data])
        #expect(byEnvironment.stdout == reference.stdout)
        try "default store=\"\(url)\"\nfile:world.xml tags=news\nfile:tech.xml title=\"Tech desk\" tags=tech\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let byConfig = try await run(["list", "--all", "--format", "jsonl", "--config", config, "-v"])
        #expect(byConfig.stdout == reference.stdout)
        #expect(byConfig.stderr.contains("(from \(config):1)"), "\(byConfig.stderr)")
        let checked = try await run(["check-config", "--config", config])
        #expect(checked.status == 0, "\(checked.stdout)\(checked.stderr)")

        // Search: the title match first, the words marked.
        let search = try await run(["search", "harvest", "--config", config])
        #expect(search.status == 0, "\(search.stderr)")
        let lines = search.stdout.split(separator: "\n")
        #expect(lines.first?.contains("Harvest") == true && lines.contains { $0.contains("**harvest**") }, "\(search.stdout)")

        // Not on PostgreSQL yet: said, never answered from another store.
        let show = try await run(["show", "1", "--config", config])
        #expect(show.status == 73)
        #expect(show.stderr.contains("works on the SQLite store only in this version"), "\(show.stderr)")
        let fetchThere = try await run(["fetch", "--config", config])
        #expect(fetchThere.status == 73, "\(fetchThere.stderr)")
        #expect(fetchThere.stderr.contains("`aggregator fetch` works on the SQLite store only"), "\(fetchThere.stderr)")

        // And back into a folder: the same answers again.
        let back = folder.appendingPathComponent("back").path
        let returned = try await run(["store", "copy", "--from", url, "--to", back])
        #expect(returned.status == 0, "\(returned.stderr)")
        for question in [["list", "--all", "--format", "jsonl"], ["feeds", "--json"], ["search", "harvest"]] {
            let original = try await run(question + ["--config", config, "--data", data])
            let roundTrip = try await run(question + ["--config", config, "--data", back])
            #expect(roundTrip.stdout == original.stdout, "\(question)")
        }

        // Copying again adds nothing and says where it went on from.
        let again = try await run(["store", "copy", "--from", data, "--to", url])
        #expect(again.stdout.contains("copied 0 articles") && again.stdout.contains("5 articles were there already"), "\(again.stdout)")
    }

    @Test func badAddressesAndMissingStoresSayWhy() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let withPassword = try await run(["list", "--store", "postgresql://me:hunter2@127.0.0.1/news"])
        #expect(withPassword.status == 78)
        #expect(withPassword.stderr.contains("a password does not belong") && !withPassword.stderr.contains("hunter2"))
        let nowhere = try await run(["list", "--store", "postgresql://me@127.0.0.1:1/news?sslmode=disable"])
        #expect(nowhere.status == 69)
        #expect(nowhere.stderr.contains("connection refused"), "\(nowhere.stderr)")
        let empty = try await run(["feeds", "--store", try ThrowawayPostgres.newDatabase()])
        #expect(empty.status == 66)
        #expect(empty.stderr.contains("nothing collected yet"), "\(empty.stderr)")
        let both = try await run(["list", "--store", "postgresql://me@db/x", "--data", data])
        #expect(both.status == 78 && both.stderr.contains("--store and --data name two stores"))
    }
}
