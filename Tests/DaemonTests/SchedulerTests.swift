import FeedParser
import Foundation
import Testing
@testable import Daemon
@testable import Store

@Suite struct SchedulerTests {
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func successWaitsOneIntervalGiveOrTakeTenPercent() {
        #expect(Scheduler.nextDue(afterSuccessAt: now, interval: 1800, unit: 0.5) == now.addingTimeInterval(1800))
        #expect(Scheduler.nextDue(afterSuccessAt: now, interval: 1800, unit: 0) == now.addingTimeInterval(1620))
        #expect(Scheduler.nextDue(afterSuccessAt: now, interval: 1800, unit: 0.999_999) > now.addingTimeInterval(1979))
        // Random by default: a thousand feeds do not all land on the same second.
        let dues = Set((0..<1000).map { _ in Scheduler.nextDue(afterSuccessAt: now, interval: 1800).timeIntervalSince(now).rounded() })
        #expect(dues.count > 100)
        #expect(dues.allSatisfy { $0 >= 1620 && $0 <= 1980 })
    }

    @Test(arguments: [(1, 600), (2, 1200), (3, 2400), (4, 4800), (8, 76800), (9, 86400), (50, 86400)])
    func failuresBackOffExponentiallyUpToADay(errors: Int, seconds: Int) {
        #expect(Scheduler.nextDue(afterFailureAt: now, interval: 600, consecutiveErrors: errors)
            == now.addingTimeInterval(Double(seconds)))
    }

    @Test func backoffNeverGoesBelowTheIntervalEvenForLongIntervals() {
        #expect(Scheduler.nextDue(afterFailureAt: now, interval: 2 * 86400, consecutiveErrors: 3)
            == now.addingTimeInterval(2 * 86400))
    }

    func state(lastFetch: Date?, nextDue: Date?, errors: Int = 0) -> FeedState {
        FeedState(id: 1, url: "u", configTitle: nil, title: nil, tags: [], inConfig: true, siteLink: nil, etag: nil,
                  lastModified: nil, lastFetchAt: lastFetch, lastSuccessAt: nil, lastOutcome: nil, lastError: nil,
                  errorCount: errors, nextDueAt: nextDue, articleCount: 0, isGone: false)
    }

    @Test func dueDateComesFromTheStoreSoRestartsDoNotRefetchEverything() {
        #expect(Scheduler.dueDate(for: nil, interval: 60, now: now) == now)
        #expect(Scheduler.dueDate(for: state(lastFetch: nil, nextDue: nil), interval: 60, now: now) == now)
        let stored = now.addingTimeInterval(300)
        #expect(Scheduler.dueDate(for: state(lastFetch: now, nextDue: stored), interval: 600, now: now) == stored)
        // A shortened interval applies at once...
        #expect(Scheduler.dueDate(for: state(lastFetch: now, nextDue: stored), interval: 60, now: now)
            == now.addingTimeInterval(60))
        // ...but not to a feed in backoff.
        #expect(Scheduler.dueDate(for: state(lastFetch: now, nextDue: stored, errors: 3), interval: 60, now: now)
            == stored)
        // A gone feed is never due until its line changes.
        var gone = state(lastFetch: now, nextDue: stored)
        gone.isGone = true
        #expect(Scheduler.dueDate(for: gone, interval: 60, now: now) == .distantFuture)
    }

    @Test(arguments: [
        (900, [Int?](), 900),            // no hints: the configured interval
        (900, [nil, nil], 900),
        (900, [600], 900),               // never more often than configured
        (900, [7200], 7200),             // a publisher asking for less is obeyed
        (900, [3600, 7200], 7200),
        (900, [2_000_000], 86_400),      // but never less often than daily
        (172_800, [3600], 172_800),      // a user who asked for two days gets two days
    ])
    func hintsStretchTheIntervalWithinBounds(configured: Int, hints: [Int?], expected: Int) {
        #expect(Scheduler.effectiveInterval(configured: configured, hints: hints) == expected)
    }

    @Test func freshnessFromCacheControlAndExpires() {
        #expect(Scheduler.freshness(cacheControl: "public, max-age=3600", expires: nil, now: now) == 3600)
        #expect(Scheduler.freshness(cacheControl: "no-cache, max-age=3600", expires: nil, now: now) == nil)
        #expect(Scheduler.freshness(cacheControl: "max-age=0", expires: nil, now: now) == nil)
        #expect(Scheduler.freshness(cacheControl: nil, expires: DateFormatting.rfc3339(now.addingTimeInterval(600)),
                                    now: now) == 600)
        #expect(Scheduler.freshness(cacheControl: nil, expires: "0", now: now) == nil)
        #expect(Scheduler.freshness(cacheControl: nil, expires: nil, now: now) == nil)
    }
}

/// `adaptive=yes`: the posting rate as a refresh hint.
@Suite struct PostingRateTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func dates(everyHours hours: Double, count: Int) -> [Date?] {
        (0..<count).map { now.addingTimeInterval(-Double($0) * hours * 3600) }
    }

    @Test func theSpanOfLastWeeksEntriesDividedByTheirNumber() {
        // One post every 12 h, 14 of them (156 h apart end to end): about every 11 h.
        #expect(Scheduler.postingRateHint(dates: dates(everyHours: 12, count: 14), now: now) == 156 * 3600 / 14)
        // Hourly posts, only the latest 20 in the document: about hourly, not 7d/20.
        #expect(Scheduler.postingRateHint(dates: dates(everyHours: 1, count: 20), now: now) == 19 * 3600 / 20)
        // Older entries beyond the week do not count.
        let mixed = dates(everyHours: 24, count: 3) + [now.addingTimeInterval(-40 * 86_400)]
        #expect(Scheduler.postingRateHint(dates: mixed, now: now) == 48 * 3600 / 3)
    }

    @Test func aQuietFeedIsPolledDailyAndAnUndatedOneSaysNothing() {
        let old: [Date?] = [now.addingTimeInterval(-30 * 86_400), now.addingTimeInterval(-60 * 86_400)]
        #expect(Scheduler.postingRateHint(dates: old, now: now) == 86_400)
        #expect(Scheduler.postingRateHint(dates: [nil, nil], now: now) == nil)
        #expect(Scheduler.postingRateHint(dates: [], now: now) == nil)
        // Far-future dates are the publisher's mistake, not a posting rate.
        #expect(Scheduler.postingRateHint(dates: [now.addingTimeInterval(86_400 * 365)], now: now) == nil)
    }

    @Test func theHintNeverPollsMoreOftenThanConfigured() {
        let busy = Scheduler.postingRateHint(dates: dates(everyHours: 0.1, count: 50), now: now)
        #expect(Scheduler.effectiveInterval(configured: 1800, hints: [busy]) == 1800)
    }

    @Test func anOfflineFailureIsRetriedSoonWithoutBackoff() {
        #expect(Scheduler.nextDue(afterOfflineAt: now, interval: 3600) == now.addingTimeInterval(300))
        #expect(Scheduler.nextDue(afterOfflineAt: now, interval: 60) == now.addingTimeInterval(60))
    }
}
