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
        ("<svg><script>alert(1)</script></svg>fine", "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>fine"),
        ("<script>never closed", ""),
        // unknown or unsafe elements lose their tags but keep their text
        ("<form action=\"/x\"><input name=q>Search</form>", "Search"),
        ("<custom-element>inside</custom-element>", "inside"),
        // attributes: only the allowed ones
        ("<p onclick=\"alert(1)\" style=\"x\" class=\"c\" id=\"i\" title=\"t\">p</p>", "<p class=\"c\" id=\"i\" title=\"t\">p</p>"),
        ("<img src=\"a.png\" onerror=\"alert(1)\" alt=\"A\">", "<img src=\"https://example.org/blog/a.png\" alt=\"A\">"),
        ("<a href=\"/about\" target=\"_blank\">about</a>", "<a href=\"https://example.org/about\" target=\"_blank\">about</a>"),
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

    /// Harmless markup is kept: presentation and accessibility attributes, inert and old
    /// elements, safe inline CSS, SVG and MathML, the fallback text of plug-ins.
    @Test(arguments: [
        ("<table border=\"1\" cellpadding=\"2\" cellspacing=\"0\" summary=\"s\" width=\"90%\"><tr><td colspan=\"2\" valign=\"top\" align=\"left\" nowrap>x</td></tr></table>",
         "<table border=\"1\" cellpadding=\"2\" cellspacing=\"0\" summary=\"s\" width=\"90%\"><tr><td colspan=\"2\" valign=\"top\" align=\"left\" nowrap=\"nowrap\">x</td></tr></table>"),
        ("<p dir=\"rtl\" lang=\"ar\" tabindex=\"1\" title=\"t\"><abbr title=\"HyperText\">HTML</abbr></p>",
         "<p dir=\"rtl\" lang=\"ar\" tabindex=\"1\" title=\"t\"><abbr title=\"HyperText\">HTML</abbr></p>"),
        ("<img src=\"m.png\" usemap=\"#m\" width=\"10\" height=\"20\" border=\"0\" hspace=\"2\"><map name=\"m\"><area shape=\"rect\" coords=\"0,0,5,5\" href=\"/a\" alt=\"A\"></map>",
         "<img src=\"https://example.org/blog/m.png\" usemap=\"#m\" width=\"10\" height=\"20\" border=\"0\" hspace=\"2\"><map name=\"m\"><area shape=\"rect\" coords=\"0,0,5,5\" href=\"https://example.org/a\" alt=\"A\"></map>"),
        ("<textarea rows=\"2\" cols=\"20\" readonly>text</textarea>", "<textarea rows=\"2\" cols=\"20\" readonly=\"readonly\">text</textarea>"),
        ("<fieldset><legend>L</legend><label for=\"a\">A</label><select name=\"s\"><option value=\"1\" selected>one</option></select></fieldset>",
         "<fieldset><legend>L</legend><label for=\"a\">A</label><select name=\"s\"><option value=\"1\" selected=\"selected\">one</option></select></fieldset>"),
        ("<font face=\"Arial\" color=\"red\" size=\"2\"><big>big</big> <center>c</center></font>",
         "<font face=\"Arial\" color=\"red\" size=\"2\"><big>big</big> <center>c</center></font>"),
        ("<video src=\"v.mp4\" controls poster=\"p.jpg\" width=\"320\" onplay=\"x()\"><source src=\"v.webm\" type=\"video/webm\">fallback</video>",
         "<video src=\"https://example.org/blog/v.mp4\" controls=\"controls\" poster=\"https://example.org/blog/p.jpg\" width=\"320\"><source src=\"https://example.org/blog/v.webm\" type=\"video/webm\">fallback</video>"),
        ("<audio src=\"a.mp3\" controls loop preload=\"none\">no audio</audio>",
         "<audio src=\"https://example.org/blog/a.mp3\" controls=\"controls\" loop=\"loop\" preload=\"none\">no audio</audio>"),
        ("<a href=\"x.html\" target=\"_blank\" rel=\"nofollow\" hreflang=\"en\" name=\"n\">x</a>",
         "<a href=\"https://example.org/blog/x.html\" target=\"_blank\" rel=\"nofollow\" hreflang=\"en\" name=\"n\">x</a>"),
        // inline CSS: safe declarations kept, the rest dropped, unparseable styles gone
        ("<span style=\"color: red; background-color: #fff\">c</span>", "<span style=\"color: red; background-color: #fff;\">c</span>"),
        ("<span style=\"color:red;background:url(http://evil.example/x.png)\">c</span>", "<span style=\"color: red;\">c</span>"),
        ("<p style=\"margin: 0 auto; padding: 2px 4px; border: 1px solid black\">p</p>",
         "<p style=\"margin: 0 auto; padding: 2px 4px; border: 1px solid black;\">p</p>"),
        ("<p style=\"font-family: 'Times New Roman'; text-align: center; float: left\">p</p>",
         "<p style=\"font-family: 'Times New Roman'; text-align: center; float: left;\">p</p>"),
        ("<p style=\"position: absolute; top: 0; color: blue\">p</p>", "<p style=\"color: blue;\">p</p>"),
        ("<p style=\"width: expression(alert(1))\">p</p>", "<p>p</p>"),
        ("<p style=\"behavior: url(x.htc)\">p</p>", "<p>p</p>"),
        ("<p style=\"color: red; -moz-binding: url(x.xml#x)\">p</p>", "<p>p</p>"),
        ("<p style=\"background: red url(javascript:alert(1))\">p</p>", "<p>p</p>"),
        ("<p style=\"background: red url(tile.png) repeat-x\">p</p>", "<p>p</p>"),
        ("<p style=\"background: red url(tile.png)\">p</p>", "<p style=\"background: red;\">p</p>"),
        ("<p style=\"color: red /* comment */\">p</p>", "<p>p</p>"),
        ("<p style=\"margin: 0 something\">p</p>", "<p>p</p>"),
        ("<p style=\"co\\lor: red\">p</p>", "<p>p</p>"),
        // SVG and MathML: kept, cleaned
        ("<svg width=\"10\" viewbox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"red\" onclick=\"x()\"/></svg>",
         "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" viewBox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"red\"></circle></svg>"),
        ("<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"1\">t</text></a></svg>",
         "<svg xmlns=\"http://www.w3.org/2000/svg\"><a><text x=\"1\">t</text></a></svg>"),
        ("<svg><a xlink:href=\"https://example.org/\">t</a><use xlink:href=\"#shape\"/></svg>",
         "<svg xmlns=\"http://www.w3.org/2000/svg\"><a xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"https://example.org/\">t</a><use xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"#shape\"></use></svg>"),
        ("<svg><a><animate attributeName=\"href\" values=\"javascript:alert(1)\"/><text>click</text></a></svg>",
         "<svg xmlns=\"http://www.w3.org/2000/svg\"><a><text>click</text></a></svg>"),
        ("<svg><g style=\"fill: blue; position: fixed\"><rect width=\"1\" height=\"1\"/></g><foreignObject><p>x</p></foreignObject></svg>",
         "<svg xmlns=\"http://www.w3.org/2000/svg\"><g style=\"fill: blue;\"><rect width=\"1\" height=\"1\"></rect></g><p>x</p></svg>"),
        ("<math><mrow><mi>x</mi><mo>+</mo><mn>1</mn></mrow><maction actiontype=\"statusline\" onclick=\"x()\">y</maction></math>",
         "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mrow><mi>x</mi><mo>+</mo><mn>1</mn></mrow><maction actiontype=\"statusline\">y</maction></math>"),
        ("<p><mi>outside math</mi></p>", "<p>outside math</p>"),
        // plug-ins go, their fallback text stays; comments go whole
        ("<object data=\"movie.swf\"><param name=\"q\" value=\"high\">Get Flash to see this</object>", "Get Flash to see this"),
        ("<applet code=\"A.class\">Applet fallback</applet><embed src=\"e.swf\">", "Applet fallback"),
        ("a<!-- hidden <b>bold</b> -->b<!--x", "ab"),
        ("1 <!' 2 <!DOCTYPE is a word", "1 &lt;!' 2 &lt;!DOCTYPE is a word"),
        ("<noscript><img src=\"n.png\"></noscript>", "<noscript><img src=\"https://example.org/blog/n.png\"></noscript>"),
        ("<title>a title</title><frameset><frame src=x>fr</frameset>", "a titlefr"),
    ])
    func keepsHarmlessMarkup(input: String, expected: String) {
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

    /// The name tables find every known element and attribute in any case, in its own
    /// spelling (SVG's camel case), and no lookalike.
    @Test func theNameTablesFindEveryKnownNameAndNoLookalike() {
        func key(_ name: String) -> HTMLSanitizer.Key {
            let bytes = Array(name.utf8)
            return bytes.withUnsafeBufferPointer { HTMLSanitizer.Key($0, 0..<bytes.count) }
        }
        let html = HTMLVocabulary.htmlElements + HTMLVocabulary.droppedWithContent
        for (names, table) in [(html, HTMLSanitizer.tags), (HTMLVocabulary.svgElements, HTMLSanitizer.svgTags),
                               (HTMLVocabulary.mathElements, HTMLSanitizer.mathTags)] {
            for name in names {
                for spelling in [name, name.uppercased(), name.lowercased()] {
                    #expect(table[key(spelling)]?.name == name, "\(spelling)")
                }
            }
        }
        #expect(HTMLSanitizer.tags[key("script")]?.kind == .droppedWithContent)
        for name in ["", "x", "scrip", "scripts", "iframes", "p1", "bb", "imgs", "custom-element", "svg:a", "form", "input"] {
            #expect(HTMLSanitizer.tags[key(name)] == nil, "\(name)")
        }
        for (names, table) in [(HTMLVocabulary.htmlAttributes, HTMLSanitizer.htmlAttributes),
                               (HTMLVocabulary.svgAttributes, HTMLSanitizer.svgAttributes),
                               (HTMLVocabulary.mathAttributes, HTMLSanitizer.mathAttributes)] {
            for name in names { #expect(table[key(name.uppercased())]?.name == name, "\(name)") }
        }
        for name in ["onerror", "onload", "action", "formaction", "ping", "srcdoc", "xml:base", "hre", "hreff"] {
            #expect(HTMLSanitizer.htmlAttributes[key(name)] == nil, "\(name)")
        }
        #expect(HTMLSanitizer.svgAttributes[key("viewbox")]?.name == "viewBox")
        #expect(HTMLSanitizer.htmlAttributes[key("href")]?.kind == .url)
        #expect(HTMLSanitizer.htmlAttributes[key("style")]?.kind == .style)
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
