import Foundation
import GRDB

/// SQLite's own checks of the store and its search index, for `aggregator check` (in
/// full) and for opening the store to write (the quick one: a damaged store is refused
/// before anything is written to it, a damaged index rebuilt).
public enum StoreCheck {
    /// What one file's check found.
    public struct Finding: Sendable, Equatable {
        public enum Verdict: Sendable, Equatable {
            case ok
            /// SQLite's integrity check (or foreign key check) found these problems.
            case damaged([String])
            /// The file is not a database at all, or cannot be read as one.
            case unreadable(String)
            case missing
        }

        public var file: String
        public var verdict: Verdict
    }

    static func isDamage(_ error: DatabaseError) -> Bool {
        [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode)
    }

    /// `PRAGMA quick_check` on the writer: nil when it says ok, else its first problem.
    static func quickCheck(_ writer: any DatabaseWriter) throws -> String? {
        do {
            return try writer.writeWithoutTransaction { db in
                let rows = try String.fetchAll(db, sql: "PRAGMA quick_check(10)")
                return rows == ["ok"] ? nil : rows.first ?? "quick_check returned nothing"
            }
        } catch let error as DatabaseError where isDamage(error) {
            return error.message ?? "\(error.resultCode)"
        }
    }

    /// The same on the database file at `path`, through a connection of its own.
    static func quickCheck(path: String) throws -> String? {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in try PersistentWAL.keep(on: db) }
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try quickCheck(queue)
        } catch let error as DatabaseError where isDamage(error) {
            return error.message ?? "\(error.resultCode)"
        }
    }

    /// SQLite's quick check of the store in `directory` (nil: none there, or no damage
    /// found; else the first problem). Reads every page: on 1M bench articles (570 MB),
    /// 0.7 s from the page cache, 12 s from a cold disk — the daemon runs it as it starts,
    /// `fetch` (from cron) does not.
    public static func damage(in directory: String) throws -> String? {
        let path = directory + "/" + Store.fileName
        guard access(path, F_OK) == 0 else { return nil }
        return try quickCheck(path: path)
    }

    /// The full checks of the store (`integrity_check`, `foreign_key_check`) and of the
    /// index file (`integrity_check`), read-only: a member of the store's group may run them.
    public static func run(directory: String) -> [Finding] {
        [check(directory + "/" + Store.fileName, foreignKeys: true),
         check(directory + "/" + SearchIndexFile.fileName, foreignKeys: false)]
    }

    static func check(_ path: String, foreignKeys: Bool) -> Finding {
        guard access(path, F_OK) == 0 else { return Finding(file: path, verdict: .missing) }
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            let problems = try TransientErrors.retrying {
                try queue.read { db -> [String] in
                    var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check(100)").filter { $0 != "ok" }
                    if foreignKeys {
                        problems += try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row in
                            "row \(row["rowid"] ?? "?") of table \(row["table"] ?? "?") refers to a missing row of \(row["parent"] ?? "?")"
                        }
                    }
                    return problems
                }
            }
            return Finding(file: path, verdict: problems.isEmpty ? .ok : .damaged(problems))
        } catch let error as DatabaseError where isDamage(error) {
            return Finding(file: path, verdict: .unreadable(error.message ?? "\(error.resultCode)"))
        } catch {
            return Finding(file: path, verdict: .unreadable("\(error)"))
        }
    }
}
