import ArgumentParser
import CommandSupport
import Config
import FeedParser
import Foundation
import Store

struct ImportOPMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-opml",
        abstract: "Add the feeds of an OPML file (from another reader) to feeds.conf.",
        discussion: """
            The feeds are appended after a comment saying where they came from; the rest of
            feeds.conf, comments included, is left as it is. Outline titles become title=,
            folders become tags=. Feeds already listed are skipped. The daemon picks the
            change up by itself.
            """)

    @OptionGroup var paths: PathOptions

    @Argument(help: "The OPML file.")
    var file: String

    @Flag(help: "Print the lines that would be added, change nothing.")
    var dryRun = false

    func run() throws {
        let resolved = paths.resolve(writable: false)
        let feeds: [OPML.Feed]
        do {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            feeds = try OPML.read(bytes)
        } catch let error as OPML.ReadError {
            printError("aggregator: \(file): \(error)")
            throw ExitCode(65)  // EX_DATAERR
        } catch {
            printError("aggregator: \(file): cannot read the file")
            throw ExitCode(66)  // EX_NOINPUT
        }
        let existingText = (try? String(contentsOfFile: resolved.config, encoding: .utf8)) ?? ""
        let folder = URL(fileURLWithPath: resolved.config).deletingLastPathComponent().path
        let existing = ConfigParser.parse(text: existingText, path: resolved.config, baseDirectory: folder)
        var known = Set(existing.feeds.map { FeedURL.identity($0.url) })
        var lines: [String] = []
        var skipped: [String] = []
        for feed in feeds {
            guard case .success(let url) = FeedURL.resolve(feed.url, baseDirectory: folder), !url.hasPrefix("file:") else {
                skipped.append("\(feed.url): not an http(s) URL")
                continue
            }
            guard known.insert(FeedURL.identity(url)).inserted else { continue }
            lines.append(ConfigLine.feed(url: url, title: feed.title, tags: feed.folders))
        }
        let already = feeds.count - lines.count - skipped.count
        for line in skipped { printError("skipped \(line)") }
        if dryRun || lines.isEmpty {
            for line in lines { print(line) }
            print("\(lines.count) feeds to add, \(already) already in \(resolved.config)")
            return
        }
        var text = existingText
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += (text.isEmpty ? "" : "\n") + "# imported from \((file as NSString).lastPathComponent) on \(DateFormatting.rfc3339(Date()))\n"
        text += lines.joined(separator: "\n") + "\n"
        // Never write a file the daemon would refuse.
        let check = ConfigParser.parse(text: text, path: resolved.config, baseDirectory: folder)
        guard check.errors.count <= existing.errors.count else {
            for error in check.errors { printError("\(error)") }
            printError("aggregator: the imported lines would not parse; \(resolved.config) was not changed")
            throw ExitStatus.configuration
        }
        do {
            // Whole, and with the file's own owner, group and mode (an atomic String write
            // left /etc/aggregator/feeds.conf root:root 0644).
            try ConfigFileEditing.write(text, to: resolved.config)
        } catch {
            throw SourceEditing.refuse(error)
        }
        print("added \(lines.count) feeds to \(resolved.config) (\(already) already there)")
    }
}

struct ExportOPMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-opml",
        abstract: "Write the configured feeds as OPML 2.0, for other readers (newsboat, miniflux, …).")

    @OptionGroup var paths: PathOptions

    func run() throws {
        let resolved = paths.resolve(writable: false)
        let configuration = try ConfigLoading.load(resolved.config) { printError($0) }
        // The store (when there is one) knows each feed's own title and site.
        let states = (try? Store(directory: resolved.data, writable: false).feeds()) ?? []
        let byURL = Dictionary(states.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
        let feeds = configuration.feeds.filter { !$0.url.hasPrefix("file:") }.map { feed in
            OPML.Feed(url: byURL[feed.url]?.movedTo ?? feed.url, title: feed.title ?? byURL[feed.url]?.title,
                      siteURL: byURL[feed.url]?.siteLink, folders: feed.tags)
        }
        print(OPML.write(feeds, title: "aggregator feeds"), terminator: "")
    }
}
