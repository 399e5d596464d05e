import Foundation
import Testing
@testable import FeedParser

/// Dates as real feeds write them, each with the instant it means (UTC).
@Suite struct DateParserTests {
    static let cases: [(String, String)] = [
        // RFC 822 / RFC 1123, as the RSS spec asks
        ("Sat, 31 Oct 2020 00:21:15 +0800", "2020-10-30T16:21:15Z"),
        ("Mon, 28 Sep 2020 18:02:40 +0800", "2020-09-28T10:02:40Z"),
        ("Sun, 06 Jul 2014 12:56:00 GMT", "2014-07-06T12:56:00Z"),
        ("Tue, 10 Jun 2003 04:00:00 UT", "2003-06-10T04:00:00Z"),
        ("Tue, 10 Jun 2003 04:00:00 UTC", "2003-06-10T04:00:00Z"),
        ("Wed, 02 Oct 2002 13:00:00 -0400", "2002-10-02T17:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 EST", "2002-10-02T13:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 EDT", "2002-10-02T12:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 PST", "2002-10-02T16:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 PDT", "2002-10-02T15:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 CST", "2002-10-02T14:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 MDT", "2002-10-02T14:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 CET", "2002-10-02T07:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 CEST", "2002-10-02T06:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 BST", "2002-10-02T07:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 JST", "2002-10-01T23:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 IST", "2002-10-02T02:30:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 AEST", "2002-10-01T22:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 Z", "2002-10-02T08:00:00Z"),
        // sloppy variants
        ("02 Oct 2002 08:00:00 +0000", "2002-10-02T08:00:00Z"),
        ("Wed, 2 Oct 2002 08:00:00 +0000", "2002-10-02T08:00:00Z"),
        ("Wed,02 Oct 2002 08:00:00 +0000", "2002-10-02T08:00:00Z"),
        ("Wed, 02 Oct 02 08:00:00 +0000", "2002-10-02T08:00:00Z"),
        ("Mon, 5 Oct 20 9:05 EST", "2020-10-05T14:05:00Z"),
        ("Thu, 01 Jan 98 00:00:00 GMT", "1998-01-01T00:00:00Z"),
        ("wed, 02 oct 2002 08:00:00 gmt", "2002-10-02T08:00:00Z"),
        ("WED, 02 OCT 2002 08:00:00 GMT", "2002-10-02T08:00:00Z"),
        ("Wed, 02 October 2002 08:00:00 GMT", "2002-10-02T08:00:00Z"),
        ("Wednesday, 02 October 2002 08:00:00 GMT", "2002-10-02T08:00:00Z"),
        ("Wed, 02 Sept 2002 08:00:00 GMT", "2002-09-02T08:00:00Z"),
        ("Wed, 02 Oct 2002 08:00 GMT", "2002-10-02T08:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00", "2002-10-02T08:00:00Z"),
        ("Wed, 02 Oct 2002", "2002-10-02T00:00:00Z"),
        ("02 Oct 2002", "2002-10-02T00:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 GMT+8", "2002-10-02T00:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 GMT+08:00", "2002-10-02T00:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 GMT-0500", "2002-10-02T13:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 UTC+0530", "2002-10-02T02:30:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 +08:00", "2002-10-02T00:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 +08", "2002-10-02T00:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00.123 +0000", "2002-10-02T08:00:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 +0000 (UTC)", "2002-10-02T08:00:00Z"),
        ("Wed, 02-Oct-2002 08:00:00 GMT", "2002-10-02T08:00:00Z"),
        ("Oct 2, 2002 8:00 PM", "2002-10-02T20:00:00Z"),
        ("October 2, 2002 12:30 AM", "2002-10-02T00:30:00Z"),
        ("Wed, 02 Oct 2002 08:00:00 A", "2002-10-02T08:00:00Z"),
        ("  Wed, 02 Oct 2002 08:00:00 GMT\n ", "2002-10-02T08:00:00Z"),
        // asctime
        ("Wed Oct  2 08:00:00 2002", "2002-10-02T08:00:00Z"),
        ("Sat Oct 31 00:21:15 2020", "2020-10-31T00:21:15Z"),
        // RFC 3339 / ISO 8601 / W3C-DTF
        ("2020-10-30T16:21:15Z", "2020-10-30T16:21:15Z"),
        ("2020-10-31T00:21:15+08:00", "2020-10-30T16:21:15Z"),
        ("2020-10-31T00:21:15+0800", "2020-10-30T16:21:15Z"),
        ("2020-10-31T00:21:15+08", "2020-10-30T16:21:15Z"),
        ("2020-10-30T11:21:15-05:00", "2020-10-30T16:21:15Z"),
        ("2019-10-12T07:20:50.52Z", "2019-10-12T07:20:50Z"),
        ("2019-10-12T07:20:50.123456789+00:00", "2019-10-12T07:20:50Z"),
        ("2020-10-30T16:21Z", "2020-10-30T16:21:00Z"),
        ("2020-10-30T16:21:15", "2020-10-30T16:21:15Z"),
        ("2020-10-30t16:21:15z", "2020-10-30T16:21:15Z"),
        ("2020-10-30 16:21:15", "2020-10-30T16:21:15Z"),
        ("2020-10-30 16:21:15 +0100", "2020-10-30T15:21:15Z"),
        ("2020-10-30 16:21:15 UTC", "2020-10-30T16:21:15Z"),
        ("2020-10-30", "2020-10-30T00:00:00Z"),
        ("2020-10", "2020-10-01T00:00:00Z"),
        ("2020", "2020-01-01T00:00:00Z"),
        ("2020-02-29T12:00:00Z", "2020-02-29T12:00:00Z"),
        ("1999-12-31T23:59:59-12:00", "2000-01-01T11:59:59Z"),
        ("2003-12-13T18:30:02Z", "2003-12-13T18:30:02Z"),
        // other numeric forms seen in the wild
        ("2020/1/10 14:33:00", "2020-01-10T14:33:00Z"),
        ("2020/01/10", "2020-01-10T00:00:00Z"),
        ("1604075000", "2020-10-30T16:23:20Z"),
        ("1604075000000", "2020-10-30T16:23:20Z"),
    ]

