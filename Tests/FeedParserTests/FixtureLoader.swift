import Foundation
@testable import FeedParser

enum Fixture {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil), name)
        return Array(try Data(contentsOf: url))
    }

    static func parse(_ name: String, url: String? = nil) throws -> ParsedFeed {
        try FeedParser.parse(bytes(name), url: url)
    }
}

func parse(_ xml: String, url: String? = "http://example.org/feed.xml") throws -> ParsedFeed {
    try FeedParser.parse(Array(xml.utf8), url: url)
}

private func require<T>(_ value: T?, _ message: String = "") throws -> T {
    guard let value else { throw FixtureMissing(message: message) }
    return value
}

struct FixtureMissing: Error { let message: String }
