import Foundation
import HTTPTransport

/// A transport whose answers a test scripts; it records every request. For unit tests of clients only:
/// integration tests use the real libcurl transport against real servers.
public final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    public enum Answer: Sendable {
        case response(HTTPResponse)
        /// A streaming body made of these chunks, then the end of the stream (or the given error).
        case stream(status: Int, headers: HTTPHeaders, chunks: [Data], endError: TransportError?)
        case failure(TransportError)
    }

    private let lock = NSLock()
    private var recorded: [HTTPRequest] = []
    private let handler: @Sendable (HTTPRequest, Int) -> Answer

    /// `handler` gets each request and its zero-based index.
    public init(handler: @escaping @Sendable (HTTPRequest, Int) -> Answer) {
        self.handler = handler
    }

    public var requests: [HTTPRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    private func record(_ request: HTTPRequest) -> Int {
        lock.lock()
        defer { lock.unlock() }
        recorded.append(request)
        return recorded.count - 1
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        switch handler(request, record(request)) {
        case .response(let response): return response
        case .failure(let error): throw error
        case .stream(let status, let headers, let chunks, _):
            return HTTPResponse(status: status, headers: headers, body: chunks.reduce(Data(), +))
        }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        switch handler(request, record(request)) {
        case .failure(let error): throw error
        case .response(let response):
            let body = AsyncThrowingStream<Data, Error> { continuation in
                continuation.yield(response.body)
                continuation.finish()
            }
            return HTTPStreamingResponse(status: response.status, headers: response.headers, body: body, cancel: {})
        case .stream(let status, let headers, let chunks, let endError):
            let body = AsyncThrowingStream<Data, Error> { continuation in
                for chunk in chunks { continuation.yield(chunk) }
                continuation.finish(throwing: endError)
            }
            return HTTPStreamingResponse(status: status, headers: headers, body: body, cancel: {})
        }
    }
}

extension HTTPResponse {
    /// A JSON answer built from a JSON-compatible literal.
    public static func json(_ status: Int, _ object: Any, headers: HTTPHeaders = ["Content-Type": "application/json"]) -> HTTPResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}