    @Test(arguments: cases)
    func parses(text: String, expected: String) throws {
        let date = try #require(DateParser.parse(text), "\(text)")
        #expect(DateFormatting.rfc3339(date) == expected, "\(text)")
    }

    @Test(arguments: [
        "", "   ", "yesterday", "now", "not a date", "Wed, 32 Oct 2002 08:00:00 GMT", "2020-13-01",
        "2020-02-30", "2019-02-29T00:00:00Z", "Wed, 02 Foo 2002 08:00:00 GMT", "25:61", "12345",
        "2020-10-30T25:00:00Z", "Wed, 02 Oct 2002 08:00:00 +9999", "10/02/2002",
    ])
    func refusesWhatIsNotADate(text: String) {
        #expect(DateParser.parse(text) == nil, "\(text)")
    }

    /// Every distinct date form found in the test corpora (Fixtures/dates.tsv, made by
    /// Tools/make-date-table.py), with the instant Python's email.utils/datetime give it.
    @Test func agreesWithAnIndependentParserOnRealFeedDates() throws {
        let table = String(decoding: try Fixture.bytes("dates.tsv"), as: UTF8.self)
        var checked = 0
        for line in table.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2 else { continue }
            let parsed = DateParser.parse(String(fields[0])).map(DateFormatting.rfc3339)
            #expect(parsed == String(fields[1]), "\(fields[0])")
            checked += 1
        }
        #expect(checked > 600)
    }

    @Test func formatsBeforeTheEpoch() {
        #expect(DateFormatting.rfc3339(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(DateFormatting.rfc3339(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }
}
