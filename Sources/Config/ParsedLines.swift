/// What each feed line of the last load parsed to, by its text: a reload re-parses only
/// the lines that are new or changed. At 100,000 lines parsing every line again took a
/// second; a one-line edit must reach the daemon in a fraction of that.
///
/// A line's result depends on the line, the `default` lines (they fill in what the line
/// does not set) and the file's folder (`file:` paths): the results are used only while
/// the latter two are as they were (`context`). Whether a line repeats an earlier URL
/// depends on the lines above it, so that is decided at every load.
///
/// Most lines give a feed and nothing else: those are kept as the feed's place in the
/// load's `feeds` (shared with its Configuration, not copied): a copy of each result took
/// 70 MB at 100,000 lines.
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
    /// Lines that gave a feed and no message: where the feed is in `feeds`.
    let feedLines: [Substring: Int32]
    let feeds: [FeedConfig]
    /// Every other line kept: those with errors or warnings.
    let otherLines: [Substring: Outcome]

    init(context: String, feedLines: [Substring: Int32], feeds: [FeedConfig], otherLines: [Substring: Outcome]) {
        self.context = context
        self.feedLines = feedLines
        self.feeds = feeds
        self.otherLines = otherLines
    }

    /// These results, when usable for a file whose `default` lines and folder give `context`.
    func usable(in context: String) -> ParsedLines? {
        context == self.context ? self : nil
    }
}
