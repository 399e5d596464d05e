// store-bench: builds a store of N articles across 2,000 feeds through the real Store
// code, then times what users do with it. Release build, from the project root:
//
//     swift build -c release --product store-bench
//     .build/release/store-bench [--articles 1000000] [--dir /tmp/store-bench] [--keep]
//     .build/release/store-bench --reading-only --dir /tmp/store-bench   # a kept store: only
//         the reading rows (list --unread/--new, feeds with unread counts)
//
// Prints a Markdown table. Rows look like the bench kit's sqlite floor
// (../shared/bench/lib/sqlite_floor.sql): a ~50-character title, a ~60-character link,
// 500 characters of text, over 2,000 feeds, published 30 s apart.
import FeedParser
import Foundation
import Store

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
    return arguments[index + 1]
}
let articleTotal = Int(option("--articles", "1000000"))!
let feedTotal = 2000
let perUpdate = 100
let directory = option("--dir", NSTemporaryDirectory() + "store-bench-\(getpid())")
let readingOnly = arguments.contains("--reading-only")
if !readingOnly { try? FileManager.default.removeItem(atPath: directory) }
let cli = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("aggregator").path

// A news-like vocabulary: 5,000 made-up words drawn with a skewed (Zipf-like) frequency,
// so a two-word query matches a realistic share of articles, not all of them.
let syllables = ["ka", "lo", "mi", "ter", "san", "vo", "rel", "na", "pu", "dor", "ex", "li", "mon", "ra", "ti", "gu",
                 "ber", "sol", "fa", "no", "que", "ist", "ar", "el"]
let vocabulary: [String] = (0..<5000).map { i in
    syllables[i % 24] + syllables[(i / 24) % 24] + (i >= 576 ? syllables[(i / 576) % 24] : "")
}
var seed: UInt64 = 42
@MainActor func nextRandom() -> UInt64 {  // xorshift: reproducible
    seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
    return seed
}
@MainActor func word() -> String {
    let u = Double(nextRandom() % 1_000_000) / 1_000_000
    return vocabulary[min(Int(pow(5000.0, u)) - 1, 4999)]
}
/// 1,009 texts of 500 characters, reused round-robin (generating a million would time the generator).
let texts: [String] = (0..<1009).map { _ in
    var out = ""
    while out.count < 500 { out += word() + " " }
    return String(out.prefix(500))
}
let titles: [String] = (0..<1013).map { _ in (0..<4).map { _ in word() }.joined(separator: " ") }
let base = Date(timeIntervalSince1970: 1_700_000_000)
func entry(_ n: Int) -> ParsedEntry {
    ParsedEntry(id: "urn:bench:\(n)", title: "Article \(n): \(titles[n % titles.count])",
                link: "https://news\(n % feedTotal).example.com/2026/11/28/article-\(n)/",
                published: base.addingTimeInterval(Double(n) * 30), content: "<p>" + texts[n % texts.count] + "</p>")
}
func feedURL(_ index: Int) -> String { "https://news\(index).example.com/feed.xml" }

