import Foundation

/// Logs requests like kubectl's `-v`: at 6 and above one line per request
/// (`GET https://host/path 200 OK in 12 ms`), at 8 and above also the request and response headers.
/// Secrets in headers and URLs are redacted; bodies are never logged.
public struct LoggingTransport: HTTPTransport {
    public let base: any HTTPTransport
    public let verbosity: Int
    public let log: @Sendable (String) -> Void

    public init(wrapping base: any HTTPTransport, verbosity: Int, log: @escaping @Sendable (String) -> Void) {
        self.base = base
        self.verbosity = verbosity
        self.log = log
    }

    /// Takes the level and destination from the options; without a `log` sink it writes to stderr.
    public init(wrapping base: any HTTPTransport, options: TransportOptions) {
        self.init(wrapping: base, verbosity: options.verbosity, log: options.log ?? { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        })
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard verbosity >= 6 else { return try await base.send(request) }
        logRequestHeaders(request)
        let started = ContinuousClock.now
        do {
            let response = try await base.send(request)
            logOutcome(request, status: response.status, headers: response.headers, since: started)
            return response
        } catch {
            logFailure(request, error: error, since: started)
            throw error
        }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        guard verbosity >= 6 else { return try await base.stream(request) }
        logRequestHeaders(request)
        let started = ContinuousClock.now
        do {
            let response = try await base.stream(request)
            // The time is until the head arrived; a watch's body may flow for hours after.
            logOutcome(request, status: response.status, headers: response.headers, since: started)
            return response
        } catch {
            logFailure(request, error: error, since: started)
            throw error
        }
    }

    private func logRequestHeaders(_ request: HTTPRequest) {
        guard verbosity >= 8 else { return }
        log("Request: \(request.method.uppercased()) \(Redaction.url(request.url))")
        logHeaders("Request Headers:", request.headers)
    }

    private func logOutcome(_ request: HTTPRequest, status: Int, headers: HTTPHeaders, since started: ContinuousClock.Instant) {
        log("\(request.method.uppercased()) \(Redaction.url(request.url)) \(HTTPStatus.line(for: status)) in \(milliseconds(since: started)) ms")
        if verbosity >= 8 { logHeaders("Response Headers:", headers) }
    }

    private func logFailure(_ request: HTTPRequest, error: Error, since started: ContinuousClock.Instant) {
        log("\(request.method.uppercased()) \(Redaction.url(request.url)) failed in \(milliseconds(since: started)) ms: \(error)")
    }

    private func logHeaders(_ title: String, _ headers: HTTPHeaders) {
        log(title)
        for (name, value) in headers {
            log("    \(name): \(Redaction.headerValue(name: name, value: value))")
        }
    }

    private func milliseconds(since started: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - started
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// Reason phrases for logs; HTTP/2 carries none on the wire.
public enum HTTPStatus {
    /// `200 OK`, or just the number when we know no phrase for it.
    public static func line(for status: Int) -> String {
        let phrase = reason(for: status)
        return phrase.isEmpty ? "\(status)" : "\(status) \(phrase)"
    }

    public static func reason(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 409: "Conflict"
        case 410: "Gone"
        case 412: "Precondition Failed"
        case 413: "Payload Too Large"
        case 415: "Unsupported Media Type"
        case 416: "Range Not Satisfiable"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
