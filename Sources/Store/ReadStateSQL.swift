/// How the store's queries see one person's reading (`ReadState`'s file, attached to the
/// reading connections as `state`), for an article row `a` of feed row `f`.
public enum ReadStateSQL {
    /// What names an article in any store: its story (the hash of its canonical link, so
    /// copies in several feeds are one), else its feed and guid, else its feed and the
    /// key it was stored under (a hash of title and text: the same under either identity).
    public static let key = """
        CASE WHEN a.storyHash IS NOT NULL THEN 's:' || a.storyHash
            ELSE f.url || ' ' || CASE WHEN coalesce(a.guid, '') <> '' THEN 'id:' || a.guid ELSE a.dedupKey END END
        """

    /// 1 when the person has read the article: their mark says so, or, without one, a
    /// watermark covers it — in this store by row id (`epoch` names its id space), in
    /// another by when it was first seen.
    static func isRead(epoch: String) -> String {
        """
        coalesce((SELECT m.read FROM state.mark m WHERE m.key = \(key)),
            EXISTS (SELECT 1 FROM state.watermark w WHERE w.feed IN ('', f.url) AND a.sortDate <= w.untilDate
                AND CASE WHEN w.epoch = \(literal(epoch)) THEN a.id <= w.untilId ELSE a.firstSeen <= w.untilSeen END))
        """
    }

    static let isStarred = "coalesce((SELECT m.starred FROM state.mark m WHERE m.key = \(key)), 0)"

    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
