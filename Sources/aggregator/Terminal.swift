import Foundation

/// What the standard output is: a terminal (its width, whether colour is welcome) or not.
struct Terminal {
    /// Columns, when standard output is a terminal that says.
    let width: Int?
    /// On a terminal, and the user has not set NO_COLOR (https://no-color.org).
    let colour: Bool

    static var standardOutput: Terminal {
        guard isatty(STDOUT_FILENO) == 1 else { return Terminal(width: nil, colour: false) }
        var size = winsize()
        let columns = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : nil
        let noColour = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        let dumb = ProcessInfo.processInfo.environment["TERM"] == "dumb"
        return Terminal(width: columns, colour: !noColour && !dumb)
    }
}

/// The few ANSI styles the CLI uses (only when `Terminal.colour`).
enum Style {
    static let dim = "\u{1B}[2m"
    static let feed = "\u{1B}[36m"
    static let reset = "\u{1B}[0m"
    static let bold = "\u{1B}[1m"
    /// Ends bold only.
    static let normal = "\u{1B}[22m"
}
