/// Decides a document's character encoding the way RFC 7303 orders it: a byte-order
/// mark, then the HTTP `charset`, then the XML declaration, else UTF-8 — with one
/// correction real feeds need: bytes that are valid UTF-8 (and not plain ASCII) are read
/// as UTF-8 whatever a label says, because a wrong label over UTF-8 is far more common
/// than legacy text that happens to be valid UTF-8.
enum EncodingDetector {
    struct Decision: Equatable {
        /// An iconv name, or "UTF-8".
        var encoding: String
        /// Bytes of byte-order mark to skip.
        var bomLength: Int
        /// Where the decision came from, for warnings.
        var source: Source
        /// The label that was overridden because the bytes are UTF-8, if any.
        var overriddenLabel: String?

        var isUTF8: Bool { encoding == "UTF-8" }
    }

    enum Source: Equatable { case bom, http, declaration, sniffed, utf8Default, validUTF8 }

    static func decide(prefix: UnsafeRawBufferPointer, httpCharset: String?, prefixIsWholeDocument: Bool) -> Decision {
        let bytes = prefix
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            return Decision(encoding: "UTF-8", bomLength: 3, source: .bom)
        }
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE {
            return Decision(encoding: "UTF-16LE", bomLength: 2, source: .bom)
        }
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF {
            return Decision(encoding: "UTF-16BE", bomLength: 2, source: .bom)
        }
        // UTF-16 without a BOM still starts with "<?" in its own shape.
        if bytes.count >= 4, bytes[0] == 0x3C, bytes[1] == 0, bytes[2] == 0x3F, bytes[3] == 0 {
            return Decision(encoding: "UTF-16LE", bomLength: 0, source: .sniffed)
        }
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0x3C, bytes[2] == 0, bytes[3] == 0x3F {
            return Decision(encoding: "UTF-16BE", bomLength: 0, source: .sniffed)
        }
        // EBCDIC: "<?xm" is 4C 6F A7 94 in every EBCDIC code page; the declaration, read
        // through the common one (037), names the page.
        if bytes.count >= 4, bytes[0] == 0x4C, bytes[1] == 0x6F, bytes[2] == 0xA7, bytes[3] == 0x94 {
            let declared = Transcoder(from: "CP037").map { transcoder -> [UInt8] in
                transcoder.convert(UnsafeRawBufferPointer(rebasing: bytes.prefix(512)), isFinal: true)
            }
            let label = declared.flatMap { utf8 in utf8.withUnsafeBytes { declaredEncoding($0) } }.flatMap(normalise)
            let ebcdic = label.map { ["CP037", "CP500", "CP875", "CP1026", "CP273", "CP424", "CP1140"].contains($0) } ?? false
            return Decision(encoding: ebcdic ? label! : "CP037", bomLength: 0, source: label == nil ? .sniffed : .declaration)
        }

