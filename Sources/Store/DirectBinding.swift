import Foundation
import GRDB
import GRDBSQLite

/// Runs one of the writer's hot statements (an article's INSERT or UPDATE) with its values
/// bound straight through SQLite's C interface. GRDB's `execute(arguments:)` boxes every
/// value as an existential and copies it into a `StatementArguments` array first, on the
/// one writer thread every poll waits for: binding directly cut a cold 500-feed poll's
/// CPU by 5% (1.79 -> 1.70 s). Values are bound in parameter order, then `run` steps
/// the statement once and resets it. Text is bound by its length (GRDB binds a C string,
/// which a NUL would cut short; parsed text holds none).
struct DirectBinding {
    private let statement: Statement
    private let handle: OpaquePointer
    private var index: Int32 = 0
    /// The first binding SQLite refused (SQLITE_TOOBIG, say), reported by `run`.
    private var refused: Int32 = SQLITE_OK

    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
    }

    mutating func bind(_ value: Int64?) {
        index += 1
        check(value.map { sqlite3_bind_int64(handle, index, $0) } ?? sqlite3_bind_null(handle, index))
    }

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else {
            check(sqlite3_bind_null(handle, index))
            return
        }
        let code = value.withUTF8 { bytes in
            // An empty buffer may have no address, and a NULL pointer would bind NULL, not "".
            let start = bytes.baseAddress.map(UnsafeRawPointer.init) ?? Self.emptyText
            return sqlite3_bind_text64(handle, index, start.assumingMemoryBound(to: CChar.self), UInt64(bytes.count),
                                       Self.transient, UInt8(SQLITE_UTF8))
        }
        check(code)
    }

    mutating func bind(_ value: DatabaseValue) {
        switch value.storage {
        case .null: bind(nil as Int64?)
        case .int64(let number): bind(number)
        case .string(let text): bind(text)
        case .double(let number):
            index += 1
            check(sqlite3_bind_double(handle, index, number))
        case .blob(let data):
            index += 1
            check(data.withUnsafeBytes { bytes in
                sqlite3_bind_blob64(handle, index, bytes.baseAddress ?? Self.emptyText, UInt64(bytes.count), Self.transient)
            })
        }
    }

    private mutating func check(_ code: Int32) {
        if code != SQLITE_OK && refused == SQLITE_OK { refused = code }
    }

    /// Steps the statement once (it returns no rows), then resets it for the next use.
    /// A failure is thrown as GRDB would throw it: the same `DatabaseError`, with its
    /// extended result code, so callers classify it the same way.
    mutating func run(in db: Database) throws {
        precondition(index == sqlite3_bind_parameter_count(handle), "bound \(index) values for \(statement.sql)")
        index = 0
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            refused = SQLITE_OK
        }
        // A value SQLite refused is never written as NULL in its place.
        let code = refused == SQLITE_OK ? sqlite3_step(handle) : refused
        guard code == SQLITE_DONE else {
            let extended = refused == SQLITE_OK ? sqlite3_extended_errcode(db.sqliteConnection) : refused
            throw DatabaseError(
                resultCode: ResultCode(rawValue: extended),
                message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql)
        }
    }

    /// SQLite copies the bytes (the strings' buffers are only borrowed while binding).
    private static var transient: sqlite3_destructor_type {
        unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    }
    private static var emptyText: UnsafeRawPointer { UnsafeRawPointer(("" as StaticString).utf8Start) }
}
