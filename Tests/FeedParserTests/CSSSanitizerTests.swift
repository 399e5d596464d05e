import Testing
@testable import FeedParser

/// Inline CSS: the grammar a style must pass whole, and which declarations are kept.
@Suite struct CSSSanitizerTests {
    @Test(arguments: [
        ("color: red", "color: red;"),
        ("COLOR:Red;;", "COLOR: Red;"),
        ("font: bold 12px/1.2 Arial; font-size: 1.5em", ""),  // "/" is outside the grammar: the whole style goes
        ("text-decoration: underline; white-space: nowrap; vertical-align: top", "text-decoration: underline; white-space: nowrap; vertical-align: top;"),
        ("border-color: rgb(255,0,0); border-top-color: #abc", "border-color: rgb(255,0,0); border-top-color: #abc;"),
        ("padding: 1px 2px 3px 4px !important", "padding: 1px 2px 3px 4px !important;"),
        ("margin-left: 10.5px", "margin-left: 10.5px;"),
        ("margin-left: 100.5px", ""),                 // more than two digits: not a plain value
        ("background-image: none; background-repeat: no-repeat", "background-image: none;"),
        ("height: 10px; width: 50%; float: right; clear: both", "height: 10px; width: 50%; float: right; clear: both;"),
        ("position: fixed", ""),
        ("color: red; unknown-prop: x", "color: red;"),
        ("", ""),
        ("color", ""),                                 // not a declaration
        ("color: red: blue", ""),                      // two colons
        ("color: expression(alert(1))", ""),
        ("color: red; x: expression(1)", "color: red;"),
        ("width: expression(1)", ""),                 // parentheses only in rgb()
        ("border: 1px solid rgb(1,2,3)", "border: 1px solid rgb(1,2,3);"),
        ("width: e\\x70ression(1)", ""),               // escapes
        ("color: red /* x */", ""),
        ("@import 'x'", ""),
        ("color: <script>", ""),
        ("background: url('javascript:alert(1)')", ""),
        ("background: url(x.png)", ""),
        ("content: \"x\"", ""),
    ])
    func keepsOnlySafeDeclarations(style: String, kept: String) {
        #expect(CSSSanitizer.sanitize(style) == kept, "\(style)")
    }

    @Test func svgPaintingPropertiesOnlyInsideSVG() {
        #expect(CSSSanitizer.sanitize("fill: red; stroke-width: 2") == "")
        #expect(CSSSanitizer.sanitize("fill: red; stroke-width: 2", inSVG: true) == "fill: red; stroke-width: 2;")
    }

    @Test(arguments: ["#fff", "#abcdef0", "123px", "rgb(1,2,3)", "rgb(10%,20%,30%)", "0", "1px", ".5em", "12.25pt", "50%", "3cm"])
    func plainValues(word: String) {
        #expect(CSSSanitizer.isPlainValue(Array(word.lowercased().utf8)), "\(word)")
    }

    @Test(arguments: ["#xyz", "#ABC", "1.234em", "1px2", "rgb(a)", "red", "calc(1px)", "-1px"])
    func notPlainValues(word: String) {
        #expect(!CSSSanitizer.isPlainValue(Array(word.utf8)), "\(word)")
    }
}
