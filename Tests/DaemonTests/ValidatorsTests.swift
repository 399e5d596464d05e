@testable import Fetcher
import Testing
@testable import Daemon

@Suite struct ValidatorsTests {
    func response(_ status: Int, etag: String?, lastModified: String?) -> FetchResponse {
        var headers: [(name: String, value: String)] = []
        if let etag { headers.append(("etag", etag)) }
        if let lastModified { headers.append(("last-modified", lastModified)) }
        return FetchResponse(status: status, effectiveURL: "http://e/", redirectCount: 0, contentType: nil,
                             etag: etag, lastModified: lastModified, headers: headers, body: [], duration: 0)
    }

    @Test func aNewRepresentationReplacesBothValidators() {
        let change = Validators.change(after: response(200, etag: "\"b\"", lastModified: nil))
        #expect(change == Validators.Change(etag: .some("\"b\""), lastModified: .some(nil)))
    }

    @Test func notModifiedRefreshesOnlyWhatItCarries() {
        #expect(Validators.change(after: response(304, etag: nil, lastModified: nil))
            == Validators.Change(etag: nil, lastModified: nil))
        #expect(Validators.change(after: response(304, etag: "\"c\"", lastModified: nil))
            == Validators.Change(etag: .some("\"c\""), lastModified: nil))
    }
}

@Suite struct LogRedactionTests {
    @Test(arguments: [
        ("https://user:secret@example.org/feed", "https://***@example.org/feed"),
        ("fetch https://tok@example.org/f?x=a@b: HTTP 404", "fetch https://***@example.org/f?x=a@b: HTTP 404"),
        ("https://example.org/feed?mail=a@b", "https://example.org/feed?mail=a@b"),
        ("https://example.org/feed", "https://example.org/feed"),
    ])
    func hidesCredentials(input: String, expected: String) {
        #expect(LogRedaction.redact(input) == expected)
    }
}
