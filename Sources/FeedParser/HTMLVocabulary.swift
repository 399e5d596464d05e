/// What the sanitiser keeps: the elements and attributes of HTML, SVG and MathML that
/// cannot run code, load a document or submit anything. docs/sanitizer.md says why each
/// group is in or out. Lists, not rules: a name missing here is dropped.
enum HTMLVocabulary {
    /// HTML elements kept (with their allowed attributes). Presentational and obsolete
    /// elements are kept too (`font`, `big`, `center`, `tt`…): a feed written in 2004
    /// still reads as it was written. Form controls that show text (`textarea`, `select`,
    /// `label`, `fieldset`) are inert without a form; `form`, `input`, `button` are not kept:
    /// they submit, and a form asking for a password in an article is phishing.
    static let htmlElements: [String] = [
        "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "bdi", "bdo", "big",
        "blockquote", "br", "canvas", "caption", "center", "cite", "code", "col", "colgroup", "datalist", "dd",
        "del", "details", "dfn", "dialog", "dir", "div", "dl", "dt", "em", "fieldset", "figcaption", "figure",
        "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "label",
        "legend", "li", "m", "main", "map", "mark", "menu", "meter", "multicol", "nav", "nextid", "noscript",
        "ol", "optgroup", "option", "output", "p", "picture", "pre", "progress", "q", "rp", "rt", "ruby", "s",
        "samp", "section", "select", "small", "sound", "source", "spacer", "span", "strike", "strong", "sub",
        "summary", "sup", "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "time", "tr", "track", "tt",
        "u", "ul", "var", "video", "wbr",
    ]

    /// Removed with everything inside them: code, style sheets, and frames (whose content
    /// a browser never shows). Any other unknown element loses its tags and keeps its text —
    /// `object`, `embed` and `applet` included, whose text is the fallback meant for readers
    /// without the plug-in.
    static let droppedWithContent: [String] = ["script", "style", "iframe"]

    static let voidElements: Set<String> = [
        "area", "base", "basefont", "br", "col", "embed", "frame", "hr", "img", "input", "isindex", "keygen",
        "link", "meta", "nextid", "param", "source", "spacer", "track", "wbr",
    ]

    /// HTML attributes kept on any kept HTML element: presentation, accessibility, tables,
    /// media controls, form controls' display. Not kept: event handlers (`on…`), `action`,
    /// `formaction`, `method` (submission), `ping` (tracking), `srcdoc`, `xml:base`.
    static let htmlAttributes: [String] = [
        "abbr", "accept", "accept-charset", "accesskey", "align", "alt", "autocomplete", "autofocus", "axis",
        "background", "balance", "bgcolor", "bgproperties", "border", "bordercolor", "bordercolordark",
        "bordercolorlight", "bottompadding", "cellpadding", "cellspacing", "ch", "challenge", "char", "charoff",
        "charset", "checked", "choff", "cite", "class", "clear", "color", "cols", "colspan", "compact",
        "contenteditable", "controls", "coords", "datafld", "datapagesize", "datasrc", "datetime", "default",
        "delay", "dir", "disabled", "draggable", "dynsrc", "end", "face", "for", "frame", "galleryimg", "gutter",
        "headers", "height", "hidden", "hidefocus", "high", "href", "hreflang", "hspace", "id", "inputmode",
        "ismap", "keytype", "kind", "label", "lang", "leftspacing", "list", "longdesc", "loop", "loopcount",
        "loopend", "loopstart", "low", "lowsrc", "max", "maxlength", "media", "min", "multiple", "muted", "name",
        "nohref", "noshade", "nowrap", "open", "optimum", "pattern", "playsinline", "point-size", "poster",
        "preload", "prompt", "radiogroup", "readonly", "rel", "repeat-max", "repeat-min", "replace", "required",
        "rev", "reversed", "rightspacing", "rows", "rowspan", "rules", "scope", "selected", "shape", "size",
        "sizes", "span", "src", "srclang", "start", "step", "style", "summary", "suppress", "tabindex", "target",
        "template", "title", "toppadding", "type", "unselectable", "urn", "usemap", "valign", "value", "variable",
        "volume", "vspace", "width", "wrap", "xml:lang",
    ]

    /// SVG: shapes, text, gradients, structure — no `script`, no `foreignObject` (HTML
    /// inside SVG is a second parser's business), no `image` (loads a document), no
    /// `style` element. Animation elements are kept unless they animate a link or an
    /// event handler (`HTMLSanitizer` checks `attributeName`).
    static let svgElements: [String] = [
        "a", "animate", "animateColor", "animateMotion", "animateTransform", "circle", "clipPath", "defs", "desc",
        "ellipse", "font-face", "font-face-name", "font-face-src", "g", "glyph", "hkern", "line",
        "linearGradient", "marker", "mask", "metadata", "missing-glyph", "mpath", "path", "pattern", "polygon",
        "polyline", "radialGradient", "rect", "set", "stop", "svg", "switch", "symbol", "text", "textPath",
        "title", "tspan", "use",
    ]

