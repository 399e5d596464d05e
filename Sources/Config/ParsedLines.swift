/// What each feed line of the last load parsed to, by its text: a reload re-parses only
/// the lines that are new or changed. At 100,000 lines parsing every line again took a
/// second; a one-line edit must reach the daemon in a fraction of that.
///
/// A line's result depends on the line, the `default` lines (they fill in what the line
/// does not set) and the file's folder (`file:` paths): the results are used only while
/// the latter two are as they were (`context`). Whether a line repeats an earlier URL
/// depends on the lines above it, so that is decided at every load.
public final class ParsedLines: Sendable {
    struct Outcome: Sendable {
        /// The feed's URL and its identity for finding duplicates; nil when the line had no usable URL.
        let url: String?
        let identity: String?
        /// The feed, `default` values applied; nil when the line has errors.
        let feed: FeedConfig?
        /// The line's own errors and warnings (not the duplicate warning).
        let messages: [(severity: Diagnostic.Severity, message: String)]
    }

    let context: String
    let outcomes: [Substring: Outcome]

    init(context: String, outcomes: [Substring: Outcome]) {
        self.context = context
        self.outcomes = outcomes
    }

    /// The results usable for a file whose `default` lines and folder give `context`.
    func usable(in context: String) -> [Substring: Outcome]? {
        context == self.context ? outcomes : nil
    }
}
