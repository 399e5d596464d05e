import Foundation
import GRDB

/// A reason the store cannot take writes that concerns the whole store, not one feed's
/// update: a full disk, a read-only file system, a folder that became unwritable, an I/O
/// error, damage. The daemon treats one as a state (polling paused until a probe write
/// succeeds) rather than as an error per feed; `fetch` stops at the first.
public struct StorageFault: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case full, readOnly = "read-only", notWritable = "not writable", ioError = "I/O error", damaged, missing
    }

    public var kind: Kind
    /// The store's folder.
    public var directory: String
    /// Bytes free to this process on the store's file system, when a full disk is the reason.
    public var freeBytes: Int64?
    /// What SQLite said.
    public var detail: String

    public init(kind: Kind, directory: String, freeBytes: Int64? = nil, detail: String = "") {
        self.kind = kind
        self.directory = directory
        self.freeBytes = freeBytes
        self.detail = detail
    }

    /// One line a person can act on: `store full: 0 bytes free on /var/lib/aggregator`.
    public var description: String {
        switch kind {
        case .full: return "store full: \(Self.bytes(freeBytes ?? 0)) free on \(directory)"
        case .readOnly: return "store read-only: the file system holding \(directory) is mounted read-only"
        case .notWritable: return "store not writable: permission denied on \(directory)"
        case .ioError: return "store I/O error on \(directory): \(detail)"
        case .damaged: return "store damaged: \(directory)/\(Store.fileName) (`aggregator check` says what is wrong)"
        case .missing: return "store missing: \(directory) no longer holds it"
        }
    }

    public static func bytes(_ count: Int64) -> String {
        switch count {
        case ..<1024: return "\(count) bytes"
        case ..<(1024 * 1024): return "\(count / 1024) KiB"
        default: return String(format: "%.1f MiB", Double(count) / 1_048_576)
        }
    }

    /// The storage fault behind `error`, if it is one (a constraint, a value SQLite
    /// refuses and the like concern one update and are not). `volume` tells a full disk, a
    /// read-only mount and a permission apart, which SQLite's codes alone do not.
    public static func of(_ error: any Error, directory: String,
                          volume: (String) -> Volume = Volume.of(directory:)) -> StorageFault? {
        guard let error = error as? DatabaseError else { return nil }
        let detail = "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "\(error.resultCode)")"
        func fault(_ kind: Kind) -> StorageFault { StorageFault(kind: kind, directory: directory, detail: detail) }
        func fromVolume(otherwise kind: Kind) -> StorageFault {
            let state = volume(directory)
            if !state.exists { return fault(.missing) }
            if state.readOnly { return fault(.readOnly) }
            if !state.writable { return fault(.notWritable) }
            if state.freeBytes == 0 { return StorageFault(kind: .full, directory: directory, freeBytes: 0, detail: detail) }
            return fault(kind)
        }
        switch error.resultCode {
        case .SQLITE_FULL:
            var full = fault(.full)
            full.freeBytes = volume(directory).freeBytes
            return full
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return fromVolume(otherwise: .notWritable)
        case .SQLITE_IOERR:
            return fromVolume(otherwise: .ioError)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return fault(.damaged)
        default:
            return nil
        }
    }
}

/// What the file system holding the store says about it.
public struct Volume: Sendable, Equatable {
    public var exists: Bool
    public var readOnly: Bool
    /// Whether this process may create files in the folder.
    public var writable: Bool
    public var freeBytes: Int64
    public var totalBytes: Int64

    public init(exists: Bool = true, readOnly: Bool = false, writable: Bool = true, freeBytes: Int64, totalBytes: Int64) {
        self.exists = exists
        self.readOnly = readOnly
        self.writable = writable
        self.freeBytes = freeBytes
        self.totalBytes = totalBytes
    }

    public static func of(directory: String) -> Volume {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else {
            return Volume(exists: false, readOnly: false, writable: false, freeBytes: 0, totalBytes: 0)
        }
        let unit = Int64(info.f_frsize)
        return Volume(readOnly: info.f_flag & UInt(ST_RDONLY) != 0, writable: access(directory, W_OK) == 0,
                      freeBytes: Int64(info.f_bavail) * unit, totalBytes: Int64(info.f_blocks) * unit)
    }

    /// Free space worth resuming writes for: a twentieth of the file system, at least
    /// 1 MiB and at most 16 MiB. With less, the next poll would fill it again at once,
    /// and "full"/"writable again" would alternate in the log.
    public var roomToResume: Int64 { min(max(totalBytes / 20, 1 << 20), 16 << 20) }

    /// The reason writing to this volume cannot work now, if there is one (`feeds` and the
    /// daemon's probe ask; a write itself tells the rest). `forWriter`: whether this
    /// process is the one that writes (a reader's own access says nothing of the writer's).
    public func fault(directory: String, forWriter: Bool = true) -> StorageFault? {
        if !exists { return StorageFault(kind: .missing, directory: directory) }
        if readOnly { return StorageFault(kind: .readOnly, directory: directory) }
        if forWriter && !writable { return StorageFault(kind: .notWritable, directory: directory) }
        if freeBytes < roomToResume { return StorageFault(kind: .full, directory: directory, freeBytes: freeBytes) }
        return nil
    }
}
