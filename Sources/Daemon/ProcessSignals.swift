import CProcessShims
import Foundation

/// SIGTERM, SIGINT and SIGHUP as events rather than process death. `init` catches them
/// at once (call it first thing); they wait in a pipe until `handle` starts the thread
/// that acts on them, one at a time. signal_pipe.c says why a pipe rather than
/// libdispatch's signal sources or sigwait.
public final class ProcessSignals: @unchecked Sendable {  // `fd` is immutable after init
    public static let caught: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    private let fd: Int32

    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
    }

    public init() throws(SetupError) {
        let fd = Self.caught.withUnsafeBufferPointer { aggregator_signal_pipe($0.baseAddress, Int32($0.count)) }
        guard fd >= 0 else { throw SetupError(description: "cannot catch signals: \(String(cString: strerror(errno)))") }
        self.fd = fd
    }

    /// Acts on every signal caught so far and from now on, on a thread of its own.
    public func handle(_ handlers: [Int32: @Sendable (Int32) -> Void]) {
        let fd = self.fd
        let thread = Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(fd, &byte, 1)
                if count == 1 { handlers[Int32(byte)]?(Int32(byte)) } else if count < 0 && errno != EINTR { return }
            }
        }
        thread.name = "aggregator-signals"
        thread.start()
    }
}
