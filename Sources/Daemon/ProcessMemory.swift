import CProcessShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's own memory, beyond what each part bounds: glibc's heap arenas, memory
/// freed inside the heap, and the pages of code the process ran once.
///
/// Measured at 2,000 feeds (docs/memory.md): 174 MB of heap for 29 MB in use — freed
/// memory kept in sixteen arenas — and 35 MB of file pages, most of them code that ran at
/// start-up (parsing the command line and feeds.conf, opening the store, TLS set-up).
public enum ProcessMemory {
    /// At most `count` malloc arenas from now on (two from the start: heap.c); arenas
    /// already made stay. `MALLOC_ARENA_MAX` in the environment wins.
    public static func limitArenas(_ count: Int) {
        aggregator_limit_heap_arenas(Int32(max(1, count)))
    }

    /// Gives memory freed inside the heap back to the system (a burst of polls leaves
    /// free holes glibc does not return on its own: only the top of each heap is trimmed).
    public static func releaseFreedHeap() {
        aggregator_release_freed_heap()
    }

    /// Drops this process's mappings of code and constant pages (the program's and its
    /// libraries'), once it is idle. The pages stay in the page cache, shared and clean:
    /// what runs next maps them back without reading the disk, and resident memory counts
    /// what the idle daemon uses, not everything it ran since it started.
    ///
    /// Only read-only private mappings of files, and in them only pages that are still the
    /// file's (`/proc/self/pagemap`): a page copied when it was written before being made
    /// read-only (relocated data, RELRO) stays, and no thread can write one meanwhile.
    public static func releaseCodePages() {
        guard let maps = readWhole("/proc/self/maps") else { return }
        let pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        guard pagemap >= 0 else { return }
        defer { close(pagemap) }
        let pageSize = UInt(sysconf(Int32(_SC_PAGESIZE)))
        for line in maps.split(separator: "\n") {
            // address perms offset device inode path
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "r-xp" || fields[1] == "r--p", fields[5].hasPrefix("/") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16) else { continue }
            releaseFilePages(from: start, to: end, pageSize: pageSize, pagemap: pagemap)
        }
    }

    /// A /proc file read to its end: it has no size to go by, and Foundation's reading
    /// stopped after the first few kilobytes (the program's own mappings, not its libraries').
    private static func readWhole(_ path: String) -> String? {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// madvise(DONTNEED) on each run of pages in start..<end that are present and the
    /// file's own (pagemap bit 63: present; bit 61: a file page, not a private copy).
    private static func releaseFilePages(from start: UInt, to end: UInt, pageSize: UInt, pagemap: Int32) {
        let pages = Int((end - start) / pageSize)
        var entries = [UInt64](repeating: 0, count: pages)
        let bytes = entries.withUnsafeMutableBytes { buffer in
            pread(pagemap, buffer.baseAddress, buffer.count, off_t(start / pageSize * 8))
        }
        guard bytes == pages * 8 else { return }
        var runStart: Int?
        for index in 0...pages {
            let droppable = index < pages && entries[index] >> 63 & 1 == 1 && entries[index] >> 61 & 1 == 1
            if droppable, runStart == nil { runStart = index }
            if !droppable, let first = runStart {
                _ = madvise(UnsafeMutableRawPointer(bitPattern: start + UInt(first) * pageSize),
                            (index - first) * Int(pageSize), MADV_DONTNEED)
                runStart = nil
            }
        }
    }
}
