import ArgumentParser
import CommandSupport
import Foundation
import Store

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Articles per day as a chart, articles per feed, and the store's size.")

    @OptionGroup var reading: ReadingOptions

    @Option(help: "How many weeks the chart covers.")
    var weeks: Int = 4

    func validate() throws {
        if !(1...520).contains(weeks) { throw ValidationError("--weeks must be between 1 and 520") }
    }

    func run() throws {
        let read = try reading.open()
        let store = read.store
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        let today = calendar.startOfDay(for: Date())
        let start = calendar.date(byAdding: .day, value: -(weeks * 7 - 1), to: today) ?? today
        let counts = Dictionary(try store.articlesPerDay(since: start).map { ($0.day, $0.count) },
                                uniquingKeysWith: +)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd"
        let days = (0..<(weeks * 7)).compactMap { calendar.date(byAdding: .day, value: $0, to: start) }.map(formatter.string)
        print(Self.chart(days.map { ($0, counts[$0] ?? 0) }, width: Terminal.standardOutput.width ?? 80))

        let feeds = try store.feeds().sorted { $0.articleCount > $1.articleCount }
        print("\nArticles per feed:")
        for feed in feeds {
            print("\(TerminalText.padLeft(String(feed.articleCount), 8))  \(TerminalText.clean(feed.displayTitle))")
        }
        let total = feeds.reduce(0) { $0 + $1.articleCount }
        print("\n\(total) articles in \(feeds.count) feeds; store \(Self.megabytes(store.sizeOnDisk())) (\(store.path))")
    }

    /// One line a day: the date, a bar scaled to the busiest day, the count.
    static func chart(_ days: [(day: String, count: Int)], width: Int) -> String {
        let most = max(days.map(\.count).max() ?? 0, 1)
        let room = max(width - 10 - 1 - 8, 10)
        var lines = ["Articles per day (by date), last \(days.count / 7) weeks:"]
        for (day, count) in days {
            let length = count == 0 ? 0 : max(1, Int((Double(count) / Double(most) * Double(room)).rounded()))
            lines.append(count > 0 ? "\(day) \(String(repeating: "█", count: length)) \(count)" : day)
        }
        return lines.joined(separator: "\n")
    }

    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }
}
