import Foundation

/// Notices that `feeds.conf` changed, by itself, within a couple of seconds: inotify on
/// the file's directory (editors replace files rather than write them in place, so the
/// file itself cannot be watched), and a look at the file every `pollInterval` in case
/// inotify is unavailable or misses it (network filesystems). A change means different
/// bytes: `touch` or a save without edits reloads nothing.
public final class ConfigWatcher: @unchecked Sendable {  // `running` only under `lock`
    private let path: String
    private let pollInterval: TimeInterval
    private let onChange: @Sendable () -> Void
    private let lock = NSLock()
    private var running = true
    private let stopped = DispatchSemaphore(value: 0)

    public init(path: String, pollInterval: TimeInterval = 2, onChange: @escaping @Sendable () -> Void) {
        self.path = path
        self.pollInterval = pollInterval
        self.onChange = onChange
        let thread = Thread { [self] in watch() }
        thread.name = "aggregator-config-watch"
        thread.start()
    }

    /// Stops watching; returns once the watching thread has ended (within a second).
    public func stop() {
        let wasRunning = lock.withLock { () -> Bool in defer { running = false }; return running }
        if wasRunning { stopped.wait() }
    }

    private var isRunning: Bool { lock.withLock { running } }

    /// What stat(2) says of the file: the periodic look reads the file only when this
    /// changed (reading and keeping a 100,000-line file every two seconds was half the
    /// daemon's CPU time and 8 MB of its memory). nil while it does not exist.
    private struct FileStatus: Equatable {
        let device: UInt64, inode: UInt64, size: Int64, modified: Int, modifiedNanoseconds: Int, changed: Int
    }

    private func fileStatus() -> FileStatus? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileStatus(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                          modified: info.st_mtim.tv_sec, modifiedNanoseconds: info.st_mtim.tv_nsec,
                          changed: info.st_ctim.tv_sec)
    }

    /// The file's bytes, fingerprinted (a change means different bytes); nil while it does not exist.
    /// Every byte: `Data`'s own hash reads only its first 80 bytes and its length, so an
    /// edit that kept the size (`interval=30m` to `45m`) went unnoticed.
    private func contentSignature() -> Int? {
        guard let bytes = FileManager.default.contents(atPath: path) else { return nil }
        var hasher = Hasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }

    private func watch() {
        defer { stopped.signal() }
        var lastStatus = fileStatus()
        var last = contentSignature()
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent

        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        if fd >= 0 {
            let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_ATTRIB)
            if inotify_add_watch(fd, directory, mask) < 0 { close(fd) }
        }
        defer { if fd >= 0 { close(fd) } }

        var lastLook = Date()
        var buffer = [UInt8](repeating: 0, count: 8192)
        while isRunning {
            var touched = false
            if fd >= 0 {
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&entry, 1, 500) > 0 { touched = readEvents(fd: fd, buffer: &buffer, name: name) }
            } else {
                usleep(500_000)
            }
            if touched {
                // Editors write in several steps (write, rename, chmod): let them finish.
                usleep(100_000)
                _ = readEvents(fd: fd, buffer: &buffer, name: name)
            }
            guard touched || Date().timeIntervalSince(lastLook) >= pollInterval else { continue }
            lastLook = Date()
            let status = fileStatus()
            if !touched && status == lastStatus { continue }
            lastStatus = status
            let current = contentSignature()
            if current != last {
                last = current
                if current != nil { onChange() }  // a deleted file keeps the running configuration
            }
        }
    }

    /// Drains pending inotify events; true when one named the watched file.
    private func readEvents(fd: Int32, buffer: inout [UInt8], name: String) -> Bool {
        var sawFile = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return sawFile }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let length = buffer.withUnsafeBytes { Int($0.load(fromByteOffset: offset + 12, as: UInt32.self)) }
                if length > 0 {
                    let nameBytes = buffer[(offset + header)..<min(offset + header + length, count)].prefix { $0 != 0 }
                    if String(decoding: nameBytes, as: UTF8.self) == name { sawFile = true }
                }
                offset += header + length
            }
        }
    }
}
