import Foundation
import GRDB

extension Store {
    public struct BackupSummary: Sendable {
        public var path: String
        public var articles: Int
        public var bytes: Int64
    }

    public struct BackupError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Writes a consistent copy of the store into `directory` (`aggregator.sqlite` there),
    /// while writers go on: SQLite's `VACUUM INTO` copies one read snapshot, compacted.
    /// The copy is written beside its final name, checked, synced and renamed into place,
    /// so a crash or a full disk never leaves half a backup under that name. The search
    /// index is not copied: it is rebuilt from the copy when a writer first opens it.
    /// Works on a read-only store too: a member of the store's group can back it up.
    public func backup(to directory: String, replacing: Bool = false) throws -> BackupSummary {
        let target = directory + "/" + Self.fileName
        if (path as NSString).standardizingPath == (target as NSString).standardizingPath {
            throw BackupError(description: "\(directory) is the store itself")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if access(target, F_OK) == 0 && !replacing {
            throw BackupError(description: "\(directory) already holds a store; --replace replaces it")
        }
        let partial = directory + "/.\(Self.fileName).partial-\(getpid())"
        for file in [partial] + PersistentWAL.companions(of: partial) { try? FileManager.default.removeItem(atPath: file) }
        do {
            // VACUUM cannot run inside a transaction; it opens its own read snapshot.
            try TransientErrors.retrying {
                try reader.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [partial]) }
            }
            let articles = try Self.prepareBackup(at: partial)
            try Self.sync(partial)
            // What a replaced copy left beside it belongs to it, not to the new one.
            for file in PersistentWAL.companions(of: target) + [directory + "/" + SearchIndexFile.fileName]
                + PersistentWAL.companions(of: directory + "/" + SearchIndexFile.fileName) {
                try? FileManager.default.removeItem(atPath: file)
            }
            // The copy's WAL files (kept, emptied, for readers who may not create them)
            // move with it; the database file last, when all is in place.
            for (from, to) in zip(PersistentWAL.companions(of: partial), PersistentWAL.companions(of: target)) {
                _ = rename(from, to)
            }
            guard rename(partial, target) == 0 else {
                throw BackupError(description: "\(target): \(String(cString: strerror(errno)))")
            }
            try Self.sync(directory)
            let size = ((try? FileManager.default.attributesOfItem(atPath: target))?[.size] as? Int64) ?? 0
            return BackupSummary(path: target, articles: articles, bytes: size)
        } catch {
            for file in [partial] + PersistentWAL.companions(of: partial) { try? FileManager.default.removeItem(atPath: file) }
            if let error = error as? BackupError { throw error }
            if let fault = StorageFault.of(error, directory: directory) { throw BackupError(description: "\(fault)") }
            throw BackupError(description: "\(error)")
        }
    }

    /// The copy as a store: WAL mode (VACUUM INTO writes a rollback-journal file), its
    /// WAL files kept for readers, checked; returns its article count.
    private static func prepareBackup(at path: String) throws -> Int {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try PersistentWAL.keep(on: db) }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard check == ["ok"] else { throw BackupError(description: "the copy failed its check: \(check.first ?? "")") }
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM article") ?? 0
        }
    }

    private static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BackupError(description: "\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw BackupError(description: "\(path): \(String(cString: strerror(errno)))") }
    }
}
