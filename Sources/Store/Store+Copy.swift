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

    public init(columns: [String], rows: [[CopyValue]], next: Int64?) {
        self.columns = columns
        self.rows = rows
        self.next = next
    }
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

extension Store {
    /// This store's columns of `table`, in order: what a copy into it asks the other side for.
    public func columns(of table: String) throws -> [String] {
        precondition(Self.copiedTables.contains(table))
        return try read { db in try db.columns(in: table).map(\.name) }
    }

    /// The highest key `table` holds (0 when empty): where a copy into it goes on from.
    public func lastKey(of table: String) throws -> Int64 {
        let key = table == "outbox" ? "seq" : "id"
        return try read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(\(key)), 0) FROM \(table)") ?? 0 }
    }

    /// Writes rows copied from another store, ids kept, in one transaction: bodies are
    /// compressed as this store keeps them and every article is queued for the search
    /// index. `replacing` empties the table first (the small tables, copied whole).
    public func importBatch(table: String, _ batch: CopyBatch, replacing: Bool = false) async throws {
        precondition(Self.copiedTables.contains(table))
        guard let writer else { throw OpenError(path: path, reason: "opened read-only") }
        try await writer.write { db in
            if replacing { try db.execute(sql: "DELETE FROM \(table)") }
            guard !batch.rows.isEmpty else { return }
            let marks = Array(repeating: "?", count: batch.columns.count).joined(separator: ", ")
            let insert = try db.makeStatement(sql: "INSERT INTO \(table) (\(batch.columns.joined(separator: ", "))) VALUES (\(marks))")
            let queue = try db.makeStatement(sql: "INSERT INTO search_queue (op, articleId) VALUES ('add', ?)")
            let contentColumn = table == "article" ? batch.columns.firstIndex(of: "content") : nil
            let idColumn = batch.columns.firstIndex(of: "id")
            for row in batch.rows {
                var values: [DatabaseValue] = []
                values.reserveCapacity(row.count)
                for (index, value) in row.enumerated() {
                    switch value {
                    case .null: values.append(.null)
                    case .integer(let number): values.append(number.databaseValue)
                    case .real(let number): values.append(number.databaseValue)
                    case .text(let text):
                        values.append(index == contentColumn ? BodyCompression.stored(text) : text.databaseValue)
                    }
                }
                try insert.execute(arguments: StatementArguments(values))
                if table == "article", let idColumn, case .integer(let id) = row[idColumn] {
                    try queue.execute(arguments: [id])
                }
            }
        }
    }
}