/// Set once the last article is stored.
final class Flag: @unchecked Sendable {  // `value` only under `lock`
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

@MainActor func seconds(_ body: @MainActor () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func ms(_ value: Double) -> String { String(format: "%.1f ms", value * 1000) }

let store = try Store(directory: directory, writable: true)
try store.syncFeeds((0..<feedTotal).map { FeedSubscription(url: feedURL($0), intervalSeconds: 1800) })

func processTime(_ arguments: [String], state: String? = nil, runs: Int = 11) -> Double {
    median((0..<runs).map { _ in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cli)
        process.arguments = arguments + ["--data", directory, "--config", "/dev/null"]
        if let state { process.environment = ProcessInfo.processInfo.environment.merging(["AGGREGATOR_STATE": state]) { _, new in new } }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = DispatchTime.now().uptimeNanoseconds
        try? process.run()
        process.waitUntilExit()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    })
}
let hasCLI = FileManager.default.isExecutableFile(atPath: cli)

if !readingOnly {
// Ingest: one update per feed of 100 new articles, `inFlight` polls storing at once, with the
// search index filled alongside on its own connection (the daemon's shape); `indexed` is
// when the index has caught up with the last article.
let updates = articleTotal / perUpdate
// Updates in flight at once. aggregatord lets polls queue up to the writer's backlog (16,
// WriteCombiner.backlogLimit) before parsing more; 4 left the writer idle while all four
// prepared their next update together.
let inFlight = Int(option("--in-flight", "16"))!
let ingestDone = Flag()
let started = DispatchTime.now().uptimeNanoseconds
// --sequential: index only once everything is stored (how each costs alone).
let sequential = arguments.contains("--sequential")
let indexer = Task {
    while sequential && !ingestDone.isSet { try await Task.sleep(nanoseconds: 20_000_000) }
    while true {
        let done = ingestDone.isSet  // read before indexing: a batch after it sees every article
        if try await store.indexPending(limit: 5000) == 0 {
            if done { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }
    return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
}
let ingest = try await seconds {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        func add() {
            guard next < updates else { return }
            let update = next
            next += 1
            let feed = update % feedTotal
            let entries = (0..<perUpdate).map { entry(update * perUpdate + $0) }
            group.addTask {
                _ = try await store.apply(FeedUpdate(result: .fetched(title: "Feed \(feed)", siteLink: nil, entries: entries),
                                                     fetchedAt: base, nextDueAt: base), toFeed: feedURL(feed))
            }
        }
        for _ in 0..<inFlight { add() }
        while try await group.next() != nil { add() }
    }
}
ingestDone.set()
// The text the store holds: titles, links and content, in bytes.
let textBytes = (0..<(updates * perUpdate)).reduce(0) { total, n in
    let e = entry(n)
    return total + (e.title?.utf8.count ?? 0) + (e.link?.utf8.count ?? 0) + (e.content?.utf8.count ?? 0)
}
let indexed = try await indexer.value
// What the daemon does next while nothing waits: merge the index's segments.
let tidying = try await seconds { while try await store.tidySearchIndex() {} }
store.finishWriting()
let size = store.sizeOnDisk()

// Queries in-process (median of 21), then as whole processes of the CLI (median of 11).
// Two words of middling frequency.
let query = vocabulary[40] + " " + vocabulary[90]
let since = base.addingTimeInterval(Double(articleTotal) * 30 - 86_400)  // the last day
var listTimes: [Double] = [], feedsTimes: [Double] = [], searchTimes: [Double] = []
for _ in 0..<21 {
    listTimes.append(try await seconds { _ = try store.articles(ArticleQuery(since: since, limit: 50)) })
    feedsTimes.append(try await seconds { _ = try store.feeds() })
    searchTimes.append(try await seconds { _ = try store.search(query, limit: 20) })
}
var storeTimes: [Double] = []
for round in 0..<11 {
    let entries = (0..<perUpdate).map { entry(articleTotal + round * perUpdate + $0) }
    storeTimes.append(try await seconds {
        _ = try await store.apply(FeedUpdate(result: .fetched(title: nil, siteLink: nil, entries: entries),
                                             fetchedAt: base, nextDueAt: base), toFeed: feedURL(round))
    })
}
try await store.indexPending(limit: 5000)
store.finishWriting()


let sinceText = ISO8601DateFormatter().string(from: since)

print("""
    | measure (\(articleTotal) articles, \(feedTotal) feeds) | result |
    |---|---|
    | ingest through Store.apply (100-item updates, \(inFlight) at once)\(sequential ? "" : ", indexing alongside") | \(String(format: "%.1f s, %.0f rows/s", ingest, Double(articleTotal) / ingest)) |
    | ingest + full-text indexing\(sequential ? " afterwards" : ""): until the index has every article | \(String(format: "%.1f s, %.0f rows/s", indexed, Double(articleTotal) / indexed)) |
    | then merging the index while idle (as aggregatord does) | \(String(format: "%.1f s", tidying)) |
    | store size / text held | \(String(format: "%.0f MB / %.0f MB = %.2f×", Double(size) / 1e6, Double(textBytes) / 1e6, Double(size) / Double(textBytes))) |
    | list --since (last day) --limit 50, in-process | \(ms(median(listTimes))) |
    | feeds, in-process | \(ms(median(feedsTimes))) |
    | search "\(query)", in-process | \(ms(median(searchTimes))) |
    | storing one 100-item feed update | \(ms(median(storeTimes))) |
    """)
if hasCLI {
    print("""
        | `aggregator list --since \(sinceText) --limit 50` process wall | \(ms(processTime(["list", "--since", sinceText, "--limit", "50"]))) |
        | `aggregator feeds` process wall | \(ms(processTime(["feeds"]))) |
        | `aggregator search "\(query)"` process wall | \(ms(processTime(["search", query]))) |
        """)
}
}

// One person's reading, as whole processes (their state in a folder of its own): nothing
// read yet; the newest 500 read one by one; then `read --all` and 1,000 more arriving.
if hasCLI {
    let state = directory + "-state"
    try? FileManager.default.removeItem(atPath: state)
    let articles = try Int(store.articleCount())
    var rows: [(String, Double)] = []
    rows.append(("`list --unread --limit 50`, nothing read yet", processTime(["list", "--unread", "--limit", "50"], state: state)))
    _ = processTime(["list", "--new"], state: state, runs: 1)  // the first --new: the last day
    rows.append(("`list --new --limit 50`, nothing new since", processTime(["list", "--new", "--limit", "50"], state: state)))
    let newest = try store.articles(ArticleQuery(limit: 500, allCopies: true)).map { String($0.id) }
    _ = processTime(["read"] + newest, state: state, runs: 1)
    rows.append(("`list --unread --limit 50`, the newest 500 read", processTime(["list", "--unread", "--limit", "50"], state: state)))
    rows.append(("`feeds` (unread counts), the newest 500 read", processTime(["feeds"], state: state)))
    _ = processTime(["read", "--all"], state: state, runs: 1)
    for round in 0..<10 {
        let entries = (0..<perUpdate).map { entry(articles + 10_000 + round * perUpdate + $0) }
        _ = try await store.apply(FeedUpdate(result: .fetched(title: nil, siteLink: nil, entries: entries),
                                             fetchedAt: base.addingTimeInterval(86_400), nextDueAt: base), toFeed: feedURL(round))
    }
    try await store.indexPending(limit: 5000)
    store.finishWriting()
    rows.append(("`list --unread --limit 50`, after `read --all` and 1,000 arriving", processTime(["list", "--unread", "--limit", "50"], state: state)))
    rows.append(("`list --new --peek --limit 50`, 1,000 new", processTime(["list", "--new", "--peek", "--limit", "50"], state: state)))
    rows.append(("`feeds` (unread counts), after `read --all` and 1,000 arriving", processTime(["feeds"], state: state)))
    print("| reading (\(articles) articles), process wall, median of 11 | result |\n|---|---|")
    for (name, time) in rows { print("| \(name) | \(ms(time)) |") }
    try? FileManager.default.removeItem(atPath: state)
}
if !arguments.contains("--keep") && !readingOnly { try? FileManager.default.removeItem(atPath: directory) }