    /// SVG attributes, in SVG's own case (the sanitiser matches them in any case and
    /// writes them this way). `xlink:href` and `href` are URLs: only http(s) and fragments.
    static let svgAttributes: [String] = [
        "accent-height", "accumulate", "additive", "alphabetic", "arabic-form", "ascent", "attributeName",
        "attributeType", "baseProfile", "bbox", "begin", "by", "calcMode", "cap-height", "class", "clip-path",
        "clip-rule", "clipPathUnits", "color", "color-rendering", "cx", "cy", "d", "descent", "display", "dur",
        "dx", "dy", "end", "fill", "fill-opacity", "fill-rule", "font-family", "font-size", "font-stretch",
        "font-style", "font-variant", "font-weight", "from", "fx", "fy", "g1", "g2", "glyph-name",
        "gradientTransform", "gradientUnits", "hanging", "height", "horiz-adv-x", "horiz-origin-x", "href", "id",
        "ideographic", "k", "keyPoints", "keySplines", "keyTimes", "lang", "marker-end", "marker-mid",
        "marker-start", "markerHeight", "markerUnits", "markerWidth", "mask", "maskContentUnits", "maskUnits",
        "mathematical", "max", "min", "name", "offset", "opacity", "orient", "origin", "overline-position",
        "overline-thickness", "panose-1", "path", "pathLength", "patternContentUnits", "patternTransform",
        "patternUnits", "points", "preserveAspectRatio", "r", "refX", "refY", "repeatCount", "repeatDur",
        "requiredExtensions", "requiredFeatures", "restart", "rotate", "rx", "ry", "slope", "spreadMethod",
        "startOffset", "stemh", "stemv", "stop-color", "stop-opacity", "strikethrough-position",
        "strikethrough-thickness", "stroke", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-width", "style", "systemLanguage",
        "text-anchor", "textLength", "to", "transform", "type", "u1", "u2", "underline-position",
        "underline-thickness", "unicode", "unicode-range", "units-per-em", "values", "version", "viewBox",
        "visibility", "width", "widths", "x", "x-height", "x1", "x2", "xlink:actuate", "xlink:arcrole",
        "xlink:href", "xlink:role", "xlink:show", "xlink:title", "xlink:type", "xml:lang", "xml:space", "y",
        "y1", "y2", "zoomAndPan",
    ]

    /// MathML presentation markup.
    static let mathElements: [String] = [
        "annotation", "annotation-xml", "maction", "maligngroup", "malignmark", "math", "menclose", "merror",
        "mfenced", "mfrac", "mglyph", "mi", "mlabeledtr", "mlongdiv", "mmultiscripts", "mn", "mo", "mover",
        "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mscarries", "mscarry", "msgroup", "msline",
        "mspace", "msqrt", "msrow", "mstack", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext",
        "mtr", "munder", "munderover", "none", "semantics",
    ]

    static let mathAttributes: [String] = [
        "accent", "accentunder", "actiontype", "align", "alignmentscope", "altimg", "altimg-height",
        "altimg-valign", "altimg-width", "alttext", "bevelled", "charalign", "close", "columnalign",
        "columnlines", "columnspacing", "columnspan", "columnwidth", "crossout", "decimalpoint", "denomalign",
        "depth", "dir", "display", "displaystyle", "edge", "encoding", "equalcolumns", "equalrows", "fence",
        "fontstyle", "fontweight", "form", "frame", "framespacing", "groupalign", "height", "href", "id",
        "indentalign", "indentalignfirst", "indentalignlast", "indentshift", "indentshiftfirst",
        "indentshiftlast", "indenttarget", "infixlinebreakstyle", "largeop", "length", "linebreak",
        "linebreakmultchar", "linebreakstyle", "lineleading", "linethickness", "location", "longdivstyle",
        "lquote", "lspace", "mathbackground", "mathcolor", "mathsize", "mathvariant", "maxsize",
        "minlabelspacing", "minsize", "movablelimits", "notation", "numalign", "open", "other", "overflow",
        "position", "rowalign", "rowlines", "rowspacing", "rowspan", "rquote", "rspace", "scriptlevel",
        "scriptminsize", "scriptsizemultiplier", "selection", "separator", "separators", "shift", "side",
        "stackalign", "stretchy", "subscriptshift", "superscriptshift", "symmetric", "voffset", "width",
        "xlink:href", "xlink:show", "xlink:type",
    ]

    /// Attributes whose value is a URL: resolved against the content's base, and kept only
    /// with a safe scheme (`HTMLSanitizer.safeURL`).
    static let urlAttributes: Set<String> = [
        "href", "src", "cite", "poster", "background", "longdesc", "lowsrc", "dynsrc", "xlink:href",
    ]

    static let svgNamespace = "http://www.w3.org/2000/svg"
    static let mathNamespace = "http://www.w3.org/1998/Math/MathML"
    static let xlinkNamespace = "http://www.w3.org/1999/xlink"
}
