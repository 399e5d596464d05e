// libFuzzer entry point: every input goes through the whole streaming parser, once in
// one piece and once in small chunks (to exercise the encoding and sanitiser seams).
import FeedParser
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let whole = FeedStreamParser(url: "https://example.org/feed.xml")
    do {
        try whole.push(bytes)
        _ = try whole.finish()
    } catch {}
    let chunked = FeedStreamParser(url: "https://example.org/feed.xml", contentType: "text/xml; charset=iso-8859-1")
    do {
        var offset = 0
        while offset < size {
            let length = min(7, size - offset)
            try chunked.push(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
            offset += length
        }
        let feed = try chunked.finish()
        _ = feed.jsonText()
    } catch {}
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOneInput($0, $1) })
