import Foundation

/// Reads the `feeds.conf` grammar:
///
///     # comment
///     default interval=1h timeout=30s host-spacing=500ms user-agent="my-reader/1.0"
///     https://example.org/feed.xml title="Example" tags=news,world interval=15m adaptive=yes
///     file:samples/local.xml
///
/// One feed per line (`URL [key=value ...]`); `default` lines set values for every feed
/// that does not set its own, and the fetcher's own settings (`max-transfers`,
/// `max-per-host`, `host-spacing`). Every problem is collected with its line number, so
/// `aggregator check-config` can print them all at once.
public enum ConfigParser {
    static let hookOptions = ["exec", "webhook", "webhook-secret-file", "on", "hook-backlog", "hook-timeout", "hook-retry",
                              "hook-backoff"]
    static let feedOptions = ["title", "tags", "interval", "timeout", "adaptive", "user-agent", "keep", "skip", "only"]
        + hookOptions
    /// Options a feed line may also set; `default` lines give their value for every feed
    /// that does not set its own (`skip=`/`only=` add to the feed's own instead).
    static let inheritedOptions = ["interval", "timeout", "adaptive", "user-agent", "keep", "skip", "only"] + hookOptions
    /// Options that may be given several times, each adding a rule.
    static let repeatableOptions: Set<String> = ["skip", "only"]
    /// Options only `default` lines set: they belong to the fetcher, not to one feed.
    static let networkOptions = ["max-transfers", "max-per-host", "host-spacing", "max-deliveries", "fleet-lease", "memory"]
    /// Where the store is (`store=postgresql://…` or a folder): one per file, `default` lines only.
    static let storeOptions = ["store"]
    static let defaultOptions = inheritedOptions + networkOptions + storeOptions

