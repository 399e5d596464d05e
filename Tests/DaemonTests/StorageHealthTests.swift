import Foundation
import Testing
@testable import Daemon
@testable import Store

/// The store's health as a state: one line when it breaks, probes with backoff, one line
/// when it mends.
@Suite struct StorageHealthTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let full = StorageFault(kind: .full, directory: "/var/lib/aggregator", freeBytes: 0)

    @Test func aFaultIsSaidOnceAndPausesPolling() {
        var health = StorageHealth()
        #expect(health.pollsAllowed && health.status == nil)
        #expect(health.writeFailed(full, at: t0) == "store full: 0 bytes free on /var/lib/aggregator; polling paused until writes succeed again")
        for second in 1...50 { #expect(health.writeFailed(full, at: t0.addingTimeInterval(Double(second))) == nil) }
        #expect(!health.pollsAllowed)
        #expect(health.status == "store full: 0 bytes free on /var/lib/aggregator; polling paused")
        #expect(health.nextProbe == t0.addingTimeInterval(1))
    }

    @Test func probesBackOffToAMinuteAndTheFaultFollowsWhatTheyFind() {
        var health = StorageHealth()
        _ = health.writeFailed(full, at: t0)
        var now = t0
        var delays: [TimeInterval] = []
        for _ in 0..<9 {
            now = health.nextProbe!
            health.probeFailed(full, at: now)
            delays.append(health.nextProbe!.timeIntervalSince(now))
        }
        #expect(delays == [2, 4, 8, 16, 32, 60, 60, 60, 60])
        let readOnly = StorageFault(kind: .readOnly, directory: "/var/lib/aggregator")
        health.probeFailed(readOnly, at: now)
        #expect(health.status == "store read-only: the file system holding /var/lib/aggregator is mounted read-only; polling paused")
    }

    @Test func aSuccessfulProbeResumesWithOneLine() {
        var health = StorageHealth()
        _ = health.writeFailed(full, at: t0)
        #expect(health.probeSucceeded(at: t0.addingTimeInterval(95), freeBytes: 300 << 20)
            == "store writable again (300.0 MiB free); polling resumed after 95s")
        #expect(health.pollsAllowed && health.status == nil)
        #expect(health.probeSucceeded(at: t0.addingTimeInterval(96), freeBytes: nil) == nil)
    }

    @Test func aDamagedStoreIsNotProbed() {
        var health = StorageHealth()
        let damaged = StorageFault(kind: .damaged, directory: "/d")
        #expect(health.writeFailed(damaged, at: t0)?.hasSuffix("polling paused until restarted on a repaired store") == true)
        #expect(health.nextProbe == nil)
    }
}
