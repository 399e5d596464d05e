import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP listener on 127.0.0.1 that hands each accepted connection to `behaviour`,
/// for servers no HTTP library would imitate: resetting the connection, cutting a body
/// short, answering a TLS handshake with plain text. Accepts at most `maximumConnections`
/// (bounded: tests must end), each on its own thread.
public final class RawTCPServer: @unchecked Sendable {
    public let port: UInt16
    private let listener: Int32

    public init(maximumConnections: Int = 8, behaviour: @escaping @Sendable (_ connection: RawConnection) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        let thread = Thread {
            for _ in 0..<maximumConnections {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }  // the listener was closed
                Thread { behaviour(RawConnection(fd: client)) }.start()
            }
        }
        thread.start()
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

/// One accepted connection.
public struct RawConnection: Sendable {
    let fd: Int32

    /// Reads until the end of the request headers (or 64 KiB, or the peer stops).
    @discardableResult
    public func readRequest() -> String {
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 65_536 {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
            if received.count >= 4, String(decoding: received.suffix(4), as: UTF8.self) == "\r\n\r\n" { break }
            // A TLS ClientHello has no blank line: one read is all it sends.
            if received.first == 0x16 { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    public func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    /// Closes with a TCP reset (SO_LINGER 0) instead of an orderly FIN.
    public func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(fd)
    }

    public func close() {
        Glibc.close(fd)
    }
}
