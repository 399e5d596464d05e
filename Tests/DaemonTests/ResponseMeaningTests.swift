import Foundation
import Testing
@testable import Daemon

/// What a server's answer means, decided alone (the poller acts on it).
@Suite struct ResponseMeaningTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z

    @Test(arguments: [
        (304, nil, false, ResponseMeaning.notModified),
        (429, "120", false, .hostBusy(status: 429, delay: 120)),
        (503, nil, false, .hostBusy(status: 503, delay: RetryAfter.defaultDelay)),
        (503, "Fri, 15 Jan 2027 09:00:00 GMT", false, .hostBusy(status: 503, delay: 3600)),
        (410, nil, false, .gone),
        (200, nil, true, .unchanged),
        (200, nil, false, .document),
        (203, nil, false, .document),
        (404, nil, true, .httpError(status: 404)),
        (500, "60", false, .httpError(status: 500)),
    ] as [(Int, String?, Bool, ResponseMeaning)])
    func classifies(status: Int, retryAfter: String?, sameBody: Bool, meaning: ResponseMeaning) {
        #expect(ResponseMeaning.of(status: status, retryAfter: retryAfter, now: now, bodyMatchesLast: { sameBody }) == meaning)
    }

    @Test func onlySuccessesHashTheirBody() {
        var asked = 0
        for status in [304, 404, 410, 429, 503] {
            _ = ResponseMeaning.of(status: status, retryAfter: nil, now: now) { asked += 1; return true }
        }
        #expect(asked == 0)
    }
}
