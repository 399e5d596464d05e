import Dispatch
import Foundation

/// SIGTERM and SIGINT as events rather than process death, so the daemon can stop
/// scheduling, cancel transfers and let a store transaction finish.
public final class ShutdownSignals: @unchecked Sendable {  // sources are immutable after init
    private let sources: [any DispatchSourceSignal]

    public init(_ handler: @escaping @Sendable (Int32) -> Void) {
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}

/// SIGHUP as a request to reload feeds.conf (`systemctl reload`, `kill -HUP`).
public final class ReloadSignal: @unchecked Sendable {  // the source is immutable after init
    private let source: any DispatchSourceSignal

    public init(_ handler: @escaping @Sendable () -> Void) {
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { handler() }
        source.resume()
    }

    deinit { source.cancel() }
}
