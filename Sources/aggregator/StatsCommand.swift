import ArgumentParser
import CommandSupport
import Foundation
import Store

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Articles per day as a chart, articles per feed, and the store's size.")

    @OptionGroup var reading: ReadingOptions

    @Option(help: "How many weeks the chart covers, back from the newest article (default: 4, or fewer when the articles span less).")
    var weeks: Int?

    func validate() throws {
        if let weeks, !(1...520).contains(weeks) { throw ValidationError("--weeks must be between 1 and 520") }
    }

    func run() throws {
        let read = try reading.open()
        let store = read.store
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd"
        let width = Terminal.standardOutput.width ?? 80
        // The chart covers the days that hold articles: back from the newest, not from today
        // (a store of 2020's articles charted 28 empty days).
        let span = try store.dateSpan()
        if let span {
            let last = calendar.startOfDay(for: span.newest.date)
            let oldest = calendar.startOfDay(for: span.oldest.date)
            let days = (weeks ?? 4) * 7
            let windowStart = calendar.date(byAdding: .day, value: -(days - 1), to: last) ?? last
            let start = weeks == nil ? max(windowStart, oldest) : windowStart
            let counts = Dictionary(try store.articlesPerDay(since: start).map { ($0.day, $0.count) }, uniquingKeysWith: +)
            var day = start
            var chartDays: [String] = []
            while day <= last {
                chartDays.append(formatter.string(from: day))
                day = calendar.date(byAdding: .day, value: 1, to: day) ?? last.addingTimeInterval(86_400)
            }
            print(Self.chart(chartDays.map { ($0, counts[$0] ?? 0) }, width: width, older: oldest < start))
            print("Newest: \(Self.describe(span.newest))")
            print("Oldest: \(Self.describe(span.oldest))")
        } else {
            print("No articles yet.")
        }

        let feeds = try store.feeds().sorted { $0.articleCount > $1.articleCount }
        print("\nArticles per feed:")
        for feed in feeds {
            print("\(TerminalText.padLeft(String(feed.articleCount), 8))  \(TerminalText.fit(TerminalText.clean(feed.displayTitle), max(width - 10, 20)))")
        }
        let total = feeds.reduce(0) { $0 + $1.articleCount }
        print("\n\(total) articles in \(feeds.count) feeds; store \(Self.megabytes(store.sizeOnDisk())) (\(store.path))")
    }

    /// `2020-10-31 08:21  Feed: Title`.
    static func describe(_ article: StoredArticle) -> String {
        "\(ArticleOutput.localTime(article.date))  \(TerminalText.clean(article.feedTitle)): "
            + TerminalText.clean(article.title ?? "(untitled)")
    }

    /// One line a day: the date, a bar scaled to the busiest day and to the terminal, the count.
    static func chart(_ days: [(day: String, count: Int)], width: Int, older: Bool = false) -> String {
        let most = max(days.map(\.count).max() ?? 0, 1)
        let countWidth = String(most).count
        let room = max(width - 10 - 1 - 1 - countWidth, 10)
        let span = days.count % 7 == 0 ? "\(days.count / 7) week\(days.count == 7 ? "" : "s")" : "\(days.count) day\(days.count == 1 ? "" : "s")"
        var lines = ["Articles per day (by date), \(span) to the newest article\(older ? " (older ones: --weeks)" : ""):"]
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
