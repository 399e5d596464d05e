import ArgumentParser
import CommandSupport
import Config
import FeedParser
import Foundation
import Store

struct HooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hooks",
        abstract: "Hook deliveries (exec=, webhook=) still waiting, and those that failed for good.",
        subcommands: [HooksListCommand.self, HooksRetryCommand.self],
        defaultSubcommand: HooksListCommand.self)
}

struct HooksListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List pending and failed deliveries (the default).")

    @OptionGroup var reading: ReadingOptions

    @Flag(help: "One JSON object per delivery, one per line.")
    var json = false

    func run() throws {
        let read = try reading.open()
        let deliveries = try read.store.deliveries()
        let counts = try read.store.deliveryCounts()
        if json {
            for delivery in deliveries { print(Self.jsonLine(delivery)) }
            return
        }
        print("\(counts.pending) pending, \(counts.failed) failed")
        guard !deliveries.isEmpty else { return }
        let now = Date()
        let rows = deliveries.map { delivery -> [String] in
            let when: String
            switch delivery.state {
            case .pending:
                let seconds = Int(delivery.nextAttemptAt.timeIntervalSince(now))
                when = seconds > 0 ? "next in \(Interval.format(seconds: seconds))" : "due now"
            case .failed:
                when = "queued \(ArticleOutput.localTime(delivery.createdAt))"
            }
            let article = "\(delivery.articleID) \(TerminalText.clean(delivery.articleTitle ?? "(untitled)"))"
            return [delivery.state.rawValue, String(delivery.attempts), when, TerminalText.fit(article, 40),
                    Self.hookName(delivery.target)]
        }
        let headers = ["STATE", "ATTEMPTS", "WHEN", "ARTICLE", "HOOK"]
        let widths = (0..<headers.count - 1).map { column in
            ([headers[column]] + rows.map { $0[column] }).map(DisplayWidth.of).max() ?? 0
        }
        func line(_ fields: [String]) -> String {
            zip(fields.dropLast(), widths).map { TerminalText.pad($0, $1) }.joined(separator: "  ") + "  " + fields.last!
        }
        print(line(headers))
        for (row, delivery) in zip(rows, deliveries) {
            print(line(row))
            if let error = delivery.lastError { print("    " + TerminalText.clean(error)) }
        }
    }

    /// `exec /usr/local/bin/tell --quiet`, `webhook https://…` from the outbox's name of it.
    static func hookName(_ target: String) -> String {
        if target.hasPrefix("exec:") { return "exec " + target.dropFirst(5).replacingOccurrences(of: "\u{1F}", with: " ") }
        if target.hasPrefix("webhook:") { return "webhook " + target.dropFirst(8) }
        return target
    }

    static func jsonLine(_ delivery: Delivery) -> String {
        let object: [String: Any] = [
            "delivery": delivery.id, "state": delivery.state.rawValue, "attempts": delivery.attempts,
            "article": delivery.articleID, "feed": delivery.feedURL, "hook": hookName(delivery.target),
            "event": delivery.event, "queued": DateFormatting.rfc3339(delivery.createdAt),
            "next_attempt": delivery.state == .pending ? DateFormatting.rfc3339(delivery.nextAttemptAt) : NSNull(),
            "last_error": delivery.lastError ?? NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

struct HooksRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send the failed deliveries again (aggregatord, or the next fetch, sends them).")

    @OptionGroup var paths: PathOptions

    func run() async throws {
        try paths.requireSQLite("`aggregator hooks retry`")
        let resolved = paths.resolve(writable: true)
        let store: Store
        do {
            store = try Store(directory: resolved.data, writable: true)
        } catch {
            printError("aggregator: cannot change the store: \(error)")
            if error.kind == .permissionDenied || access(resolved.data, W_OK) != 0 {
                printError("  the store is the daemon's; an administrator runs: sudo aggregator hooks retry")
                throw ExitStatus.permission
            }
            throw ExitStatus.store
        }
        let count = try await store.retryFailedDeliveries()
        store.finishWriting()
        print(count == 0 ? "no failed deliveries" : "\(count) failed deliver\(count == 1 ? "y" : "ies") to send again; "
            + "aggregatord sends them within seconds (or the next aggregator fetch)")
    }
}
