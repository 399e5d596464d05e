import Foundation
import GRDB

/// Errors a reader meets only while another process changes the WAL's shared state —
/// the daemon starting, recovering a WAL after a crash, or stopping — and that a moment
/// later are gone. A reader that may not write the `-shm` (a member of the store's group)
/// cannot take part in that recovery, so SQLite hands it these instead of waiting:
/// SQLITE_PROTOCOL (a lock race lost a hundred times), SQLITE_BUSY_RECOVERY,
/// SQLITE_READONLY_RECOVERY and SQLITE_READONLY_CANTINIT. Seen once in CI under load,
/// reading right after a clean stop: SQLITE_PROTOCOL from ATTACH.
enum TransientErrors {
    static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return [ResultCode.SQLITE_PROTOCOL, .SQLITE_BUSY, .SQLITE_BUSY_RECOVERY, .SQLITE_BUSY_SNAPSHOT,
                .SQLITE_READONLY_RECOVERY, .SQLITE_READONLY_CANTINIT].contains(error.extendedResultCode)
    }

    /// Runs `body`, again after a pause while it fails with a transient error, for about
    /// `seconds` at most; then the last error stands.
    static func retrying<T>(for seconds: Double = 5, _ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        var pause = 0.02
        while true {
            do {
                return try body()
            } catch where isTransient(error) && Date() < deadline {
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 0.25)
            }
        }
    }
}

extension Store {
    /// A read on the store's reading connections, tried again through transient errors.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try TransientErrors.retrying { try reader.read(body) }
    }
}
