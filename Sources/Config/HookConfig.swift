import Foundation

/// What to do with each new (or updated) article of a feed: run a program with the
/// article as JSON on stdin (`exec=`), or POST that JSON to a URL (`webhook=`).
public struct HookConfig: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// The program and its arguments, split like systemd's `ExecStart=`; never a shell.
        case exec([String])
        case webhook(url: String, secretFile: String?)
    }

    public enum Event: String, Sendable, CaseIterable { case new, updated }

    public var action: Action
    public var events: Set<Event>

    public init(action: Action, events: Set<Event> = [.new]) {
        self.action = action
        self.events = events
    }

    /// Names the hook in the store's outbox: the same hook gives the same name (a
    /// delivery waiting from before a restart finds its hook again).
    public var target: String {
        switch action {
        case .exec(let argv): return "exec:" + argv.joined(separator: "\u{1F}")
        case .webhook(let url, _): return "webhook:" + url
        }
    }

    /// For people: `exec /usr/local/bin/notify --quiet`, `webhook https://…`.
    public var summary: String {
        switch action {
        case .exec(let argv): return "exec " + argv.joined(separator: " ")
        case .webhook(let url, _): return "webhook " + url
        }
    }
}

/// Splits a command line the way systemd reads `ExecStart=`: words separated by white
/// space, double or single quotes group, a backslash escapes the next character; no
/// variables, globs, pipes or anything else a shell would interpret. The program must
/// be named by an absolute path.
public enum CommandLineSplitter {
    public static func split(_ line: String) -> Result<[String], ConfigProblem> {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for ch in line {
            if escaped {
                current.append(ch)
                escaped = false
                continue
            }
            if ch == "\\" && quote != "'" {
                escaped = true
                inWord = true
                continue
            }
            if let open = quote {
                if ch == open { quote = nil } else { current.append(ch) }
                continue
            }
            if ch == "\"" || ch == "'" {
                quote = ch
                inWord = true
            } else if ch.isWhitespace {
                if inWord { words.append(current); current = ""; inWord = false }
            } else {
                current.append(ch)
                inWord = true
            }
        }
        if quote != nil { return .failure(ConfigProblem("exec: unterminated quote")) }
        if escaped { return .failure(ConfigProblem("exec: a backslash ends the line")) }
        if inWord { words.append(current) }
        guard let program = words.first else { return .failure(ConfigProblem("exec: no program given")) }
        guard program.hasPrefix("/") else {
            return .failure(ConfigProblem("exec: the program must be an absolute path, not '\(program)' (no shell runs it)"))
        }
        return .success(words)
    }
}
