import HTTPTransport
import KubeClient

/// The production transport stack; replaced by the libcurl stack as soon as it lands.
enum LiveTransport {
    static let factory: KubeAPIClient.TransportFactory = { _ in UnavailableTransport() }
}

struct UnavailableTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        throw TransportError(kind: .other, server: request.url.host ?? "", message: "no transport configured")
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        throw TransportError(kind: .other, server: request.url.host ?? "", message: "no transport configured")
    }
}
