import Foundation

/// Changes to a hand-edited feeds.conf that keep every other byte as the person wrote it
/// (comments, blank lines, spacing, a missing last newline), written so that the daemon's
/// watcher never reads half a file and the file keeps its owner, group and mode.
public enum ConfigFileEditing {
    /// `text` with `lines` appended (after `comment`, when given), on lines of their own.
    public static func appending(_ lines: [String], comment: String? = nil, to text: String) -> String {
        var out = text
        if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" }
        if let comment { out += "# " + comment + "\n" }
        return out + lines.map { $0 + "\n" }.joined()
    }

    /// `text` with line `number` (1-based) turned into a comment, or deleted.
    public static func removing(line number: Int, from text: String, delete: Bool, note: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard number >= 1 && number <= lines.count else { return text }
        if delete {
            lines.remove(at: number - 1)
        } else {
            lines[number - 1] = "# " + lines[number - 1] + "  # " + note
        }
        return lines.joined(separator: "\n")
    }

    public enum WriteError: Error, Equatable, CustomStringConvertible {
        /// This account may not change the file (or create it in its folder).
        case permissionDenied(path: String, owner: String?)
        case failed(path: String, reason: String)

        public var description: String {
            switch self {
            case .permissionDenied(let path, let owner):
                return "\(path): permission denied" + (owner.map { " (it belongs to \($0))" } ?? "")
            case .failed(let path, let reason): return "\(path): \(reason)"
            }
        }
    }

    /// Whether this account can change the file at `path` (or create it).
    public static func checkWritable(_ path: String) -> WriteError? {
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        if access(path, F_OK) == 0 {
            if access(path, W_OK) == 0 { return nil }
            return .permissionDenied(path: path, owner: owner(of: path))
        }
        if access(folder, F_OK) != 0 {
            // A personal feeds.conf whose folder is not there yet: created on write.
            return nil
        }
        return access(folder, W_OK) == 0 ? nil : .permissionDenied(path: path, owner: owner(of: folder))
    }

    /// Writes `text` to `path` whole: into a new file beside it (given the old one's owner,
    /// group and mode), synced, then renamed over it. Where the folder may not be written
    /// but the file may, the file is rewritten in place.
    public static func write(_ text: String, to path: String) throws(WriteError) {
        if let problem = checkWritable(path) { throw problem }
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        if access(folder, F_OK) != 0 {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw .failed(path: path, reason: "cannot create its folder: \(error.localizedDescription)")
            }
        }
        var info = stat()
        let existed = stat(path, &info) == 0
        let bytes = Array(text.utf8)
        guard access(folder, W_OK) == 0 else {
            try writeInPlace(bytes, to: path)
            return
        }
        let temporary = folder + "/." + (path as NSString).lastPathComponent + ".\(getpid()).new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, existed ? info.st_mode & 0o7777 : 0o644)
        guard fd >= 0 else { throw .failed(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        if existed {
            // Root editing /etc/aggregator/feeds.conf must not leave it root:root 0644.
            _ = fchown(fd, info.st_uid, info.st_gid)
            _ = fchmod(fd, info.st_mode & 0o7777)
        }
        if !writeAll(bytes, to: fd) || fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .failed(path: path, reason: failure)
        }
    }

    private static func writeInPlace(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw .failed(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard writeAll(bytes, to: fd), fsync(fd) == 0 else { throw .failed(path: path, reason: String(cString: strerror(errno))) }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    static func owner(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, let entry = getpwuid(info.st_uid) else { return nil }
        return String(cString: entry.pointee.pw_name)
    }
}
