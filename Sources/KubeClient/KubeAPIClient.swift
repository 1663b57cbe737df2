import Foundation
import HTTPTransport
import JSON
import KubeConfig

/// What the API client needs to reach one API server; built from kubeconfig by the CLI.
public struct KubeEndpoint: Sendable {
    public var server: URL
    public var transportOptions: TransportOptions
    /// Impersonation and other fixed headers.
    public var headers: HTTPHeaders
    public var credentials: (any CredentialProvider)?

    public init(server: URL, transportOptions: TransportOptions = TransportOptions(), headers: HTTPHeaders = [:], credentials: (any CredentialProvider)? = nil) {
        self.server = server
        self.transportOptions = transportOptions
        self.headers = headers
        self.credentials = credentials
    }

    /// The endpoint kubeconfig resolution describes.
    public init(_ config: ClientConfig) {
        self.init(server: config.server, transportOptions: config.transportOptions, headers: config.impersonationHeaders,
                  credentials: config.credentials)
    }

    /// `host:port` as kubectl names a server in connection errors.
    public var hostAndPort: String {
        let host = server.host ?? server.absoluteString
        if let port = server.port { return "\(host):\(port)" }
        return host
    }
}

/// Kubernetes REST client: paths, verbs, Status errors, warnings, auth with one re-try after a 401.
public final class KubeAPIClient: @unchecked Sendable {
    public typealias TransportFactory = @Sendable (TransportOptions) -> any HTTPTransport

    public let endpoint: KubeEndpoint
    public let fieldManager: String
    private let makeTransport: TransportFactory
    private let onWarning: @Sendable (String) -> Void
    private let lock = NSLock()
    private var transports: [Data: any HTTPTransport] = [:]
    private var warningsSeen: Set<String> = []

    public init(endpoint: KubeEndpoint, fieldManager: String = "kubectl-gitops",
                transportFactory: @escaping TransportFactory,
                onWarning: @escaping @Sendable (String) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.fieldManager = fieldManager
        self.makeTransport = transportFactory
        self.onWarning = onWarning
    }

    // MARK: Verbs

    public func get(_ resource: APIResource, namespace: String?, name: String) async throws -> JSONValue {
        try await json(method: "GET", path: resource.path(namespace: namespace, name: name))
    }

