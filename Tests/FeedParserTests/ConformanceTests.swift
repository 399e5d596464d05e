import Foundation
import Testing
@testable import FeedParser

/// Documents for each class of what a reference parser reads and keeps (sanitising,
/// content forms, metadata fallbacks, formats and versions, entities and URLs, legacy
/// encodings), each with the values the contract JSON must hold. The fixtures are in
/// Fixtures/conformance.json (Tools/make-conformance-fixtures.py writes them;
/// Tools/check-conformance.py runs them through a built binary to compare builds).
@Suite struct ConformanceTests {
    struct Case: Sendable, CustomStringConvertible {
        let group: String
        let name: String
        let document: [UInt8]
        let expect: [String: JSONValue]
        var description: String { "\(group) / \(name)" }
    }

    /// A JSON value that can be compared (what JSONSerialization gives is not Equatable).
    enum JSONValue: Equatable, Sendable {
        case string(String), number(Double), bool(Bool), null, array([JSONValue]), object([String: JSONValue]), missing

        init(_ any: Any?) {
            switch any {
            case nil: self = .missing
            case is NSNull: self = .null
            case let value as String: self = .string(value)
            case let value as Bool where type(of: any!) == type(of: NSNumber(value: true)): self = .bool(value)
            case let value as NSNumber: self = .number(value.doubleValue)
            case let value as [Any]: self = .array(value.map { JSONValue($0) })
            case let value as [String: Any]: self = .object(value.mapValues { JSONValue($0) })
            default: self = .missing
            }
        }

        /// The value at `path`: `title`, `entries[0].authors[1].name`.
        func at(_ path: String) -> JSONValue {
            var current = self
            var rest = Substring(path)
            while !rest.isEmpty {
                if rest.first == "[" {
                    let close = rest.firstIndex(of: "]")!
                    let index = Int(rest[rest.index(after: rest.startIndex)..<close])!
                    guard case .array(let items) = current, index < items.count else { return .missing }
                    current = items[index]
                    rest = rest[rest.index(after: close)...]
                } else {
                    if rest.first == "." { rest = rest.dropFirst() }
                    let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                    guard case .object(let fields) = current, let next = fields[String(rest[..<end])] else { return .missing }
                    current = next
                    rest = rest[end...]
                }
            }
            return current
        }
    }

    static let cases: [Case] = {
        guard let url = Bundle.module.url(forResource: "Fixtures/conformance.json", withExtension: nil),
              let data = try? Data(contentsOf: url),
              let items = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return items.map { item in
            let document: [UInt8]
            if let encoded = item["base64"] as? String {
                document = Array(Data(base64Encoded: encoded) ?? Data())
            } else {
                document = Array((item["document"] as? String ?? "").utf8)
            }
            let expect = (item["expect"] as? [String: Any] ?? [:]).mapValues { JSONValue($0) }
            return Case(group: item["class"] as? String ?? "", name: item["name"] as? String ?? "", document: document,
                        expect: expect)
        }
    }()

    @Test func everyClassHasFixtures() {
        let groups = Set(Self.cases.map(\.group))
        #expect(groups.count == 6, "\(groups)")
        #expect(Self.cases.count >= 70)
    }

    @Test(arguments: ConformanceTests.cases)
    func readsAsTheReferenceDoes(_ fixture: Case) throws {
        let feed = try FeedParser.parse(fixture.document, url: nil)
        let json = JSONValue(try JSONSerialization.jsonObject(with: Data(feed.jsonText().utf8)))
        for (path, expected) in fixture.expect.sorted(by: { $0.key < $1.key }) {
            #expect(json.at(path) == expected, "\(fixture): \(path)")
        }
    }
}
