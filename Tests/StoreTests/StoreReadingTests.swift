import FeedParser
import Foundation
import GRDB
import Testing
@testable import Store

/// What a reader that may not create files needs (see `PersistentWAL`), and the reasons a
/// read-only open fails, told apart. Reading as a group member in a 0750 folder is
/// tested end to end (GroupReadingTests), where the accounts differ.
@Suite struct StoreReadingTests {
    func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("reading-\(UUID().uuidString)").path
    }

    /// Without the `-wal` and `-shm` files, a reader that cannot create them reads nothing
    /// (SQLITE_READONLY_DIRECTORY, SQLITE_CANTOPEN): they must survive the last writer.
    @Test func theWALFilesOutliveTheWriter() async throws {
        let directory = folder()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        weak var closed: Store?
        do {
            let store = try Store(directory: directory, writable: true)
            try await store.apply(fetched([entry("a", title: "A")]), toFeed: feedURL)
            try await store.indexPending()
            store.finishWriting()
            closed = store
        }
        #expect(closed == nil, "the store is still open")
        for name in [Store.fileName, SearchIndexFile.fileName] {
            for companion in PersistentWAL.companions(of: directory + "/" + name) {
                #expect(FileManager.default.fileExists(atPath: companion), "\(companion) was deleted")
            }
            // Emptied by the stop's checkpoint: everything is in the database file.
            let wal = try FileManager.default.attributesOfItem(atPath: directory + "/" + name + "-wal")
            #expect(wal[.size] as? Int == 0)
        }
        let reader = try Store(directory: directory, writable: false)
        #expect(try reader.articles(ArticleQuery()).map(\.title) == ["A"])
        #expect(try reader.search("A", limit: 5, highlight: { $0 }).count == 1)
    }

    @Test func aMissingStoreIsToldFromOtherFailures() throws {
        let directory = folder()
        do {
            _ = try Store(directory: directory, writable: false)
            Issue.record("opened a store that does not exist")
        } catch {
            #expect(error.kind == .missing)
            #expect(error.path == directory)
        }
        do {
            _ = try Store(directory: "/dev/null", writable: false)
            Issue.record("opened a store inside a file")
        } catch {
            #expect(error.kind == .missing)  // ENOTDIR: there is no store there either
        }
    }

    /// A lock race or a recovery under way in another process is waited out; other
    /// errors are not retried.
    @Test func transientErrorsAreTriedAgain() throws {
        var attempts = 0
        let value = try TransientErrors.retrying(for: 2) { () throws -> Int in
            attempts += 1
            if attempts < 3 { throw DatabaseError(resultCode: .SQLITE_PROTOCOL) }
            return 42
        }
        #expect(value == 42 && attempts == 3)
        for code in [ResultCode.SQLITE_BUSY_RECOVERY, .SQLITE_READONLY_RECOVERY, .SQLITE_READONLY_CANTINIT] {
            #expect(TransientErrors.isTransient(DatabaseError(resultCode: code)), "\(code)")
        }
        attempts = 0
        #expect(throws: DatabaseError.self) {
            try TransientErrors.retrying(for: 2) { () throws -> Int in
                attempts += 1
                throw DatabaseError(resultCode: .SQLITE_CORRUPT)
            }
        }
        #expect(attempts == 1)
    }
}
