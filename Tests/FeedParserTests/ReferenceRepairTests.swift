import Testing
@testable import FeedParser

/// Bare `&` and `&#X…;` repaired before libxml2, the same whatever the chunking.
@Suite struct ReferenceRepairTests {
    func repair(_ text: String, chunk: Int) -> (String, Int) {
        var repair = ReferenceRepair()
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var start = 0
        repeat {
            let end = min(start + chunk, bytes.count)
            bytes[start..<end].withUnsafeBytes { piece in
                repair.process(piece, isFinal: end == bytes.count) { out.append(contentsOf: $0) }
            }
            start = end
        } while start < bytes.count
        return (String(decoding: out, as: UTF8.self), repair.escapedAmpersands)
    }

    @Test(arguments: [
        ("<a>x &amp; y &lt; &#169; &#xA9; &eacute;</a>", "<a>x &amp; y &lt; &#169; &#xA9; &eacute;</a>", 0),
        ("<link>http://e/?a=1&b=2&c</link>", "<link>http://e/?a=1&amp;b=2&amp;c</link>", 2),
        ("<t>&#X41;&#x42;</t>", "<t>&#x41;&#x42;</t>", 0),
        ("<t>AT&T & co; &# &#x; &1;</t>", "<t>AT&amp;T &amp; co; &amp;# &amp;#x; &amp;1;</t>", 5),
        ("<t><![CDATA[a & b &X]]> & c</t>", "<t><![CDATA[a & b &X]]> &amp; c</t>", 1),
        ("<!-- a & b --><?pi & ?><t>&</t>", "<!-- a & b --><?pi & ?><t>&amp;</t>", 1),
        ("<e a=\"x&y\" b='&amp;'/>", "<e a=\"x&amp;y\" b='&amp;'/>", 1),
        ("end &", "end &amp;", 1),
        ("<t>&averyveryveryveryverylongnameindeedxx;</t>", "<t>&amp;averyveryveryveryverylongnameindeedxx;</t>", 1),
    ])
    func repairsTheSameInEveryChunking(input: String, expected: String, escaped: Int) {
        for chunk in [1, 2, 3, 5, 8, 13, input.utf8.count] {
            let (output, count) = repair(input, chunk: chunk)
            #expect(output == expected, "chunks of \(chunk): \(input)")
            #expect(count == escaped, "chunks of \(chunk): \(input)")
        }
    }

    @Test func aDocumentWithoutAmpersandsPassesThroughWhole() {
        var repair = ReferenceRepair()
        var calls = 0
        Array("<rss><channel/></rss>".utf8).withUnsafeBytes { bytes in
            repair.process(bytes, isFinal: true) { piece in
                calls += 1
                #expect(piece.baseAddress == bytes.baseAddress)  // not copied
            }
        }
        #expect(calls == 1)
    }
}
