import Foundation
import GRDB
import GRDBSQLite

/// Runs one of the writer's hot statements (an article's INSERT or UPDATE) with its values
/// bound straight through SQLite's C interface. GRDB's `execute(arguments:)` boxes every
/// value as an existential and copies it into a `StatementArguments` array first: on a
/// cold 500-feed poll that wrapping cost 5% of the CPU, on the one writer thread every
/// poll waits for. Values are bound in parameter order, then `run` steps the statement
/// once and resets it. Text is bound by its length (GRDB binds a C string, which a NUL
/// would cut short; parsed text holds none).
struct DirectBinding {
    private let statement: Statement
    private let handle: OpaquePointer
    private var index: Int32 = 0

    init(_ statement: Statement) {
        self.statement = statement
        handle = statement.sqliteStatement
    }

    mutating func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            // An empty buffer may have no address, and a NULL pointer would bind NULL, not "".
            let start = bytes.baseAddress.map(UnsafeRawPointer.init) ?? Self.emptyText
            sqlite3_bind_text(handle, index, start.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
        }
    }

    mutating func bind(_ value: DatabaseValue) {
        switch value.storage {
        case .null: bind(nil as Int64?)
        case .int64(let number): bind(number)
        case .string(let text): bind(text)
        case .double(let number):
            index += 1
            sqlite3_bind_double(handle, index, number)
        case .blob(let data):
            index += 1
            data.withUnsafeBytes { bytes in
                let start = bytes.baseAddress ?? Self.emptyText
                sqlite3_bind_blob(handle, index, start, Int32(bytes.count), Self.transient)
            }
        }
    }

    /// Steps the statement once (it returns no rows), then resets it for the next use.
    /// A failure is thrown as GRDB would throw it: the same `DatabaseError`, with its
    /// extended result code, so callers classify it the same way.
    mutating func run(in db: Database) throws {
        precondition(index == sqlite3_bind_parameter_count(handle), "bound \(index) values for \(statement.sql)")
        index = 0
        let code = sqlite3_step(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        guard code == SQLITE_DONE else {
            let extended = sqlite3_extended_errcode(db.sqliteConnection)
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