    /// One page; pass `options.continueToken` to get the next.
    public func listPage(_ resource: APIResource, namespace: String?, options: ListOptions = ListOptions()) async throws -> ObjectList {
        let list = try await json(method: "GET", path: resource.path(namespace: namespace), query: options.queryItems)
        return ObjectList(
            items: list["items"]?.arrayValue ?? [],
            resourceVersion: list.value(at: "metadata.resourceVersion")?.stringValue ?? "",
            continueToken: list.value(at: "metadata.continue")?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Every page, following `continue` tokens; restarts once if a token expires mid-way (410).
    public func list(_ resource: APIResource, namespace: String?, options: ListOptions = ListOptions(), pageSize: Int = 500) async throws -> ObjectList {
        var restarted = false
        while true {
            var items: [JSONValue] = []
            var pageOptions = options
            pageOptions.limit = pageSize
            do {
                while true {
                    let page = try await listPage(resource, namespace: namespace, options: pageOptions)
                    items += page.items
                    guard let next = page.continueToken else {
                        return ObjectList(items: items, resourceVersion: page.resourceVersion)
                    }
                    pageOptions.continueToken = next
                }
            } catch let error as KubeAPIError where error.isExpired && !restarted {
                restarted = true
            }
        }
    }

    public func create(_ resource: APIResource, namespace: String?, object: JSONValue, dryRun: Bool = false) async throws -> JSONValue {
        var query: [URLQueryItem] = [URLQueryItem(name: "fieldManager", value: fieldManager)]
        if dryRun { query.append(URLQueryItem(name: "dryRun", value: "All")) }
        return try await json(method: "POST", path: resource.path(namespace: namespace), query: query,
                              body: object.data, contentType: "application/json")
    }

    /// Server-side apply with our field manager.
    public func apply(_ resource: APIResource, namespace: String?, name: String, object: JSONValue,
                      force: Bool = false, dryRun: Bool = false) async throws -> JSONValue {
        var query = [URLQueryItem(name: "fieldManager", value: fieldManager)]
        if force { query.append(URLQueryItem(name: "force", value: "true")) }
        if dryRun { query.append(URLQueryItem(name: "dryRun", value: "All")) }
        // JSON is YAML, and the server keeps our key order out of it.
        return try await json(method: "PATCH", path: resource.path(namespace: namespace, name: name), query: query,
                              body: object.data, contentType: PatchType.apply.rawValue)
    }

    public func patch(_ resource: APIResource, namespace: String?, name: String, type: PatchType, patch: Data,
                      subresource: String? = nil, dryRun: Bool = false) async throws -> JSONValue {
        var query: [URLQueryItem] = []
        if type == .apply { query.append(URLQueryItem(name: "fieldManager", value: fieldManager)) }
        if dryRun { query.append(URLQueryItem(name: "dryRun", value: "All")) }
        return try await json(method: "PATCH", path: resource.path(namespace: namespace, name: name, subresource: subresource),
                              query: query, body: patch, contentType: type.rawValue)
    }

    public func delete(_ resource: APIResource, namespace: String?, name: String, dryRun: Bool = false) async throws -> JSONValue {
        var query: [URLQueryItem] = []
        if dryRun { query.append(URLQueryItem(name: "dryRun", value: "All")) }
        return try await json(method: "DELETE", path: resource.path(namespace: namespace, name: name), query: query)
    }

    /// A raw GET of a path such as `/version` or `/apis/G/V`.
    public func getPath(_ path: String) async throws -> JSONValue {
        try await json(method: "GET", path: path)
    }

    public func post(path: String, body: JSONValue) async throws -> JSONValue {
        try await json(method: "POST", path: path, body: body.data, contentType: "application/json")
    }

    /// Raw events of one watch request; ends when the server closes the stream.
    public func watchOnce(_ resource: APIResource, namespace: String?, options: ListOptions) async throws -> AsyncThrowingStream<WatchEvent, Error> {
        var query = options.queryItems
        query.insert(URLQueryItem(name: "watch", value: "1"), at: 0)
        let request = try await authorized(method: "GET", path: resource.path(namespace: namespace), query: query, body: nil, contentType: nil)
        var response = try await streamRequest(request.request, transport: request.transport)
        if response.status == 401, retryAfterUnauthorized(rejected: request.credential) {
            let retry = try await authorized(method: "GET", path: resource.path(namespace: namespace), query: query, body: nil, contentType: nil)
            response = try await streamRequest(retry.request, transport: retry.transport)
        }
        reportWarnings(response.headers)
        guard (200..<300).contains(response.status) else {
            var body = Data()
            for try await chunk in response.body { body.append(chunk) }
            throw KubeAPIError(response: HTTPResponse(status: response.status, headers: response.headers, body: body))
        }
        let lines = response.lines
        let cancel = response.cancel
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await line in lines {
                        let json = try JSONValue(parsing: line)
                        guard let typeName = json["type"]?.stringValue, let type = WatchEvent.EventType(rawValue: typeName) else {
                            throw KubeWatchError.malformedEvent(String(decoding: line.prefix(200), as: UTF8.self))
                        }
                        continuation.yield(WatchEvent(type: type, object: json["object"] ?? .null))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                cancel()
                task.cancel()
            }
        }
    }

    // MARK: Plumbing

    private func json(method: String, path: String, query: [URLQueryItem] = [], body: Data? = nil, contentType: String? = nil) async throws -> JSONValue {
        let response = try await send(method: method, path: path, query: query, body: body, contentType: contentType)
        guard (200..<300).contains(response.status) else { throw KubeAPIError(response: response) }
        if response.body.isEmpty { return .object([]) }
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw KubeAPIError(status: KubeStatus(message: "the server answered \(method) \(path) with a body that is not JSON", reason: "InternalError", code: response.status), httpStatus: response.status)
        }
    }

