import Foundation
import GRDB

/// A store's rows as they are, table by table, for `aggregator store copy` to another
/// backend: every column by name, bodies decompressed (the other side keeps its own
/// compression). Search indexes are not copied: each backend builds its own.
public enum CopyValue: Sendable, Equatable {
    case null, integer(Int64), real(Double), text(String)
}

public struct CopyBatch: Sendable {
    public var columns: [String]
    public var rows: [[CopyValue]]
    /// Where the next batch starts (the last row's key); nil when this was the last.
    public var next: Int64?
}

extension Store {
    /// The tables a copy carries, parents first. `article`'s are paged by id; the others
    /// are small enough for one batch.
    public static let copiedTables = ["feed", "article", "tombstone", "host_pause", "skipped", "outbox"]

    /// Rows of `table` whose rowid is above `after`, at most `limit` (paged tables), in
    /// rowid order; every row of the others.
    public func copyBatch(table: String, after: Int64 = 0, limit: Int = 2000) throws -> CopyBatch {
        precondition(Self.copiedTables.contains(table))
        let paged = table == "article" || table == "feed" || table == "outbox"
        let key = table == "outbox" ? "seq" : "id"
        return try read { db in
            let columns = try db.columns(in: table).map(\.name)
            let sql = paged
                ? "SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE \(key) > ? ORDER BY \(key) LIMIT ?"
                : "SELECT \(columns.joined(separator: ", ")) FROM \(table)"
            let rows = try Row.fetchAll(db, sql: sql, arguments: paged ? [after, limit] : [])
            let values = rows.map { row in
                columns.indices.map { index -> CopyValue in
                    let value: DatabaseValue = row[index]
                    if table == "article" && columns[index] == "content" {
                        return BodyCompression.text(value).map(CopyValue.text) ?? .null
                    }
                    switch value.storage {
                    case .null: return .null
                    case .int64(let number): return .integer(number)
                    case .double(let number): return .real(number)
                    case .string(let text): return .text(text)
                    case .blob(let data): return .text(String(decoding: data, as: UTF8.self))
                    }
                }
            }
            let last: Int64? = paged && rows.count == limit ? rows.last?[key] : nil
            return CopyBatch(columns: columns, rows: values, next: last)
        }
    }

    /// How many rows `table` holds, for a copy's progress line and its check.
    public func rowCount(table: String) throws -> Int {
        precondition(Self.copiedTables.contains(table))
        return try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }
}
