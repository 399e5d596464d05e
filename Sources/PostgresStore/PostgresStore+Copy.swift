import Foundation
import NIOCore
import PostgresNIO
import Store

/// `aggregator store copy --from DIR --to postgresql://…`: every row of the SQLite store,
/// ids kept, through COPY. Resumable: articles, feeds and deliveries go in batches keyed
/// by id, each batch committed, and a copy started again goes on after the highest id
/// already there; the small tables (tombstones, host pauses, skipped keys) are replaced
/// whole in one transaction each.
extension PostgresStore {
    public struct CopyProgress: Sendable {
        public var table: String
        public var done: Int
        public var total: Int
    }

    public struct CopySummary: Sendable, Equatable {
        /// Rows copied by this run, per table (a resumed run counts only what it added).
        public var copied: [String: Int] = [:]
        /// Rows found already there (a resumed copy).
        public var alreadyThere: [String: Int] = [:]
    }

    public func copy(from source: Store, batch: Int = 2000,
                     progress: @Sendable (CopyProgress) -> Void = { _ in }) async throws -> CopySummary {
        var summary = CopySummary()
        for table in Store.copiedTables {
            try await Self.copyTable(table, total: try source.rowCount(table: table), into: &summary, progress: progress,
                lastKey: { key in Int64(try await self.scalarInt("SELECT coalesce(max(\(key)), 0) FROM \(table)") ?? 0) },
                countThere: { try await self.scalarInt("SELECT count(*) FROM \(table)") ?? 0 },
                read: { after in try source.copyBatch(table: table, after: after, limit: batch) },
                write: { rows in if !rows.rows.isEmpty { try await self.copyRows(table: table, rows) } },
                replace: { rows in
                    try await self.transaction {
                        try await self.run("DELETE FROM \(table)")
                        if !rows.rows.isEmpty { try await self.copyRows(table: table, rows) }
                    }
                })
        }
        // Ids made here from now on start past the copied ones.
        for (table, column) in PostgresSchema.identities {
            try await run("""
                SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'),
                              greatest(coalesce((SELECT max(\(column)) FROM \(table)), 0), 1),
                              (SELECT count(*) > 0 FROM \(table)))
                """)
        }
        try await run("ANALYZE")
        return summary
    }

    /// The tables copied in batches by key (the others are copied whole).
    static let copyKeys = ["feed": "id", "article": "id", "outbox": "seq"]

    /// One table, either way: batches after the highest key already there (a copy started
    /// again goes on), or the whole table replaced in one go.
    static func copyTable(_ table: String, total: Int, into summary: inout CopySummary,
                          progress: @Sendable (CopyProgress) -> Void,
                          lastKey: (String) async throws -> Int64, countThere: () async throws -> Int,
                          read: (Int64) async throws -> CopyBatch, write: (CopyBatch) async throws -> Void,
                          replace: (CopyBatch) async throws -> Void) async throws {
        guard let key = copyKeys[table] else {
            let rows = try await read(0)
            try await replace(rows)
            summary.copied[table] = rows.rows.count
            progress(CopyProgress(table: table, done: rows.rows.count, total: total))
            return
        }
        var after = try await lastKey(key)
        var done = try await countThere()
        summary.alreadyThere[table] = done
        progress(CopyProgress(table: table, done: done, total: total))
        while true {
            let rows = try await read(after)
            try await write(rows)
            done += rows.rows.count
            summary.copied[table, default: 0] += rows.rows.count
            progress(CopyProgress(table: table, done: done, total: total))
            guard let next = rows.next else { return }
            after = next
        }
    }

    /// One COPY in PostgreSQL's text format: tab-separated, `\N` for null, backslash escapes.
    func copyRows(table: String, _ batch: CopyBatch) async throws {
        var text = ""
        text.reserveCapacity(batch.rows.count * 512)
        for row in batch.rows {
            for (index, value) in row.enumerated() {
                if index > 0 { text.append("\t") }
                switch value {
                case .null: text.append("\\N")
                case .integer(let number): text.append(String(number))
                case .real(let number): text.append(String(number))
                case .text(let string): Self.appendEscaped(string, to: &text)
                }
            }
            text.append("\n")
        }
        let payload = text
        try await connection.copyFrom(table: table, columns: batch.columns.map { $0.lowercased() }, logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.writeString(payload)
            try await writer.write(buffer)
        }
    }

    static func appendEscaped(_ string: String, to out: inout String) {
        var plain = true
        for unit in string.utf8 where unit == 0x5C || unit == 0x09 || unit == 0x0A || unit == 0x0D || unit == 0 {
            plain = false
            break
        }
        if plain { out.append(string); return }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": out.append("\\\\")
            case "\t": out.append("\\t")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\0": continue  // PostgreSQL text cannot hold NUL
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}

/// `aggregator store copy --from postgresql://… --to DIR`: the same rows back into a
/// SQLite store, ids kept, resumable the same way.
extension PostgresStore {
    public func copy(into target: Store, batch: Int = 2000,
                     progress: @Sendable (CopyProgress) -> Void = { _ in }) async throws -> CopySummary {
        var summary = CopySummary()
        for table in Store.copiedTables {
            let columns = try target.columns(of: table)
            let key = Self.copyKeys[table]
            try await Self.copyTable(table, total: try await rowCount(table: table), into: &summary, progress: progress,
                lastKey: { _ in try target.lastKey(of: table) },
                countThere: { try target.rowCount(table: table) },
                read: { after in try await self.rows(of: table, columns: columns, key: key, after: after, limit: key == nil ? 0 : batch) },
                write: { rows in try await target.importBatch(table: table, rows) },
                replace: { rows in try await target.importBatch(table: table, rows, replacing: true) })
        }
        return summary
    }

    /// Rows of `table` in the SQLite store's column names (PostgreSQL folded them to lower
    /// case), every value as text or a whole number, as the two schemas agree.
    func rows(of table: String, columns: [String], key: String?, after: Int64, limit: Int) async throws -> CopyBatch {
        var sql = "SELECT \(columns.map { $0.lowercased() }.joined(separator: ", ")) FROM \(table)"
        if let key { sql += " WHERE \(key) > \(after) ORDER BY \(key) LIMIT \(limit)" }
        var values: [[CopyValue]] = []
        var last: Int64 = after
        let keyIndex = key.flatMap { columns.map { $0.lowercased() }.firstIndex(of: $0) }
        let result = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await row in result {
            var out: [CopyValue] = []
            out.reserveCapacity(columns.count)
            for cell in row {
                switch cell.dataType {
                case .int8, .int4, .int2:
                    out.append(try cell.decode(Int64?.self).map(CopyValue.integer) ?? .null)
                case .float8, .float4:
                    out.append(try cell.decode(Double?.self).map(CopyValue.real) ?? .null)
                default:
                    out.append(try cell.decode(String?.self).map(CopyValue.text) ?? .null)
                }
            }
            if let keyIndex, case .integer(let number) = out[keyIndex] { last = number }
            values.append(out)
        }
        let next: Int64? = key != nil && values.count == limit ? last : nil
        return CopyBatch(columns: columns, rows: values, next: next)
    }
}
