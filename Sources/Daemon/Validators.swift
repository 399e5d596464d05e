import Foundation
import Fetcher

/// Which conditional-GET validators to keep after a response. Each is kept and updated
/// on its own: a 304 that carries a new ETag refreshes the ETag but keeps Last-Modified.
/// A `nil` result means "leave the stored value"; `.some(nil)` means "forget it".
public enum Validators {
    /// Past this age (since the last full response) validators are not sent.
    public static let maximumAge: TimeInterval = 7 * 86_400

    public struct Change: Equatable, Sendable {
        public var etag: String??
        public var lastModified: String??
    }

    public static func change(after response: FetchResponse) -> Change {
        if response.isNotModified {
            return Change(etag: response.etag.map { .some($0) }, lastModified: response.lastModified.map { .some($0) })
        }
        // A new representation: its validators replace the old ones, absent ones included.
        return Change(etag: .some(response.etag), lastModified: .some(response.lastModified))
    }
}
