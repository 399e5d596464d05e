import FlyingFox
import Foundation

/// A FlyingFox HTTP server on 127.0.0.1 (a port the kernel picks) that records every
/// request, for tests that must see exactly what the fetcher sent.
public final class LoopbackServer: Sendable {
    public struct Recorded: Sendable {
        public let path: String
        public let headers: [String: String]

        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    private final class Log: @unchecked Sendable {
        let lock = NSLock()
        var requests: [Recorded] = []
    }

    private let server: HTTPServer
    private let task: Task<Void, any Error>
    public let baseURL: String

    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    /// Starts serving `routes` (e.g. `"GET /feed.xml"`); returns once it listens.
    public static func start(_ routes: [(String, Handler)]) async throws -> LoopbackServer {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: 0), logger: .disabled)
        let log = Log()
        for (route, handler) in routes {
            await server.appendRoute(HTTPRoute(stringLiteral: route)) { request in
                var headers: [String: String] = [:]
                for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
                log.lock.withLock { log.requests.append(Recorded(path: request.path, headers: headers)) }
                return try await handler(request)
            }
        }
        let task = Task { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port) = await server.listeningAddress else {
            throw CocoaError(.featureUnsupported)
        }
        return LoopbackServer(server: server, task: task, log: log, baseURL: "http://127.0.0.1:\(port)")
    }

    private init(server: HTTPServer, task: Task<Void, any Error>, log: Log, baseURL: String) {
        self.server = server
        self.task = task
        self.baseURL = baseURL
        self.logStorage = log
    }

    private let logStorage: Log

    public func requests(path: String? = nil) -> [Recorded] {
        logStorage.lock.withLock { logStorage.requests.filter { path == nil || $0.path == path } }
    }

    public func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }

    /// Serves a fixed document with an ETag and a Last-Modified, answering 304 to a
    /// request whose validators match, like a well-behaved static file server.
    public static func staticFeed(_ body: Data, etag: String, lastModified: String,
                                  contentType: String = "application/xml") -> Handler {
        return { request in
            let matches = request.headers[HTTPHeader("If-None-Match")] == etag
                || (request.headers[HTTPHeader("If-None-Match")] == nil
                    && request.headers[HTTPHeader("If-Modified-Since")] == lastModified)
            var headers: HTTPHeaders = [HTTPHeader("ETag"): etag, HTTPHeader("Last-Modified"): lastModified]
            if matches { return HTTPResponse(statusCode: .notModified, headers: headers) }
            headers[HTTPHeader("Content-Type")] = contentType
            return HTTPResponse(statusCode: .ok, headers: headers, body: body)
        }
    }
}
