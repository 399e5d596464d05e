import Foundation

/// One daemon per store: an exclusive `flock` on `aggregatord.lock` in the data
/// directory, held for the process's life. The kernel drops it when the process dies,
/// however it dies, so a crash never leaves a stale lock behind.
public final class DaemonLock: Sendable {  // `fd` is immutable; the lock lives as long as the object
    public struct Held: Error, CustomStringConvertible {
        public let description: String
        /// Set when the lock file could not even be opened (the folder cannot be written,
        /// say), rather than held by another daemon.
        public var openErrno: Int32?
    }

    public static let fileName = "aggregatord.lock"
    private let fd: Int32

    /// Takes the lock or throws at once (never waits) naming the process that holds it.
    public init(directory: String) throws(Held) {
        let path = directory + "/" + Self.fileName
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            let code = errno
            throw Held(description: "\(path): cannot open the lock file (\(String(cString: strerror(code))))", openErrno: code)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(fd)
            let who = holder.flatMap { $0.isEmpty ? nil : "pid \($0)" } ?? "another process"
            throw Held(description: "another aggregatord (\(who)) is already using \(directory); "
                + "only one daemon may write a store")
        }
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit { close(fd) }
}
