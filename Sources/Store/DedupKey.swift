import FeedParser

/// The identity of an article within its feed. Derived in a fixed order that must never
/// change once articles are stored (changing it would make every stored article "new"):
/// the guid/id, else the link, else a hash of title and content. When one document
/// repeats a key, later copies are told apart by their link, then by their position.
///
/// Some feeds' guids cannot tell items apart (every item carries the site's URL, or most
/// carry none, or they come and go): told apart by position, a new item on top would
/// overwrite the old one and the old one come back as new. Such a feed switches, once
/// and for good, to `Identity.link` (see `Store.identity(ofFeed:…)`).
public enum DedupKey {
    public enum Identity: String, Sendable {
        case guid
        case link
    }

    public static func keys(for entries: [ParsedEntry], identity: Identity = .guid) -> [String] {
        var seen = Set<String>()
        var keys: [String] = []
        keys.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            var key = identity == .guid ? baseKey(entry) : linkKey(entry)
            if seen.contains(key), let link = nonEmpty(entry.link) { key += "#link:" + link }
            if seen.contains(key) { key += "#\(index)" }
            seen.insert(key)
            keys.append(key)
        }
        return keys
    }

    static func baseKey(_ entry: ParsedEntry) -> String {
        if let id = nonEmpty(entry.id) { return "id:" + id }
        return linkKey(entry)
    }

    private static func linkKey(_ entry: ParsedEntry) -> String {
        if let link = nonEmpty(entry.link) { return "link:" + link }
        return "hash:" + Hash.fnv1a64Hex([entry.title ?? "", entry.content ?? entry.summary ?? ""])
    }

    /// Whether this document's guids fail to tell its items apart — more than half of
    /// them missing or shared with another item — while their links do better.
    public static func guidsAreUnreliable(_ entries: [ParsedEntry]) -> Bool {
        guard entries.count >= 2 else { return false }
        // By index and field, not `for entry in entries`: that copied every entry (all its
        // strings retained and released), 0.6% of a cold 500-feed poll's CPU.
        var guidCounts: [String: Int] = [:]
        guidCounts.reserveCapacity(entries.count)
        for index in entries.indices {
            if let id = nonEmpty(entries[index].id) { guidCounts[id, default: 0] += 1 }
        }
        let unusable = entries.count - guidCounts.values.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
        // Links are counted only when the guids fail (most feeds' guids are all distinct).
        guard unusable * 2 > entries.count else { return false }
        var links = Set<String>()
        for index in entries.indices {
            if let link = nonEmpty(entries[index].link) { links.insert(link) }
        }
        return links.count > guidCounts.count
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}

/// 64-bit FNV-1a: a fast, stable (across runs and builds, unlike Hasher) fingerprint.
/// Collisions within one feed's handful of articles are vanishingly unlikely; it is not
/// used for anything an attacker could profit from colliding.
enum Hash {
    static func fnv1a64Hex(bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { hex(fnv1a64(UnsafeRawBufferPointer($0), from: offsetBasis)) }
    }

    static func fnv1a64Hex(_ parts: [String]) -> String {
        var hash = offsetBasis
        for (i, part) in parts.enumerated() {
            if i > 0 {  // separator so ("ab","c") and ("a","bc") differ
                hash ^= 0x1F
                hash &*= prime
            }
            var part = part
            // withUTF8 gives the contiguous bytes (bridged strings are made native once).
            hash = part.withUTF8 { fnv1a64(UnsafeRawBufferPointer($0), from: hash) }
        }
        return hex(hash)
    }

    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x100_0000_01b3

    private static func fnv1a64(_ bytes: UnsafeRawBufferPointer, from start: UInt64) -> UInt64 {
        var hash = start
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= prime
        }
        return hash
    }

    static func hex(_ hash: UInt64) -> String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    // MARK: Change fingerprints

    /// A 64-bit hash eight bytes at a time, for telling whether stored content changed
    /// (article fingerprints, fetched bodies): FNV-1a's byte-at-a-time multiply chain cost
    /// a twentieth of a cold poll. Prefixed `2:` so fingerprints stored by FNV are
    /// recognised. Not for identities (DedupKey keeps FNV: it must never change).
    static func fast64Hex(_ parts: [String]) -> String {
        var state = FastHash()
        for (i, part) in parts.enumerated() {
            if i > 0 { state.separate() }
            var part = part
            part.withUTF8 { state.add(UnsafeRawBufferPointer($0)) }
        }
        return "2:" + hex(state.finish())
    }

    static func fast64Hex(bytes: [UInt8]) -> String {
        var state = FastHash()
        bytes.withUnsafeBytes { state.add($0) }
        return "2:" + hex(state.finish())
    }
}

/// Multiply-xorshift over 64-bit words (the mixing of MurmurHash64A); the tail and each
/// part's length go in too, so ("ab","c") and ("a","bc") differ.
private struct FastHash {
    private var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let multiplier: UInt64 = 0xC6A4_A793_5BD1_E995

    private mutating func mix(_ value: UInt64) {
        var k = value &* Self.multiplier
        k ^= k >> 47
        k = k &* Self.multiplier
        hash = (hash ^ k) &* Self.multiplier
    }

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            mix(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        mix(tail)
        mix(UInt64(count))
    }

    mutating func separate() { mix(0x1F1F_1F1F_1F1F_1F1F) }

    func finish() -> UInt64 {
        var h = hash
        h ^= h >> 47
        h = h &* Self.multiplier
        h ^= h >> 47
        return h
    }
}
