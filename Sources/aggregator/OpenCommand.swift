import ArgumentParser
import CommandSupport
import Foundation
import Store

struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open articles' links in the browser ($BROWSER, else xdg-open); marks them read.",
        discussion: "Without a display (no $DISPLAY or $WAYLAND_DISPLAY, and no $BROWSER) the links are printed.")

    @OptionGroup var reading: ReadingOptions

    @Argument(help: "The articles' ids.")
    var ids: [Int64]

    @Flag(help: "Leave them unread.")
    var keepUnread = false

    func run() throws {
        let read = try reading.open(reading: keepUnread ? .ifKept : .whenPossible)
        let articles = try ArticleIDs.resolve(ids, in: read)
        let environment = ProcessInfo.processInfo.environment
        var failed = false
        for article in articles {
            guard let link = article.link, !link.isEmpty else {
                printError("aggregator: article \(article.id) has no link")
                failed = true
                continue
            }
            switch Browser.choose(environment: environment) {
            case .print:
                print(link)
            case .command(let command):
                if let problem = Browser.open(link, with: command) {
                    printError("aggregator: \(problem); the link: \(link)")
                    failed = true
                }
            }
        }
        if !keepUnread, let state = read.state {
            try state.setRead(articles.filter { $0.link?.isEmpty == false }, true, in: try read.store.position())
        }
        if failed { throw ExitCode(1) }
    }
}

/// How a link is opened: the person's `$BROWSER` (a command, or several separated by
/// colons: the first that exists), `xdg-open` on a desktop, else printed for them.
enum Browser {
    enum Choice: Equatable {
        case command([String])
        case print
    }

    static func choose(environment: [String: String], exists: (String) -> Bool = Browser.isOnPath) -> Choice {
        if let browsers = environment["BROWSER"], !browsers.isEmpty {
            for entry in browsers.split(separator: ":") {
                let words = entry.split(separator: " ").map(String.init)
                if let program = words.first, exists(program) { return .command(words) }
            }
        }
        let hasDisplay = !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
        if hasDisplay && exists("xdg-open") { return .command(["xdg-open"]) }
        return .print
    }

    static func isOnPath(_ program: String) -> Bool {
        if program.contains("/") { return access(program, X_OK) == 0 }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }

    /// Runs the command with the link (`%s` in it is replaced, as with $BROWSER's convention);
    /// nil when it worked, else why not.
    static func open(_ link: String, with command: [String]) -> String? {
        var arguments = command.dropFirst().map { $0 == "%s" ? link : $0 }
        if !command.contains("%s") { arguments.append(link) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command[0]] + arguments
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return "\(command[0]) could not be started: \(error.localizedDescription)"
        }
        return process.terminationStatus == 0 ? nil : "\(command[0]) exited with status \(process.terminationStatus)"
    }
}
