import Foundation
import GRDB
import Testing
@testable import Store

/// Which failures are the whole store's, and which of them: SQLite's codes, with what the
/// file system says where the codes alone cannot tell.
@Suite struct StorageFaultTests {
    static let roomy = Volume(freeBytes: 10 << 30, totalBytes: 100 << 30)

    @Test(arguments: [
        (ResultCode.SQLITE_FULL, roomy, StorageFault.Kind?.some(.full)),
        (.SQLITE_IOERR_WRITE, Volume(freeBytes: 0, totalBytes: 1 << 20), .full),
        (.SQLITE_IOERR_WRITE, roomy, .ioError),
        (.SQLITE_IOERR_FSYNC, Volume(readOnly: true, freeBytes: 5, totalBytes: 9), .readOnly),
        (.SQLITE_READONLY, Volume(readOnly: true, freeBytes: 5, totalBytes: 9), .readOnly),
        (.SQLITE_READONLY_DBMOVED, Volume(writable: false, freeBytes: 5, totalBytes: 9), .notWritable),
        (.SQLITE_CANTOPEN, Volume(exists: false, writable: false, freeBytes: 0, totalBytes: 0), .missing),
        (.SQLITE_CORRUPT, roomy, .damaged),
        (.SQLITE_NOTADB, roomy, .damaged),
        (.SQLITE_CONSTRAINT_UNIQUE, roomy, nil),
        (.SQLITE_TOOBIG, roomy, nil),
    ])
    func classifies(code: ResultCode, volume: Volume, kind: StorageFault.Kind?) {
        let fault = StorageFault.of(DatabaseError(resultCode: code), directory: "/d", volume: { _ in volume })
        #expect(fault?.kind == kind)
    }

    @Test func saysItInOneLine() {
        #expect(StorageFault(kind: .full, directory: "/var/lib/aggregator", freeBytes: 0).description
            == "store full: 0 bytes free on /var/lib/aggregator")
        #expect(StorageFault(kind: .full, directory: "/d", freeBytes: 3 << 20).description == "store full: 3.0 MiB free on /d")
        #expect(StorageFault(kind: .notWritable, directory: "/d").description == "store not writable: permission denied on /d")
    }

    @Test func resumingWantsRealRoom() {
        #expect(Volume(freeBytes: 0, totalBytes: 12 << 20).roomToResume == 1 << 20)
        #expect(Volume(freeBytes: 0, totalBytes: 100 << 30).roomToResume == 16 << 20)
        #expect(Volume(freeBytes: 512 << 10, totalBytes: 12 << 20).fault(directory: "/d")?.kind == .full)
        #expect(Volume(freeBytes: 2 << 20, totalBytes: 12 << 20).fault(directory: "/d") == nil)
        #expect(Volume(writable: false, freeBytes: 2 << 20, totalBytes: 12 << 20).fault(directory: "/d", forWriter: false) == nil)
    }

    /// SQLITE_FULL from SQLite itself, through the writer: a fault of the whole store, the
    /// probe says no while there is no room, and writing works again once there is.
    @Test func aFullStoreFailsWholeAndRecovers() async throws {
        let temp = try TemporaryStore()
        let store = temp.store
        try await store.limitPages(try await store.pageCount() + 2)
        let many = (0..<200).map { entry("g\($0)", title: "T\($0)", content: (0..<60).map { _ in UUID().uuidString }.joined(separator: " ")) }
        do {
            try await store.apply(fetched(many), toFeed: feedURL)
            Issue.record("stored past the limit")
        } catch {
            #expect(StorageFault.of(error, directory: store.directory)?.kind == .full)
        }
        #expect(await store.probeWrites()?.kind == .full)
        try await store.limitPages(nil)
        #expect(await store.probeWrites() == nil)
        try await store.apply(fetched(many), toFeed: feedURL)
        #expect(try store.articleCount() == 200)
    }
}
