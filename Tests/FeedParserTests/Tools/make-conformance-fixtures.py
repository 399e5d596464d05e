#!/usr/bin/env python3
"""Writes Tests/FeedParserTests/Fixtures/conformance.json (run from anywhere): small documents
for each class of issue 16 (sanitising, content forms, metadata, formats, entities,
encodings) with the values `aggregator parse --json` must give. Read by
ConformanceTests.swift, and by check-conformance.py to compare builds."""


import json, base64, html

fx = []
def add(cls, name, doc, expect, encoding=None):
    item = {"class": cls, "name": name, "expect": expect}
    if isinstance(doc, bytes):
        item["base64"] = base64.b64encode(doc).decode()
    else:
        item["document"] = doc
    fx.append(item)

def rss_desc(body, base="https://example.org/blog/post.html"):
    return f'<rss version="2.0"><channel><title>t</title><item><title>i</title><description xml:base="{base}">{html.escape(body, quote=False)}</description></item></channel></rss>'

# 1. sanitising keeps harmless markup
san = [
 ("table-attributes", '<table border="1" cellpadding="2" summary="s"><tr><td colspan="2" valign="top" align="left">x</td></tr></table>',
  '<table border="1" cellpadding="2" summary="s"><tr><td colspan="2" valign="top" align="left">x</td></tr></table>'),
 ("accessibility", '<p dir="rtl" lang="ar" tabindex="1"><abbr title="HyperText">HTML</abbr></p>', '<p dir="rtl" lang="ar" tabindex="1"><abbr title="HyperText">HTML</abbr></p>'),
 ("image-map", '<img src="m.png" usemap="#m" width="10" height="20"><map name="m"><area shape="rect" coords="0,0,5,5" href="/a" alt="A"></map>',
  '<img src="https://example.org/blog/m.png" usemap="#m" width="10" height="20"><map name="m"><area shape="rect" coords="0,0,5,5" href="https://example.org/a" alt="A"></map>'),
 ("textarea", '<textarea rows="2" cols="20">text</textarea>', '<textarea rows="2" cols="20">text</textarea>'),
 ("fieldset", '<fieldset><legend>L</legend>x</fieldset>', '<fieldset><legend>L</legend>x</fieldset>'),
 ("font-big", '<font face="Arial" color="red"><big>b</big></font>', '<font face="Arial" color="red"><big>b</big></font>'),
 ("video", '<video src="v.mp4" controls poster="p.jpg" width="320">fallback</video>',
  '<video src="https://example.org/blog/v.mp4" controls="controls" poster="https://example.org/blog/p.jpg" width="320">fallback</video>'),
 ("audio", '<audio src="a.mp3" controls>no audio</audio>', '<audio src="https://example.org/blog/a.mp3" controls="controls">no audio</audio>'),
 ("target", '<a href="x.html" target="_blank">x</a>', '<a href="https://example.org/blog/x.html" target="_blank">x</a>'),
 ("rel-lower-case", '<a href="x.html" rel="NoFollow">x</a>', '<a href="https://example.org/blog/x.html" rel="nofollow">x</a>'),
 ("css-kept", '<span style="color: red; background-color: #fff">c</span>', '<span style="color: red; background-color: #fff;">c</span>'),
 ("css-url-dropped", '<span style="color:red;background:url(http://evil.example/x.png)">c</span>', '<span style="color: red;">c</span>'),
 ("css-margin", '<p style="margin: 0 auto; padding: 2px 4px">p</p>', '<p style="margin: 0 auto; padding: 2px 4px;">p</p>'),
 ("css-expression", '<p style="width: expression(alert(1))">p</p>', '<p>p</p>'),
 ("css-position", '<p style="position: absolute; color: blue">p</p>', '<p style="color: blue;">p</p>'),
 ("svg", '<svg width="10" viewbox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="red" onclick="x()"/></svg>',
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="red"></circle></svg>'),
 ("svg-xlink-javascript", '<svg><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>', '<svg xmlns="http://www.w3.org/2000/svg"><a><text>t</text></a></svg>'),
 ("mathml", '<math><mi>x</mi><mo>+</mo><mn>1</mn></math>', '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi><mo>+</mo><mn>1</mn></math>'),
 ("object-fallback", '<object data="movie.swf"><param name="q" value="h">Get Flash</object>', 'Get Flash'),
 ("applet-fallback", '<applet code="A.class">Applet text</applet>', 'Applet text'),
 ("comment-dropped", 'a<!-- hidden <b>x</b> -->b', 'ab'),
 ("script-still-dropped", '<p>x</p><script>alert(1)</script>', '<p>x</p>'),
 ("onclick-still-dropped", '<p onclick="x()">p</p>', '<p>p</p>'),
 ("javascript-href-still-dropped", '<a href="javascript:alert(1)">x</a>', '<a>x</a>'),
]
for name, body, out in san:
    add("1 sanitising", name, rss_desc(body), {"entries[0].summary": out})

# 2. content forms
add("2 content forms", "atom03-base64-content", '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>t</title><entry><id>1</id><content type="text/html" mode="base64">'
    + base64.b64encode(b'<p>Example <b>Atom</b></p>').decode() + '</content></entry></feed>', {"entries[0].content": "<p>Example <b>Atom</b></p>"})
add("2 content forms", "atom03-base64-summary", '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>t</title><entry><id>1</id><summary type="text/html" mode="base64">'
    + base64.b64encode(b'<b>Sum</b>').decode() + '</summary></entry></feed>', {"entries[0].summary": "<b>Sum</b>"})
add("2 content forms", "text-content-stays-text", '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id><content type="text">1 &lt; 2 and &lt;b&gt;bold&lt;/b&gt;</content></entry></feed>',
    {"entries[0].content": "1 &lt; 2 and &lt;b&gt;bold&lt;/b&gt;"})
add("2 content forms", "typepad-wrapper-div", '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id><content type="html">&lt;div xmlns="http://www.w3.org/1999/xhtml"&gt;&lt;p&gt;Hello&lt;/p&gt;&lt;/div&gt;</content></entry></feed>',
    {"entries[0].content": "<p>Hello</p>"})
add("2 content forms", "rss-xhtml-body", '<rss version="2.0" xmlns:xhtml="http://www.w3.org/1999/xhtml"><channel><title>t</title><item><title>i</title><description>the summary</description><xhtml:body><p>Body <b>text</b></p></xhtml:body></item></channel></rss>',
    {"entries[0].content": "<p>Body <b>text</b></p>", "entries[0].summary": "the summary"})
add("2 content forms", "rss-xhtml-div", '<rss version="2.0" xmlns:xhtml="http://www.w3.org/1999/xhtml"><channel><title>t</title><item><title>i</title><xhtml:div><p>Div</p></xhtml:div></item></channel></rss>',
    {"entries[0].content": "<p>Div</p>"})
add("2 content forms", "userland-fullitem", '<rss version="2.0"><channel><title>t</title><item><title>i</title><fullitem>&lt;p&gt;Full item&lt;/p&gt;</fullitem></item></channel></rss>',
    {"entries[0].content": "<p>Full item</p>"})
add("2 content forms", "atom-id-with-attributes", '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id foo="bar">urn:x:1</id><title>e</title></entry></feed>',
    {"entries[0].id": "urn:x:1"})

# 3. metadata fallbacks
META = '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>{}</channel></rss>'
add("3 metadata", "channel-author", META.format('<title>t</title><author>Channel Author (ca@example.com)</author>'), {"authors[0].name": "Channel Author", "authors[0].email": "ca@example.com"})
add("3 metadata", "channel-dc-author", META.format('<title>t</title><dc:author>DC Author</dc:author>'), {"authors[0].name": "DC Author"})
add("3 metadata", "channel-dc-title", META.format('<dc:title>DC channel title</dc:title>'), {"title": "DC channel title"})
add("3 metadata", "title-beats-dc-title", META.format('<dc:title>DC</dc:title><title>Real</title>'), {"title": "Real"})
add("3 metadata", "item-dc-title", META.format('<title>t</title><item><dc:title>DC item title</dc:title></item>'), {"entries[0].title": "DC item title"})
add("3 metadata", "item-media-title", META.format('<title>t</title><item><media:title>Media title</media:title></item>'), {"entries[0].title": "Media title"})
add("3 metadata", "media-categories", META.format('<title>t</title><item><title>i</title><media:category scheme="http://example.com/s" label="Lab">cat1</media:category><media:category>cat2</media:category></item>'),
    {"entries[0].categories": ["cat1", "cat2"]})
add("3 metadata", "itunes-subtitle", META.format('<title>t</title><itunes:subtitle>A subtitle</itunes:subtitle>'), {"description": "A subtitle"})
add("3 metadata", "itunes-category-nested", META.format('<title>t</title><itunes:category text="Technology"><itunes:category text="Podcasting"/></itunes:category>'), {"categories": ["Technology", "Podcasting"]})
add("3 metadata", "itunes-keywords", META.format('<title>t</title><itunes:keywords>news, tech</itunes:keywords><item><title>i</title><itunes:keywords>one,two</itunes:keywords></item>'),
    {"categories": ["news", "tech"], "entries[0].categories": ["one", "two"]})
add("3 metadata", "media-description", META.format('<title>t</title><item><title>i</title><media:description>Media text</media:description></item>'), {"entries[0].summary": "Media text"})
add("3 metadata", "author-email-name", META.format('<title>t</title><item><author>jo@example.com (Jo Smith)</author></item>'), {"entries[0].authors[0].name": "Jo Smith", "entries[0].authors[0].email": "jo@example.com"})
add("3 metadata", "author-name-email", META.format('<title>t</title><item><author>Jo Smith (jo@example.com)</author></item>'), {"entries[0].authors[0].name": "Jo Smith", "entries[0].authors[0].email": "jo@example.com"})
add("3 metadata", "uppercase-podcast-names", '<rss version="2.0"><channel><TITLE>Upper</TITLE><LINK>http://example.com/</LINK><ITEM><TITLE>Item</TITLE><LINK>http://example.com/1</LINK><PUBDATE>Sat, 31 Oct 2020 01:00:00 GMT</PUBDATE></ITEM></channel></rss>',
    {"title": "Upper", "link": "http://example.com/", "entries[0].title": "Item", "entries[0].published": "2020-10-31T01:00:00Z"})
add("3 metadata", "xml-lang-normalised", '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en_US"><title>t</title></feed>', {"language": "en-US"})

# 4. formats and versions
add("4 formats", "rss090", '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Mozilla</title><link>http://www.mozilla.org</link></channel><item><title>Status</title><link>http://www.mozilla.org/status/</link></item></rdf:RDF>',
    {"format": "rss0.90", "entries[0].title": "Status"})
add("4 formats", "rss10", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>One</title></channel><item rdf:about="http://e/1"><title>I</title></item></rdf:RDF>',
    {"format": "rss1.0", "entries[0].title": "I"})
add("4 formats", "rss20-harvard-namespace", '<rss version="2.0" xmlns="http://blogs.law.harvard.edu/tech/rss"><channel><title>Harvard</title><item><title>h</title><link>http://example.com/h</link></item></channel></rss>',
    {"format": "rss2.0", "title": "Harvard", "entries[0].link": "http://example.com/h"})
add("4 formats", "rss20-userland-namespace", '<rss version="2.0" xmlns="http://backend.userland.com/rss2"><channel><title>Userland</title><item><title>u</title></item></channel></rss>',
    {"format": "rss2.0", "entries[0].title": "u"})
add("4 formats", "atom-echo-draft", '<feed version="0.1" xmlns="http://example.com/newformat#"><title>Echo</title><entry><id>e1</id><title>echo</title></entry></feed>',
    {"title": "Echo", "entries[0].title": "echo", "warnings": []})
add("4 formats", "atom-pie-draft", '<feed xmlns="http://purl.org/pie/"><title>Pie</title><entry><title>pie</title></entry></feed>', {"title": "Pie", "entries[0].title": "pie", "warnings": []})
add("4 formats", "atom-purl-03", '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Atom 0.3</title><entry><title>a</title></entry></feed>', {"format": "atom0.3", "entries[0].title": "a", "warnings": []})
add("4 formats", "cdf", '<?xml version="1.0"?><CHANNEL HREF="http://www.example.com/" LASTMOD="2004-01-02T03:04:05"><TITLE>CDF channel</TITLE><ABSTRACT>CDF abstract</ABSTRACT><ITEM HREF="http://www.example.com/item1"><TITLE>Item one</TITLE><ABSTRACT>First</ABSTRACT></ITEM></CHANNEL>',
    {"format": "cdf", "title": "CDF channel", "link": "http://www.example.com/", "description": "CDF abstract", "entries[0].title": "Item one", "entries[0].link": "http://www.example.com/item1", "entries[0].summary": "First"})

# 5. entities and URLs
add("5 entities", "amp-in-attribute", '<rss version="2.0"><channel><title>t</title><item><enclosure url="http://example.com/a.mp3?x=1&amp;y=2" type="audio/mpeg" length="1"/></item></channel></rss>',
    {"entries[0].enclosures[0].url": "http://example.com/a.mp3?x=1&y=2"})
add("5 entities", "atom-link-amp", '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id><link href="http://example.com/?a=1&amp;b=2"/></entry></feed>',
    {"entries[0].link": "http://example.com/?a=1&b=2"})
add("5 entities", "upper-case-hex-reference", '<rss version="2.0"><channel><title>Entities &#X41;BC</title></channel></rss>', {"title": "Entities ABC"})
add("5 entities", "bare-ampersand-in-link", '<rss version="2.0"><channel><title>t</title><item><link>http://example.com/page?a=1&b=2&c=3</link></item></channel></rss>',
    {"entries[0].link": "http://example.com/page?a=1&b=2&c=3"})
add("5 entities", "internal-dtd-entity", '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY foo "Foo Bar">\n<!ENTITY copy2 "&#169;">\n]>\n<rss version="2.0"><channel><title>&foo; &copy2;</title></channel></rss>',
    {"title": "Foo Bar ©"})
add("5 entities", "entity-bomb-refused", '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n<rss version="2.0"><channel><title>x&c;y</title></channel></rss>',
    {"title": "xy"})
add("5 entities", "doctype-text-in-description", '<rss version="2.0"><channel><title>t</title><item><description>Use &lt;!DOCTYPE at the start. &lt;!\' is odd.</description></item></channel></rss>',
    {"entries[0].summary": "Use &lt;!DOCTYPE at the start. &lt;!' is odd."})

# 6. encodings
def enc_doc(label, codec, title):
    return f'<?xml version="1.0" encoding="{label}"?><rss version="2.0"><channel><title>{title}</title></channel></rss>'.encode(codec)
for label, codec, title in [("cp437", "cp437", "Café ░"), ("ibm850", "cp850", "Æsop"), ("852", "cp852", "Škoda"), ("csibm855", "cp855", "Дж"),
                            ("cp857", "cp857", "İstanbul"), ("cp860", "cp860", "Ação"), ("cp862", "cp862", "שלום"), ("cp866", "cp866", "Привет"),
                            ("cp869", "cp869", "Αθήνα"), ("cp037", "cp037", "Hello é"), ("ebcdic-cp-be", "cp500", "Hello é"),
                            ("csibm037", "cp037", "Plain"), ("cp875", "cp875", "ΑΒ"), ("macintosh", "mac_roman", "Café"),
                            ("x-mac-greek", "mac_greek", "Αθήνα"), ("mac-turkish", "mac_turkish", "İstanbul"), ("x-mac-cyrillic", "mac_cyrillic", "При")]:
    add("6 encodings", "declared-" + label, enc_doc(label, codec, title), {"title": title, "warnings": []})
add("6 encodings", "latin1-label-windows-1252-bytes", b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>\x93quoted\x94 \x96 dash caf\xe9</title></channel></rss>',
    {"title": "“quoted” – dash café", "warnings": []})
add("6 encodings", "c1-references", '<rss version="2.0"><channel><title>&#150; dash &#x93;q&#x94;</title></channel></rss>', {"title": "– dash “q”"})

json.dump(fx, open("/work/main/Tests/FeedParserTests/Fixtures/conformance.json", "w"), ensure_ascii=False, indent=1)
print(len(fx), "fixtures")