    public struct FileError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Reads and parses the file at `path`; relative `file:` feeds resolve against its folder.
    /// `previous`: what the last load of this file parsed (`Configuration.parsedLines`): its
    /// unchanged lines are not parsed again.
    public static func load(path: String, reusing previous: ParsedLines? = nil) throws(FileError) -> Configuration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path)
                ? "cannot read the file (\(String(cString: strerror(errno))))" : "no such file"
            throw FileError(path: path, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileError(path: path, reason: "not UTF-8 text")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return parse(text: text, path: path, baseDirectory: folder, reusing: previous)
    }

    /// `previous`: the last load's `parsedLines`, so that only the lines an edit replaced
    /// are parsed again (when that gives what parsing it all gives: `ParsedLines.spliced`).
    public static func parse(text: String, path: String, baseDirectory: String, reusing previous: ParsedLines? = nil) -> Configuration {
        previous?.spliced(into: text, path: path, baseDirectory: baseDirectory)
            ?? parseWhole(text: text, path: path, baseDirectory: baseDirectory)
    }

    /// Every line of `text` parsed.
    static func parseWhole(text: String, path: String, baseDirectory: String) -> Configuration {
        var diagnostics: [Diagnostic] = []
        var defaults = [String: (value: String, line: Int)]()
        var defaultRules: [(key: String, value: String)] = []
        var network = NetworkSettings()
        var store: (location: StoreLocation, line: Int)?
        var firstLineOfURL = [String: Int]()
        firstLineOfURL.reserveCapacity(text.utf8.count / 40)  // a feed line is rarely shorter
        var defaultLines = ""

        // Lines split on bytes: splitting Characters was a tenth of loading 100,000 lines.
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Substring.init)
        var lineFeeds = [Int32](repeating: -1, count: lines.count)
        // Feeds parsed, defaults still to apply, with the options their line set.
        var fresh: [(index: Int, explicit: Set<String>)] = []
        var pendingFeeds: [FeedConfig] = []
        pendingFeeds.reserveCapacity(lines.count)

        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            func report(_ message: String, _ severity: Diagnostic.Severity = .error) {
                diagnostics.append(Diagnostic(file: path, line: lineNumber, severity: severity, message: message))
            }
            let words: [String]
            do {
                words = try LineTokenizer.words(in: rawLine)
            } catch {
                report("unterminated quote")
                continue
            }
            guard let first = words.first else { continue }
            let options = parseOptions(Array(words.dropFirst()), report: { report($0) })

            if first == "default" {
                defaultLines += rawLine + "\n"
                for (key, value) in options {
                    guard defaultOptions.contains(key) else {
                        report(unknownOption(key, known: defaultOptions, context: "default"))
                        continue
                    }
                    if key == "store" {
                        do {
                            var location = try StoreLocation.parse(value)
                            if case .directory(let folder) = location, !folder.hasPrefix("/") {
                                location = .directory(URL(fileURLWithPath: folder, relativeTo: URL(fileURLWithPath: baseDirectory + "/"))
                                    .standardizedFileURL.path)
                            }
                            store = (location, lineNumber)
                        } catch {
                            report("invalid store: \(error.message)")
                            continue
                        }
                    } else if networkOptions.contains(key) {
                        guard apply(key, value, to: &network, report: { report($0) }) else { continue }
                    } else {
                        // Checked here so the error points at this line, not at every feed.
                        var probe = FeedConfig(url: "")
                        guard apply(key, value, to: &probe, baseDirectory: baseDirectory, report: { report($0) }) else { continue }
                    }
                    if repeatableOptions.contains(key) {
                        defaultRules.append((key, value))
                        continue
                    }
                    if let earlier = defaults[key] {
                        report("default \(key) set again (first set on line \(earlier.line)); this value wins", .warning)
                    }
                    defaults[key] = (value, lineNumber)
                }
                continue
            }

            let url: String
            switch FeedURL.resolve(first, baseDirectory: baseDirectory) {
            case .success(let resolved): url = resolved
            case .failure(let problem):
                report(problem.message)
                continue
            }
            var feed = FeedConfig(url: url, line: lineNumber)
            var explicit = Set<String>()
            var lineIsValid = true
            for (key, value) in options {
                guard feedOptions.contains(key) else {
                    report(unknownOption(key, known: feedOptions, context: nil))
                    lineIsValid = false
                    continue
                }
                if apply(key, value, to: &feed, baseDirectory: baseDirectory, report: { report($0) }) {
                    explicit.insert(key)
                } else {
                    lineIsValid = false
                }
            }
            let identity = FeedURL.identity(url)
            if let earlier = firstLineOfURL[identity] {
                report("duplicate feed \(url) (first listed on line \(earlier)); this line is ignored", .warning)
                continue
            }
            firstLineOfURL[identity] = lineNumber
            if lineIsValid {
                lineFeeds[index] = Int32(pendingFeeds.count)
                fresh.append((pendingFeeds.count, explicit))
                pendingFeeds.append(feed)
            }
        }

        // Defaults go into every feed, wherever their `default` line is in the file.
        for item in fresh {
            var feed = pendingFeeds[item.index]
            for (key, setting) in defaults where inheritedOptions.contains(key) && !item.explicit.contains(key) {
                _ = apply(key, setting.value, to: &feed, baseDirectory: baseDirectory, report: { _ in })
            }
            // A default line's rules come first, then the feed's own.
            let own = feed.filters
            feed.filters = []
            for rule in defaultRules { _ = apply(rule.key, rule.value, to: &feed, baseDirectory: baseDirectory, report: { _ in }) }
            feed.filters += own
            pendingFeeds[item.index] = feed
        }
        // The memory profile chooses the transfers unless `max-transfers=` does.
        if defaults["max-transfers"] == nil { network.maximumTransfers = network.memory.transfers }
        var configuration = Configuration(path: path, feeds: pendingFeeds, diagnostics: diagnostics)
        configuration.network = network
        configuration.store = store?.location
        configuration.storeLine = store?.line
        configuration.parsedLines = ParsedLines(
            path: path, baseDirectory: baseDirectory, bytes: LineSplice.terminated(text), defaultLines: defaultLines,
            lineFeeds: lineFeeds, feeds: pendingFeeds, identities: diagnostics.isEmpty ? Set(firstLineOfURL.keys) : [],
            network: network, store: store?.location, storeLine: store?.line, canSplice: diagnostics.isEmpty)
        return configuration
    }

    /// Whether `line` starts with `default` (after blanks), from its bytes: asked of every
    /// line of files of 100,000 lines.
    static func isDefaultLine(_ line: Substring) -> Bool { isDefaultLine(line.utf8) }

    static func isDefaultLine<Bytes: Collection<UInt8>>(_ line: Bytes) -> Bool {
        line.drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }).starts(with: "default".utf8)
    }

    /// Sets one feed option from its text; false (after reporting why) when the value is invalid.
    private static func apply(_ key: String, _ value: String, to feed: inout FeedConfig, baseDirectory: String = ".",
                              report: (String) -> Void) -> Bool {
        switch key {
        case "title":
            feed.title = value
        case "tags":
            feed.tags = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "interval", "timeout":
            guard let seconds = duration(key: key, value: value, report: report) else { return false }
            if key == "interval" { feed.interval = seconds } else { feed.timeout = seconds }
        case "adaptive":
            guard let flag = boolean(value) else {
                report("invalid adaptive '\(value)': use yes or no")
                return false
            }
            feed.adaptive = flag
        case "keep":
            if value == "all" {
                feed.retention = nil
                return true
            }
            guard let retention = Retention.parse(value) else {
                report("invalid keep '\(value)': use days (90d), a count (500), both (90d,500) or all")
                return false
            }
            feed.retention = retention
        case "user-agent":
            guard value.allSatisfy({ $0.isASCII && !$0.isNewline && $0 != "\r" }) else {
                report("invalid user-agent: only printable ASCII is allowed in an HTTP header")
                return false
            }
            feed.userAgent = value
        case "skip", "only":
            switch FilterRule.parse(key == "skip" ? .skip : .only, value) {
            case .success(let rule): feed.filters.append(rule)
            case .failure(let problem):
                report(problem.message)
                return false
            }
        case "exec":
            switch CommandLineSplitter.split(value) {
            case .success(let argv): feed.exec = argv
            case .failure(let problem):
                report(problem.message)
                return false
            }
        case "webhook":
            guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", components.host?.isEmpty == false else {
                report("invalid webhook '\(value)': use an http(s) URL")
                return false
            }
            // As libcurl will send it: characters a URL may not hold as they are (a
            // template's braces) percent-encoded.
            feed.webhook = components.string ?? value
        case "webhook-secret-file":
            feed.webhookSecretFile = value.hasPrefix("/") ? value : baseDirectory + "/" + value
        case "on":
            let events = value.split(separator: ",").map { HookConfig.Event(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
            guard !events.isEmpty, !events.contains(nil) else {
                report("invalid on '\(value)': use new, updated or new,updated")
                return false
            }
            feed.hookEvents = Set(events.compactMap { $0 })
        case "hook-backlog":
            guard let flag = boolean(value) else {
                report("invalid hook-backlog '\(value)': use yes or no")
                return false
            }
            feed.hookBacklog = flag
        case "hook-timeout", "hook-retry", "hook-backoff":
            guard let seconds = duration(key: key, value: value, report: report) else { return false }
            switch key {
            case "hook-timeout": feed.hookTimeout = seconds
            case "hook-retry": feed.hookRetry = seconds
            default: feed.hookBackoff = seconds
            }
        default:
            return false
        }
        return true
    }

    /// Sets one fetcher setting from a `default` line; false (after reporting why) when invalid.
    private static func apply(_ key: String, _ value: String, to network: inout NetworkSettings,
                              report: (String) -> Void) -> Bool {
        switch key {
        case "max-transfers", "max-per-host":
            guard let number = Int(value), (1...256).contains(number) else {
                report("invalid \(key) '\(value)': use a whole number from 1 to 256")
                return false
            }
            if key == "max-transfers" { network.maximumTransfers = number } else { network.maximumPerHost = number }
        case "host-spacing":
            guard let seconds = Interval.fractionalSeconds(from: value), seconds <= 3600 else {
                report("invalid host-spacing '\(value)': use 0 or a duration such as 250ms, 2s, 1m")
                return false
            }
            network.hostSpacing = seconds
        case "fleet-lease":
            guard let seconds = Interval.fractionalSeconds(from: value), (5...3600).contains(seconds) else {
                report("invalid fleet-lease '\(value)': use a duration from 5s to 1h, such as 60s")
                return false
            }
            network.fleetLease = seconds
        case "memory":
            guard let profile = MemoryProfile.named(value) else {
                report("invalid memory '\(value)': use \(MemoryProfile.all.map(\.name).joined(separator: " or "))")
                return false
            }
            network.memory = profile
        case "max-deliveries":
            guard let number = Int(value), (1...64).contains(number) else {
                report("invalid max-deliveries '\(value)': use a whole number from 1 to 64")
                return false
            }
            network.maximumDeliveries = number
        default:
            return false
        }
        return true
    }

    private static func boolean(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: return nil
        }
    }

    /// `key=value` words in order; a word without `=` or with an empty side is reported.
    private static func parseOptions(_ words: [String], report: (String) -> Void) -> [(String, String)] {
        var options: [(String, String)] = []
        for word in words {
            guard let equals = word.firstIndex(of: "=") else {
                report("expected key=value, found '\(word)'")
                continue
            }
            let key = String(word[..<equals])
            let value = String(word[word.index(after: equals)...])
            if key.isEmpty {
                report("missing option name before '=' in '\(word)'")
            } else if value.isEmpty {
                report("option '\(key)' has no value")
            } else {
                options.append((key, value))
            }
        }
        return options
    }

    private static func duration(key: String, value: String, report: (String) -> Void) -> Int? {
        if let seconds = Interval.seconds(from: value) { return seconds }
        report("invalid \(key) '\(value)': use a whole number with s, m, h or d (90s, 15m, 2h, 1d)")
        return nil
    }

    private static func unknownOption(_ key: String, known: [String], context: String?) -> String {
        let place = context.map { " for '\($0)'" } ?? ""
        var message = "unknown option '\(key)'\(place)"
        if let guess = known.min(by: { editDistance($0, key) < editDistance($1, key) }),
           editDistance(guess, key) <= 2 {
            message += " (did you mean '\(guess)'?)"
        } else {
            message += " (known: \(known.joined(separator: ", ")))"
        }
        return message
    }

    /// Levenshtein distance, for "did you mean" hints on short option names.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
