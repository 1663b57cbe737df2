import Foundation

/// The one seam between our clients (Kubernetes, registry) and the wire.
/// Behaviour such as auth, retries, user agent and logging lives in small wrappers around it.
public protocol HTTPTransport: Sendable {
    /// Sends a request and buffers the whole response body.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Sends a request and hands the response body over as it arrives (watches, downloads).
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse
}

/// Header list that keeps order and duplicates; lookups are case-insensitive.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [(name: String, value: String)]

    public init(_ entries: [(String, String)] = []) {
        self.entries = entries.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    public subscript(name: String) -> String? {
        get { entries.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
        set {
            entries.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
            if let newValue { entries.append((name: name, value: newValue)) }
        }
    }

    public func values(for name: String) -> [String] {
        entries.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) {
        entries.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        entries.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// Pull-based producer of a request body, so large bodies are never buffered whole.
public protocol HTTPBodyReader: AnyObject {
    /// Fills `buffer` with up to `buffer.count` bytes and returns how many; 0 means the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

public enum HTTPBody: Sendable {
    case empty
    case bytes(Data)
    /// Streamed from a file; the length is the file's size.
    case file(path: String)
    /// Streamed from a reader made afresh for every attempt (retries start over). A nil length sends chunked.
    case stream(length: Int64?, makeReader: @Sendable () throws -> any HTTPBodyReader)
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: HTTPHeaders
    public var body: HTTPBody
    /// Overall deadline for this request; nil means the transport's default.
    public var timeout: TimeInterval?

    public init(method: String = "GET", url: URL, headers: HTTPHeaders = [:], body: HTTPBody = .empty, timeout: TimeInterval? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// Whether a retry may send this request again without changing anything on the server.
    public var isIdempotent: Bool {
        ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method.uppercased())
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// The URL that answered, after redirects.
    public var url: URL?

    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data(), url: URL? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }
}

public struct HTTPStreamingResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// Body chunks in order; finishes at the end of the body, throws on a transport error.
    public var body: AsyncThrowingStream<Data, Error>
    /// Stops the transfer; the body stream then finishes.
    public var cancel: @Sendable () -> Void

    public init(status: Int, headers: HTTPHeaders, body: AsyncThrowingStream<Data, Error>, cancel: @escaping @Sendable () -> Void) {
        self.status = status
        self.headers = headers
        self.body = body
        self.cancel = cancel
    }

    /// The body split on `\n` (the framing of Kubernetes watch streams); a final unterminated line is delivered too.
    public var lines: AsyncThrowingStream<Data, Error> {
        let chunks = body
        return AsyncThrowingStream { continuation in
            let task = Task {
                var pending = Data()
                do {
                    for try await chunk in chunks {
                        pending.append(chunk)
                        while let newline = pending.firstIndex(of: 0x0A) {
                            let line = pending[pending.startIndex..<newline]
                            if !line.isEmpty { continuation.yield(Data(line)) }
                            pending = Data(pending[pending.index(after: newline)...])
                        }
                    }
                    if !pending.isEmpty { continuation.yield(pending) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// TLS, proxy and timeout settings of one transport instance (one per API server or registry).
public struct TransportOptions: Sendable {
    /// PEM bundle of CAs to trust instead of the system store.
    public var caPEM: Data?
    public var clientCertificatePEM: Data?
    public var clientKeyPEM: Data?
    public var insecureSkipTLSVerify: Bool
    /// Name the server certificate is checked against (and sent as SNI), instead of the URL's host.
    public var tlsServerName: String?
    /// `http://`, `https://` or `socks5://` proxy; nil means the standard proxy environment variables apply.
    public var proxyURL: String?
    public var connectTimeout: TimeInterval
    /// Default overall deadline of a request; nil means none.
    public var requestTimeout: TimeInterval?
    /// A transfer that moves no bytes for this long ends as timed out; nil means never (API watches idle for
    /// minutes by design, registry transfers should not).
    public var stallTimeout: TimeInterval?
    /// Off asks for gzip and decodes it transparently.
    public var disableCompression: Bool
    public var userAgent: String
    /// Verbose level as kubectl's `-v`: ≥ 6 logs method, URL, status and timing; ≥ 8 headers (secrets redacted).
    public var verbosity: Int
    /// Where verbose logs go (stderr in the CLI).
    public var log: (@Sendable (String) -> Void)?
    /// Which HTTP version to ask for; the default is kubectl's (HTTP/2 when TLS ALPN agrees, else HTTP/1.1).
    public var httpVersion: HTTPVersion

    /// The HTTP version a transport asks for.
    public enum HTTPVersion: Sendable, Equatable {
        /// HTTP/2 over TLS when the server's ALPN offers h2, HTTP/1.1 otherwise and for plain `http://`.
        case http2OverTLS
        /// HTTP/1.1 only (ALPN offers http/1.1 alone), e.g. to test both protocols against one server.
        case http1_1
    }

    public init(
        caPEM: Data? = nil,
        clientCertificatePEM: Data? = nil,
        clientKeyPEM: Data? = nil,
        insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil,
        proxyURL: String? = nil,
        connectTimeout: TimeInterval = 30,
        requestTimeout: TimeInterval? = nil,
        stallTimeout: TimeInterval? = nil,
        disableCompression: Bool = false,
        userAgent: String = "kubectl-gitops",
        verbosity: Int = 0,
        log: (@Sendable (String) -> Void)? = nil,
        httpVersion: HTTPVersion = .http2OverTLS
    ) {
        self.caPEM = caPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.proxyURL = proxyURL
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.stallTimeout = stallTimeout
        self.disableCompression = disableCompression
        self.userAgent = userAgent
        self.verbosity = verbosity
        self.log = log
        self.httpVersion = httpVersion
    }
}

/// Failures below HTTP: nothing was answered.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case connectionRefused, couldNotResolveHost, timedOut, tls, proxy, cancelled, other
    }
    public var kind: Kind
    /// Scheme, host and port only: never a path with tokens or credentials.
    public var server: String
    public var message: String
    /// The connection broke before an answer arrived (reset, empty reply, send/receive failure), so an idempotent
    /// request may be sent again. Refused connections and timeouts are recognised by `kind` alone.
    public var isConnectionLevel: Bool

    public init(kind: Kind, server: String, message: String, isConnectionLevel: Bool = false) {
        self.kind = kind
        self.server = server
        self.message = message
        self.isConnectionLevel = isConnectionLevel
    }

    public var description: String { "\(server): \(message)" }
}