        let labelled: (String, Source)? = httpCharset.flatMap { normalise($0) }.map { ($0, .http) }
            ?? declaredEncoding(bytes).flatMap { normalise($0) }.map { ($0, .declaration) }
        guard let (encoding, source) = labelled, encoding != "UTF-8" else {
            return Decision(encoding: "UTF-8", bomLength: 0, source: labelled?.1 ?? .utf8Default)
        }
        if encoding.hasPrefix("UTF-16") || encoding.hasPrefix("UTF-32") {
            // A UTF-16 label over bytes that are not UTF-16 (no NULs, no BOM) is wrong.
            return Decision(encoding: "UTF-8", bomLength: 0, source: .validUTF8, overriddenLabel: encoding)
        }
        if UTF8Validation.isNonASCIIValidUTF8(bytes, allowTruncatedEnd: !prefixIsWholeDocument) {
            return Decision(encoding: "UTF-8", bomLength: 0, source: .validUTF8, overriddenLabel: encoding)
        }
        return Decision(encoding: encoding, bomLength: 0, source: source)
    }

    /// The `encoding="…"` of an XML declaration at the very start, if any.
    static func declaredEncoding(_ bytes: UnsafeRawBufferPointer) -> String? {
        let limit = min(bytes.count, 512)
        guard limit > 5, bytes[0] == UInt8(ascii: "<"), bytes[1] == UInt8(ascii: "?"),
              bytes[2] | 0x20 == UInt8(ascii: "x"), bytes[3] | 0x20 == UInt8(ascii: "m"),
              bytes[4] | 0x20 == UInt8(ascii: "l")
        else { return nil }
        guard let end = (5..<limit).first(where: { bytes[$0] == UInt8(ascii: ">") }) else { return nil }
        let declaration = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        guard let key = declaration.range(of: "encoding") else { return nil }
        var rest = declaration[key.upperBound...].drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return value.isEmpty ? nil : String(value)
    }

    /// Canonical iconv names for the labels feeds use. Legacy labels map to the superset
    /// that browsers use (ISO-8859-1 → Windows-1252, GB2312 → GB18030, …), because
    /// publishers write the superset's characters under the narrower name.
    static func normalise(_ label: String) -> String? {
        let key = label.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            .lowercased()
        guard !key.isEmpty else { return nil }
        switch key {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "us-ascii", "ascii", "ansi_x3.4-1968": return "UTF-8"
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "x-cp1252":
            return "WINDOWS-1252"
        case "gb2312", "gbk", "gb18030", "x-gbk", "euc-cn", "cp936": return "GB18030"
        case "big5", "big5-hkscs", "x-x-big5": return "BIG5-HKSCS"
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "windows-31j", "ms_kanji", "cp932": return "CP932"
        case "euc-kr", "ks_c_5601-1987", "windows-949", "cp949", "uhc": return "CP949"
        case "euc-jp": return "EUC-JP"
        case "iso-2022-jp": return "ISO-2022-JP"
        case "koi8-r": return "KOI8-R"
        case "koi8-u": return "KOI8-U"
        // DOS code pages, under their registered names and aliases.
        case "cp437", "ibm437", "437", "cspc8codepage437": return "CP437"
        case "cp850", "ibm850", "850", "cspc850multilingual": return "CP850"
        case "cp852", "ibm852", "852", "cspcp852": return "CP852"
        case "cp855", "ibm855", "855", "csibm855": return "CP855"
        case "cp857", "ibm857", "857", "csibm857": return "CP857"
        case "cp860", "ibm860", "860", "csibm860": return "CP860"
        case "cp861", "ibm861", "861", "cp-is", "csibm861": return "CP861"
        case "cp862", "ibm862", "862", "cspc862latinhebrew": return "CP862"
        case "cp863", "ibm863", "863", "csibm863": return "CP863"
        case "cp864", "ibm864", "864", "csibm864": return "CP864"
        case "cp865", "ibm865", "865", "csibm865": return "CP865"
        case "cp866", "ibm866", "866", "csibm866": return "CP866"
        case "cp869", "ibm869", "869", "cp-gr", "csibm869": return "CP869"
        // EBCDIC.
        case "cp037", "ibm037", "ibm039", "ebcdic-cp-us", "ebcdic-cp-ca", "ebcdic-cp-wt", "ebcdic-cp-nl", "csibm037":
            return "CP037"
        case "cp500", "ibm500", "ebcdic-cp-be", "ebcdic-cp-ch", "csibm500": return "CP500"
        case "cp875", "ibm875", "ebcdic-greek": return "CP875"
        case "cp1026", "ibm1026", "csibm1026": return "CP1026"
        case "cp1140", "ibm1140", "ccsid01140", "cp01140", "ebcdic-us-37+euro": return "CP1140"
        // Mac encodings (those iconv lacks are read from SingleByteTables).
        case "macintosh", "mac", "csmacintosh", "macroman", "mac-roman", "mac_roman", "x-mac-roman": return "MACINTOSH"
        case "maccyrillic", "mac-cyrillic", "mac_cyrillic", "x-mac-cyrillic": return "MAC-CYRILLIC"
        case "macukrainian", "x-mac-ukrainian": return "MACUKRAINIAN"
        case "maccentraleurope", "mac-centraleurope", "x-mac-centraleurope", "x-mac-ce", "maclatin2", "mac-latin2",
             "mac_latin2":
            return "MAC-CENTRALEUROPE"
        case "maciceland", "mac-iceland", "mac_iceland", "x-mac-icelandic", "macicelandic": return "MAC-IS"
        case "macgreek", "mac-greek", "mac_greek", "x-mac-greek": return "MAC-GREEK"
        case "macturkish", "mac-turkish", "mac_turkish", "x-mac-turkish": return "MAC-TURKISH"
        case "macromanian", "mac-romanian", "mac_romanian", "x-mac-romanian": return "MAC-ROMANIAN"
        case "maccroatian", "mac-croatian", "mac_croatian", "x-mac-croatian": return "MAC-CROATIAN"
        case "macarabic", "mac-arabic", "mac_arabic", "x-mac-arabic": return "MAC-ARABIC"
        case "macfarsi", "mac-farsi", "mac_farsi", "x-mac-farsi": return "MAC-FARSI"
        case "utf-16": return "UTF-16"
        case "utf-16le": return "UTF-16LE"
        case "utf-16be": return "UTF-16BE"
        default:
            if key.hasPrefix("windows-125") || key.hasPrefix("iso-8859-") || key.hasPrefix("cp125") {
                return key.uppercased()
            }
            return key.uppercased()
        }
    }
}

import Foundation
