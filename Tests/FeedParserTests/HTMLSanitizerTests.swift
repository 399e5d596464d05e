import Testing
@testable import FeedParser

@Suite struct HTMLSanitizerTests {
    let base = "https://example.org/blog/post.html"

    func clean(_ html: String) -> String { HTMLSanitizer.sanitize(html, base: base) }

    @Test(arguments: [
        // kept as they are
        ("<p>Hello <b>bold</b> &amp; <em>em</em></p>", "<p>Hello <b>bold</b> &amp; <em>em</em></p>"),
        ("plain text &amp; no tags", "plain text &amp; no tags"),
        ("<ul><li>one</li><li>two</li></ul>", "<ul><li>one</li><li>two</li></ul>"),
        ("a<br>b<br/>c<hr>", "a<br>b<br>c<hr>"),
        // scripts, styles, frames, objects: gone with their content
        ("<p>x</p><script>alert(1)</script><p>y</p>", "<p>x</p><p>y</p>"),
        ("<SCRIPT type=\"text/javascript\">alert('<p>')</SCRIPT>ok", "ok"),
        ("<style>p{color:red}</style>text", "text"),
        ("<iframe src=\"https://evil.example/\"></iframe>after", "after"),
        ("<object data=\"x.swf\"><param name=a></object><embed src=x.swf>z", "z"),
        ("<svg><script>alert(1)</script></svg>fine", "fine"),
        ("<script>never closed", ""),
        // unknown or unsafe elements lose their tags but keep their text
        ("<font color=red>red</font>", "red"),
        ("<form action=\"/x\"><input name=q>Search</form>", "Search"),
        ("<custom-element>inside</custom-element>", "inside"),
        // attributes: only the allowed ones
        ("<p onclick=\"alert(1)\" style=\"x\" class=\"c\" id=\"i\" title=\"t\">p</p>", "<p title=\"t\">p</p>"),
        ("<img src=\"a.png\" onerror=\"alert(1)\" alt=\"A\">", "<img src=\"https://example.org/blog/a.png\" alt=\"A\">"),
        ("<a href=\"/about\" target=\"_blank\">about</a>", "<a href=\"https://example.org/about\">about</a>"),
        ("<a href='https://other.example/?a=1&amp;b=2'>q</a>", "<a href=\"https://other.example/?a=1&amp;b=2\">q</a>"),
        ("<a href=mailto:jo@example.org>mail</a>", "<a href=\"mailto:jo@example.org\">mail</a>"),
        // dangerous URLs, however they are spelled
        ("<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"JaVaScRiPt:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"java\tscript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"&#106;avascript:alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>", "<a>x</a>"),
        ("<a href=\" vbscript:msgbox(1)\">x</a>", "<a>x</a>"),
        ("<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>", "<a>x</a>"),
        ("<img src=\"data:image/png;base64,iVBORw0K\">", "<img src=\"data:image/png;base64,iVBORw0K\">"),
        ("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">", "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">"),
        ("<img src=\"file:///etc/passwd\">", "<img>"),
        // broken markup
        ("<p>unclosed <b>bold", "<p>unclosed <b>bold</b></p>"),
        ("</div>stray close", "stray close"),
        ("<p><b>mis</p>nested</b>", "<p><b>mis</b></p>nested"),
        ("1 < 2 and 3 > 2", "1 &lt; 2 and 3 > 2"),
        ("<!-- a comment --><p>x</p><!-- <script> -->", "<p>x</p>"),
        ("<!DOCTYPE html><?php echo 1 ?><p>x</p>", "<p>x</p>"),
        ("<p title=\"a > b\">q</p>", "<p title=\"a &gt; b\">q</p>"),
        ("<img src=x.png alt=\"\"\"\" />", "<img src=\"https://example.org/blog/x.png\" alt=\"\">"),
    ])
    func sanitises(input: String, expected: String) {
        #expect(clean(input) == expected, "\(input)")
    }

    @Test func withoutABaseRelativeLinksStayRelative() {
        #expect(HTMLSanitizer.sanitize("<a href=\"/x\">x</a>", base: nil) == "<a href=\"/x\">x</a>")
        #expect(HTMLSanitizer.sanitize("<a href=\"javascript:x\">x</a>", base: nil) == "<a>x</a>")
    }

    @Test func contentFromFeedsIsSanitisedAgainstItsBase() throws {
        let feed = try parse("""
            <feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/a/">
            <entry><id>1</id><content type="html">&lt;p onclick="x"&gt;hi &lt;a href="b.html"&gt;b&lt;/a&gt;&lt;script&gt;bad()&lt;/script&gt;&lt;/p&gt;</content>
            <summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><img src="i.png" onerror="x"/></div></summary></entry>
            </feed>
            """)
        #expect(feed.entries[0].content == "<p>hi <a href=\"https://example.org/a/b.html\">b</a></p>")
        #expect(feed.entries[0].summary == "<img src=\"https://example.org/a/i.png\">")
    }

    /// The tag table finds every known element in either case, and no lookalike.
    @Test func theTagTableFindsEveryKnownElementAndNoLookalike() {
        func find(_ name: String) -> HTMLSanitizer.Tag? {
            var bytes = Array(name.utf8)
            return bytes.withUnsafeMutableBufferPointer { HTMLSanitizer.tags[HTMLSanitizer.Key(UnsafeBufferPointer($0), 0..<name.utf8.count)] }
        }
        for name in HTMLSanitizer.allowed.union(HTMLSanitizer.droppedWithContent) {
            for spelling in [name, name.uppercased()] {
                let tag = find(spelling)
                #expect(tag?.name == name, "\(spelling)")
                #expect(tag?.kind == (HTMLSanitizer.allowed.contains(name) ? .allowed : .droppedWithContent))
            }
        }
        for name in ["", "x", "scrip", "scripts", "iframes", "p1", "bb", "imgs", "custom-element", "svg:a"] {
            #expect(find(name) == nil, "\(name)")
        }
        #expect(find("img")?.attribute(HTMLSanitizer.Key("src")) == "src")
        #expect(find("img")?.attribute(HTMLSanitizer.Key("onerror")) == nil)
        #expect(find("script")?.attributeNames.isEmpty == true)
    }
}

@Suite struct HTMLTextTests {
    /// White space is what Unicode calls White_Space, ASCII or not: the ASCII shortcut
    /// agrees with the property for every ASCII character.
    @Test func collapsingTreatsExactlyUnicodeWhiteSpaceAsSpace() {
        for value in 0..<0x80 {
            let scalar = Unicode.Scalar(UInt8(value))
            let text = "a" + String(scalar) + String(scalar) + "b"
            let expected = scalar.properties.isWhitespace ? "a b" : text
            #expect(HTMLText.collapse(text) == expected, "U+\(String(value, radix: 16))")
        }
        #expect(HTMLText.collapse("\u{A0} one\u{2003}\u{3000}two \n\t three\u{85}") == "one two three")
        #expect(HTMLText.collapse("no\u{200B}break") == "no\u{200B}break")  // zero-width space is not White_Space
    }
}

@Suite struct EntityTextTests {
    @Test func findsMarkupAndReferencesAnywhereInAnyString() {
        #expect(EntityText.hasMarkup("a<b"))
        #expect(EntityText.hasMarkup("<"))
        #expect(!EntityText.hasMarkup(""))
        #expect(!EntityText.hasMarkup("plain text, 新闻 & more"))
        #expect(EntityText.hasReference("plain text, 新闻 & more"))
        #expect(EntityText.hasReference(String(repeating: "x", count: 100_000) + "&"))
        // A string made from a slice.
        #expect(EntityText.hasMarkup(String(Substring("xx<yy".dropFirst()))))
    }
}
