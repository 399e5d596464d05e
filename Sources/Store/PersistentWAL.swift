import GRDB
import GRDBSQLite

/// Keeps a WAL database's `-wal` and `-shm` files in place when its last connection closes.
///
/// Why: people read the system store as members of its group, who may read its files but
/// not create any in its 0750 folder. SQLite reads a WAL database read-only only when the
/// `-wal` and `-shm` files already exist (it cannot create them there): without them it
/// fails with `SQLITE_READONLY_DIRECTORY` or `SQLITE_CANTOPEN`. By default the last
/// connection to close deletes both, so after every clean stop of the daemon the group
/// could read nothing until it started again. With `SQLITE_FCNTL_PERSIST_WAL` on every
/// connection that may write, they stay (the WAL emptied by the stop's checkpoint), with
/// the database file's own permissions (SQLite gives them its mode and owner). A reader
/// that may not write the `-shm` maps it read-only while the daemon runs, and reads the
/// WAL into its own memory while it does not (SQLite's "unreliable shm" mode).
enum PersistentWAL {
    /// Sets the flag on `db`'s main database; every writing connection needs it, because
    /// whichever closes last decides.
    static func keep(on db: Database) throws {
        var on: Int32 = 1
        let code = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &on)
        if code != SQLITE_OK {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "SQLITE_FCNTL_PERSIST_WAL refused")
        }
    }

    /// The files a read-only reader needs beside `path` (the database file).
    static func companions(of path: String) -> [String] { [path + "-wal", path + "-shm"] }
}
