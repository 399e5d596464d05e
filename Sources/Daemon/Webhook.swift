import COpenSSL
import Fetcher
import Foundation

/// One `webhook=` delivery: the article's JSON POSTed with `Content-Type:
/// application/json`, `Aggregator-Delivery: <id>`, `Aggregator-Event`, and — with
/// `webhook-secret-file=` — `X-Aggregator-Signature: sha256=<hex HMAC-SHA256 of the body>`.
/// Through a fetcher of the hooks' own (TLS verified, the timeout given, the proxy from
/// the same `https_proxy`/`http_proxy` variables as feeds); any 2xx is a delivery.
public enum Webhook {
    public static func request(url: String, body: [UInt8], deliveryID: String, event: String, secret: [UInt8]?,
                               timeout: Int) -> FetchRequest {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Aggregator-Delivery", deliveryID),
            ("Aggregator-Event", event),
        ]
        if let secret { headers.append(("X-Aggregator-Signature", "sha256=" + signature(body, secret: secret))) }
        var request = FetchRequest(url: url, timeout: timeout, connectTimeout: min(timeout, 15), maximumBodySize: 64 * 1024,
                                   hostSpacing: 0)
        request.post = FetchRequest.Post(body: body, headers: headers)
        return request
    }

    /// What a delivery's response means: nil delivered, else why not.
    public static func problem(with result: Result<FetchResponse, FetchError>) -> String? {
        switch result {
        case .success(let response):
            if response.isSuccess { return nil }
            let said = String(decoding: response.body.prefix(200), as: UTF8.self)
                .replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
            return "HTTP \(response.status)" + (said.isEmpty ? "" : ": \(said)")
        case .failure(let error):
            return "\(error.kind.rawValue): \(error.message)"
        }
    }

    /// Lower-case hex of HMAC-SHA256(secret, body), by OpenSSL's libcrypto.
    public static func signature(_ body: [UInt8], secret: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = secret.withUnsafeBytes { key in
            body.withUnsafeBytes { data in
                HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), data.baseAddress?.assumingMemoryBound(to: UInt8.self),
                     data.count, &digest, &length)
            }
        }
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}
