import FeedParser
import Foundation

/// `parse --bench`: what the benchmark kit measures. Each file is read in 1 MiB pieces
/// and streamed through the parser with entries counted and dropped, so memory stays
/// flat however large the document; only the parse loop is timed.
struct ParseBenchmark {
    var files = 0
    var bytes = 0
    var entries = 0
    var errors = 0
    var seconds = 0.0

    static let readSize = 1 << 20

    /// Parses `paths` on `jobs` threads, each taking the next file when it is done with
    /// one, as the daemon's parsers take the next feed (a fixed share per thread left one
    /// idle while the other finished its large files); `seconds` is the wall time.
    static func run(files paths: [String], jobs: Int) -> ParseBenchmark {
        let jobs = max(1, min(jobs, paths.count))
        let started = DispatchTime.now()
        let results = Results(count: jobs)
        let queue = FileQueue(paths)
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            results.set(job, parse(files: queue))
        }
        var total = results.all.reduce(into: ParseBenchmark()) { sum, part in
            sum.files += part.files
            sum.bytes += part.bytes
            sum.entries += part.entries
            sum.errors += part.errors
        }
        total.seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return total
    }

    private final class Results: @unchecked Sendable {  // each job writes only its own slot
        var all: [ParseBenchmark]
        init(count: Int) { all = Array(repeating: ParseBenchmark(), count: count) }
        func set(_ index: Int, _ value: ParseBenchmark) { all[index] = value }
    }

    /// The files not yet taken.
    private final class FileQueue: @unchecked Sendable {  // `next` is the only access, under the lock
        private let paths: [String]
        private var taken = 0
        private let lock = NSLock()
        init(_ paths: [String]) { self.paths = paths }
        func next() -> String? {
            lock.withLock {
                guard taken < paths.count else { return nil }
                taken += 1
                return paths[taken - 1]
            }
        }
    }

    private static func parse(files queue: FileQueue) -> ParseBenchmark {
        var result = ParseBenchmark()
        var buffer = [UInt8](repeating: 0, count: readSize)
        while let path = queue.next() {
            result.files += 1
            let fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                result.errors += 1
                printError("aggregator: \(path): cannot read the file")
                continue
            }
            defer { close(fd) }
            var count = 0
            let parser = FeedStreamParser(url: URL(fileURLWithPath: path).absoluteString) { _ in count += 1 }
            do {
                while true {
                    let read = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, readSize) }
                    if read <= 0 { break }
                    result.bytes += read
                    let pushed = buffer.withUnsafeBytes { raw in
                        Result { () throws(NotAFeed) in try parser.push(UnsafeRawBufferPointer(rebasing: raw[0..<read])) }
                    }
                    try pushed.get()
                }
                _ = try parser.finish()
            } catch {
                result.errors += 1
                printError("aggregator: \(path): \(error)")
            }
            result.entries += count
        }
        return result
    }

    var jsonLine: String {
        #"{"files": \#(files), "bytes": \#(bytes), "entries": \#(entries), "errors": \#(errors), "seconds": \#(String(format: "%.4f", seconds))}"#
    }
}
