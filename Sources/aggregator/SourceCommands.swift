import ArgumentParser
import CommandSupport
import Config
import Discovery
import FeedParser
import Fetcher
import Foundation
import Store

struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Follow a site or a feed: find its feed, check it, and add it to feeds.conf.",
        discussion: """
            ADDRESS may be a feed or a web page: the page's announced feeds are found, then a
            YouTube channel's or a GitHub repository's, then the usual places (/feed, /rss.xml,
            …). Each is fetched and parsed first. Several found: they are listed (--pick N
            chooses one). The line goes at the end of feeds.conf; the rest of the file is kept
            byte for byte. A running aggregatord picks it up by itself.
            Examples: aggregator add example.org
                      aggregator add https://www.youtube.com/channel/UC… --tags video --interval 6h
            """)

    @OptionGroup var paths: PathOptions

    @Argument(help: "The site's or the feed's address.")
    var address: String

    @Option(help: "The title to show instead of the feed's own.")
    var title: String?

    @Option(help: ArgumentHelp("Tags, separated by commas.", valueName: "a,b"))
    var tags: String?

    @Option(help: ArgumentHelp("How often to poll it: 30m, 1h, 1d (default: feeds.conf's default).", valueName: "interval"))
    var interval: String?

    @Option(help: "Of several feeds found, take this one (as numbered in the list).")
    var pick: Int?

    @Flag(help: "Find and check the feed, say what would be added, change nothing.")
    var dryRun = false

    func validate() throws {
        if let interval, Interval.seconds(from: interval) == nil {
            throw ValidationError("invalid --interval '\(interval)': a number and s, m, h or d (30m, 1h)")
        }
        if let pick, pick < 1 { throw ValidationError("--pick counts from 1") }
        if let problem = FeedFinder.problem(with: address) { throw ValidationError(problem) }
    }

    func run() async throws {
        let config = SourceEditing.configPath(paths)
        let existingText = (try? String(contentsOfFile: config, encoding: .utf8)) ?? ""
        let folder = (config as NSString).deletingLastPathComponent
        let existing = ConfigParser.parse(text: existingText, path: config, baseDirectory: folder.isEmpty ? "." : folder)
        if !dryRun, let problem = ConfigFileEditing.checkWritable(config) { throw SourceEditing.refuse(problem) }
        if let line = SourceEditing.listed(FeedFinder.normalise(address), in: existing) {
            print("already following \(FeedFinder.normalise(address)) (\(config), line \(line))")
            return
        }

        let fetcher = Fetcher()
        defer { fetcher.shutdown() }
        printError("looking for feeds at \(FeedFinder.normalise(address)) …")
        let candidates: [FeedCandidate]
        switch await FeedFinder(fetcher: fetcher).find(address) {
        case .found(let found): candidates = found
        case .nothing(let reason, let tried):
            printError("aggregator: no feed found: \(reason)")
            printError("  tried: " + tried.joined(separator: "\n         "))
            throw ExitCode(1)
        }
        let chosen = try choose(candidates)
        if let line = SourceEditing.listed(chosen.url, in: existing) {
            print("already following \(chosen.url) (\(config), line \(line))")
            return
        }
        var line = ConfigLine.feed(url: chosen.url, title: title, tags: tags.map(SourceEditing.tagList) ?? [])
        if let interval { line += " interval=\(interval)" }
        let described = "\(TerminalText.clean(title ?? chosen.title ?? chosen.url)) (\(chosen.url)): "
            + "\(chosen.format), \(chosen.articles) article\(chosen.articles == 1 ? "" : "s") now"
        if dryRun {
            print("would add to \(config):\n  \(line)\n\(described)")
            return
        }
        let text = ConfigFileEditing.appending([line], to: existingText)
        let lineNumber = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        try SourceEditing.write(text, to: config, replacing: existing, expecting: chosen.url)
        print("following \(described)")
        print("added to \(config), line \(lineNumber); aggregatord picks it up by itself (aggregator fetch polls now)")
    }

    /// One candidate: the only one, the picked one, or the person's answer on a terminal.
    private func choose(_ candidates: [FeedCandidate]) throws -> FeedCandidate {
        if candidates.count == 1 && pick == nil { return candidates[0] }
        if let pick {
            guard pick <= candidates.count else {
                printError("aggregator: --pick \(pick): only \(candidates.count) feed\(candidates.count == 1 ? "" : "s") found")
                list(candidates)
                throw ExitCode(1)
            }
            return candidates[pick - 1]
        }
        list(candidates)
        guard isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1 else {
            printError("aggregator: \(candidates.count) feeds found: choose one with --pick N")
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data("which one? [1-\(candidates.count)] ".utf8))
        guard let answer = readLine(), let number = Int(answer.trimmingCharacters(in: .whitespaces)),
              (1...candidates.count).contains(number) else {
            printError("aggregator: nothing added")
            throw ExitCode(1)
        }
        return candidates[number - 1]
    }

    private func list(_ candidates: [FeedCandidate]) {
        let width = String(candidates.count).count
        for (index, candidate) in candidates.enumerated() {
            let number = TerminalText.padLeft(String(index + 1), width)
            printError("  \(number)  \(TerminalText.clean(candidate.title ?? "(untitled)"))  \(candidate.url)  "
                + "(\(candidate.format), \(candidate.articles) article\(candidate.articles == 1 ? "" : "s"); \(candidate.source.rawValue))")
        }
    }
}

struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stop following a feed: its feeds.conf line is commented out (--delete removes it).",
        discussion: """
            The feed's articles stay in the store until pruned. Example: aggregator remove "Xinhua | China"
            """)

    @OptionGroup var paths: PathOptions

    @Argument(help: ArgumentHelp("The feed's URL, or its title (feeds.conf's title= or the feed's own).", valueName: "url|title"))
    var feed: String

    @Flag(help: "Delete the line instead of commenting it out.")
    var delete = false

    func run() throws {
        let config = SourceEditing.configPath(paths)
        guard let text = try? String(contentsOfFile: config, encoding: .utf8) else {
            printError("aggregator: \(config): cannot read it")
            throw ExitCode(66)
        }
        let folder = (config as NSString).deletingLastPathComponent
        let parsed = ConfigParser.parse(text: text, path: config, baseDirectory: folder.isEmpty ? "." : folder)
        // The feeds' own titles, when the store can be read (a feed listed by URL alone).
        let ownTitles = Self.ownTitles(paths)
        let matches = parsed.feeds.filter { entry in
            FeedURL.identity(entry.url) == FeedURL.identity(feed)
                || entry.title?.caseInsensitiveCompare(feed) == .orderedSame
                || ownTitles[entry.url]?.caseInsensitiveCompare(feed) == .orderedSame
        }
        guard !matches.isEmpty else {
            printError("aggregator: no feed '\(feed)' in \(config) (by URL or title)")
            throw ExitCode(1)
        }
        guard matches.count == 1 else {
            printError("aggregator: '\(feed)' names \(matches.count) feeds in \(config); say which by URL:")
            for match in matches { printError("  line \(match.line): \(match.url)") }
            throw ExitCode(1)
        }
        if let problem = ConfigFileEditing.checkWritable(config) { throw SourceEditing.refuse(problem) }
        let match = matches[0]
        let edited = ConfigFileEditing.removing(line: match.line, from: text, delete: delete,
                                                note: "removed by aggregator remove on \(DateFormatting.rfc3339(Date()))")
        try SourceEditing.write(edited, to: config, replacing: parsed, expecting: nil)
        print("\(delete ? "deleted" : "commented out") line \(match.line) of \(config): \(match.url)")
        print("aggregatord stops polling it by itself; its articles stay until pruned")
    }

    private static func ownTitles(_ paths: PathOptions) -> [String: String] {
        let resolved = paths.resolve(writable: false)
        guard let store = try? Store(directory: resolved.data, writable: false),
              let feeds = try? store.feeds(includingRemoved: true) else { return [:] }
        return Dictionary(feeds.compactMap { feed in feed.title.map { (feed.url, $0) } }, uniquingKeysWith: { first, _ in first })
    }
}

/// What `add` and `remove` share: which feeds.conf, and writing it safely.
enum SourceEditing {
    /// The feeds.conf the daemon reads (as `--config` and the environment say); for a
    /// person with none anywhere, their own under `$XDG_CONFIG_HOME`.
    static func configPath(_ paths: PathOptions) -> String {
        let resolved = paths.resolve(writable: false).config
        guard paths.config == nil, resolved == "feeds.conf", !FileManager.default.fileExists(atPath: resolved) else {
            return resolved
        }
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/aggregator/feeds.conf" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/aggregator/feeds.conf" }
        return resolved
    }

    /// The line a feed is listed on, if it is.
    static func listed(_ url: String, in config: Configuration) -> Int? {
        config.feeds.first { FeedURL.identity($0.url) == FeedURL.identity(url) }?.line
    }

    static func tagList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Writes the edited feeds.conf — only if it reads back as well as before (and, for
    /// `add`, lists the new feed).
    static func write(_ text: String, to path: String, replacing old: Configuration, expecting url: String?) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let check = ConfigParser.parse(text: text, path: path, baseDirectory: folder.isEmpty ? "." : folder)
        guard check.errors.count <= old.errors.count, url.map({ listed($0, in: check) != nil }) ?? true else {
            for error in check.errors { printError("\(error)") }
            printError("aggregator: the change would not read back; \(path) was not changed")
            throw ExitStatus.configuration
        }
        do {
            try ConfigFileEditing.write(text, to: path)
        } catch {
            throw refuse(error)
        }
    }

    /// Says why feeds.conf cannot be written, and for a permission, how to do it anyway.
    static func refuse(_ problem: ConfigFileEditing.WriteError) -> ExitCode {
        printError("aggregator: cannot change \(problem)")
        if case .permissionDenied = problem {
            let again = CommandLine.arguments.dropFirst().map(shellQuoted).joined(separator: " ")
            printError("  feeds.conf is the daemon's; an administrator runs: sudo aggregator \(again)")
            return ExitCode(77)  // EX_NOPERM
        }
        return ExitCode(73)
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./:=@,+%"))
        if !word.isEmpty && word.unicodeScalars.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