    public func send(method: String, path: String, query: [URLQueryItem] = [], body: Data? = nil, contentType: String? = nil) async throws -> HTTPResponse {
        let first = try await authorized(method: method, path: path, query: query, body: body, contentType: contentType)
        var response = try await perform(first.request, transport: first.transport)
        if response.status == 401, retryAfterUnauthorized(rejected: first.credential) {
            let retry = try await authorized(method: method, path: path, query: query, body: body, contentType: contentType)
            response = try await perform(retry.request, transport: retry.transport)
        }
        reportWarnings(response.headers)
        return response
    }

    /// Forgets the rejected credential (an exec plugin then runs again) and says whether a retry makes sense.
    private func retryAfterUnauthorized(rejected: Credential?) -> Bool {
        guard let credentials = endpoint.credentials, let rejected, rejected != .none else { return false }
        credentials.invalidate(rejected)
        return true
    }

    private func perform(_ request: HTTPRequest, transport: any HTTPTransport) async throws -> HTTPResponse {
        do {
            return try await transport.send(request)
        } catch let error as TransportError {
            throw KubeConnectionError(server: endpoint.hostAndPort, underlying: error)
        }
    }

    private func streamRequest(_ request: HTTPRequest, transport: any HTTPTransport) async throws -> HTTPStreamingResponse {
        do {
            return try await transport.stream(request)
        } catch let error as TransportError {
            throw KubeConnectionError(server: endpoint.hostAndPort, underlying: error)
        }
    }

    private func authorized(method: String, path: String, query: [URLQueryItem], body: Data?, contentType: String?) async throws -> (request: HTTPRequest, transport: any HTTPTransport, credential: Credential?) {
        var components = URLComponents(url: endpoint.server, resolvingAgainstBaseURL: false)!
        let basePath = components.percentEncodedPath.hasSuffix("/") ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
        components.percentEncodedPath = basePath + path
        if !query.isEmpty {
            components.queryItems = query
            // URLComponents leaves '+' alone, which servers read as a space.
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        }
        var headers = endpoint.headers
        headers["Accept"] = "application/json"
        if let contentType { headers["Content-Type"] = contentType }
        var options = endpoint.transportOptions
        // Credentials only travel over TLS, as client-go does.
        let secure = endpoint.server.scheme?.lowercased() == "https"
        var used: Credential?
        if secure, let source = endpoint.credentials {
            let credential = try await source.credential()
            used = credential
            if let authorization = credential.authorizationHeaderValue {
                headers["Authorization"] = authorization
            } else if case .clientCertificate(let certificate, let key) = credential {
                options.clientCertificatePEM = certificate
                options.clientKeyPEM = key
            }
        }
        let request = HTTPRequest(method: method, url: components.url!, headers: headers, body: body.map { .bytes($0) } ?? .empty)
        return (request, transport(for: options), used)
    }

    private func transport(for options: TransportOptions) -> any HTTPTransport {
        // One transport per client identity, so connections are reused across requests.
        var key = options.clientCertificatePEM ?? Data()
        key.append(options.clientKeyPEM ?? Data())
        lock.lock()
        defer { lock.unlock() }
        if let existing = transports[key] { return existing }
        let created = makeTransport(options)
        transports[key] = created
        return created
    }

    private func reportWarnings(_ headers: HTTPHeaders) {
        for value in headers.values(for: "Warning") {
            let message = KubeAPIClient.warningText(value)
            lock.lock()
            let isNew = warningsSeen.insert(message).inserted
            lock.unlock()
            if isNew { onWarning(message) }
        }
    }

    /// `299 - "unknown field \"spec.x\""` → `unknown field "spec.x"` (RFC 7234 warn-text, quotes unescaped).
    static func warningText(_ header: String) -> String {
        guard let open = header.firstIndex(of: "\""), header.hasSuffix("\""), header.index(before: header.endIndex) > open else {
            return header
        }
        let quoted = header[header.index(after: open)..<header.index(before: header.endIndex)]
        var text = ""
        var escaping = false
        for character in quoted {
            if escaping {
                text.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                text.append(character)
            }
        }
        return text
    }
}

public enum KubeWatchError: Error, CustomStringConvertible {
    case malformedEvent(String)

    public var description: String {
        switch self {
        case .malformedEvent(let line): return "the server sent a watch event that could not be read: \(line)"
        }
    }
}
