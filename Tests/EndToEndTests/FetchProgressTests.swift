import Foundation
import Testing
import TestSupport

/// `aggregator fetch` on a terminal: a live progress line, then problems and the summary.
/// `script` gives the binary a pseudo-terminal, as a person's shell would.
@Suite(.serialized) struct FetchProgressTests {
    @Test func onATerminalFetchShowsProgressAndThenWhatFailed() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let feed = folder.appendingPathComponent("local.xml")
        try #"<rss version="2.0"><channel><item><guid>1</guid></item><item><guid>2</guid></item></channel></rss>"#
            .write(to: feed, atomically: true, encoding: .utf8)
        let config = folder.appendingPathComponent("feeds.conf")
        try "file:local.xml\nhttp://127.0.0.1:1/refused.xml\n".write(to: config, atomically: true, encoding: .utf8)
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"))  // bsdutils, Essential on Debian

        let cli = ProcessRunner.productsFolder(of: Bundle.module).appendingPathComponent("aggregator").path
        let command = "\(cli) fetch --config \(config.path) --data \(folder.appendingPathComponent("data").path)"
        let result = try await ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/script"),
                                                 ["-qec", command, "/dev/null"], timeout: 60)
        #expect(result.stdout.contains("[2/2] 2 new, 0 updated, 1 failed"))
        #expect(result.stdout.contains("Problems:"))
        #expect(result.stdout.contains("http://127.0.0.1:1/refused.xml: connect:"))
        #expect(result.stdout.contains("2 feeds: 1 fetched, 0 not modified, 1 failed; 2 new and 0 updated articles"))
        // The per-feed lines are for pipes, not terminals.
        #expect(!result.stdout.contains("local.xml: 200"))
        #expect(result.status == 0)
    }
}
