import Foundation
import HTTPTransport

/// A parsed `WWW-Authenticate` challenge.
public struct RegistryAuthChallenge: Sendable, Equatable {
    public enum Scheme: String, Sendable { case basic, bearer }
    public var scheme: Scheme
    public var parameters: [String: String]

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    /// Space-separated scopes in the header, split.
    public var scopes: [String] { parameters["scope"].map { $0.split(separator: " ").map(String.init) } ?? [] }
    public var error: String? { parameters["error"] }

    /// Parses the first Basic or Bearer challenge of the header value; nil for other schemes.
    public init?(header: String) {
        var scanner = Substring(header)
        func skipSpaces() { scanner = scanner.drop { $0 == " " || $0 == "\t" } }
        skipSpaces()
        let schemeName = scanner.prefix { $0 != " " && $0 != "\t" }
        guard let scheme = Scheme(rawValue: schemeName.lowercased()) else { return nil }
        scanner = scanner.dropFirst(schemeName.count)
        var parameters: [String: String] = [:]
        while true {
            scanner = scanner.drop { $0 == " " || $0 == "\t" || $0 == "," }
            guard !scanner.isEmpty else { break }
            let name = scanner.prefix { $0 != "=" && $0 != "," && $0 != " " }
            scanner = scanner.dropFirst(name.count)
            skipSpaces()
            guard scanner.first == "=" else {
                // A new challenge starts here ("Bearer …, Basic …"): stop at our first one.
                break
            }
            scanner = scanner.dropFirst()
            skipSpaces()
            var value = ""
            if scanner.first == "\"" {
                scanner = scanner.dropFirst()
                while let character = scanner.first, character != "\"" {
                    if character == "\\", scanner.count > 1 {
                        scanner = scanner.dropFirst()
                    }
                    value.append(scanner.first!)
                    scanner = scanner.dropFirst()
                }
                scanner = scanner.dropFirst()
            } else {
                let token = scanner.prefix { $0 != "," && $0 != " " }
                value = String(token)
                scanner = scanner.dropFirst(token.count)
            }
            parameters[name.lowercased()] = value
        }
        self.scheme = scheme
        self.parameters = parameters
    }
}

/// Merges token scopes (`repository:NAME:pull,push`) so one token covers every action asked for so far.
/// The name may contain `:port`, so the type is before the first ':' and the actions after the last.
struct RegistryScopeSet: Sendable, Equatable {
    private(set) var actionsByResource: [String: Set<String>] = [:]

    mutating func insert(_ scope: String) {
        guard let first = scope.firstIndex(of: ":"), let last = scope.lastIndex(of: ":"), first != last else {
            actionsByResource[scope, default: []].formUnion([])
            return
        }
        let resource = String(scope[..<last])
        let actions = scope[scope.index(after: last)...].split(separator: ",").map(String.init)
        actionsByResource[resource, default: []].formUnion(actions)
    }

    func contains(_ scope: String) -> Bool {
        var probe = self
        probe.insert(scope)
        return probe == self
    }

    /// Sorted, so the same set always gives the same cache key.
    var scopes: [String] {
        actionsByResource.keys.sorted().map { resource in
            let actions = actionsByResource[resource]!.sorted()
            return actions.isEmpty ? resource : "\(resource):\(actions.joined(separator: ","))"
        }
    }
}

/// Answers a registry's 401 challenge: Basic → send the credentials; Bearer → fetch a token from the realm
/// (GET with basic credentials, or OAuth2 refresh-token POST for identity tokens), cache it per host and scope set,
/// and retry once. Credentials never go over plain HTTP to another machine, nor to another host on a redirect.
public final class RegistryAuthTransport: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let credential: RegistryCredential
    private let clientID: String
    private let now: @Sendable () -> Date
    private let log: (@Sendable (String) -> Void)?
    private let lock = NSLock()
    private var hosts: [String: HostState] = [:]

    private struct CachedToken {
        var token: String
        var expires: Date
    }

    private struct HostState {
        var challenge: RegistryAuthChallenge?
        var scopes = RegistryScopeSet()
        var tokens: [String: CachedToken] = [:]
    }

    /// Redirects followed here when the transport hands them back to us.
    private static let maximumRedirects = 10

    public init(
        base: any HTTPTransport,
        credential: RegistryCredential,
        clientID: String = "kubectl-gitops",
        now: @escaping @Sendable () -> Date = { Date() },
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.base = base
        self.credential = credential
        self.clientID = clientID
        self.now = now
        self.log = log
    }

    /// Asks for these scopes with the next token for `host` (e.g. push+pull before a push), saving a second token round trip.
    public func requestScopes(_ scopes: [String], forHost host: String) {
        lock.withLock {
            for scope in scopes { hosts[host, default: HostState()].scopes.insert(scope) }
        }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await perform(request) { try await self.base.send($0) } status: { $0.status } headers: { $0.headers } discard: { _ in }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        try await perform(request) { try await self.base.stream($0) } status: { $0.status } headers: { $0.headers } discard: { $0.cancel() }
    }

    private func perform<Response>(
        _ original: HTTPRequest,
        send: (HTTPRequest) async throws -> Response,
        status: (Response) -> Int,
        headers: (Response) -> HTTPHeaders,
        discard: (Response) -> Void
    ) async throws -> Response {
        var request = original
        var redirects = 0
        var answeredChallenge = false
        let originalHost = Self.hostKey(original.url)
        while true {
            let host = Self.hostKey(request.url)
            // After a redirect to another host (signed storage URLs) we send nothing of ours.
            let isOriginalHost = host == originalHost
            var attempt = request
            if isOriginalHost, attempt.headers["Authorization"] == nil, let authorization = try await authorization(forHost: host, url: attempt.url) {
                attempt.headers["Authorization"] = authorization
            }
            let response = try await send(attempt)
            let code = status(response)

            if code == 401, !answeredChallenge, isOriginalHost,
               let header = headers(response)["WWW-Authenticate"], let challenge = RegistryAuthChallenge(header: header) {
                discard(response)
                answeredChallenge = true
                try await answer(challenge, host: host, url: attempt.url)
                continue
            }
            if [301, 302, 303, 307, 308].contains(code), let location = headers(response)["Location"],
               let target = URL(string: location, relativeTo: attempt.url)?.absoluteURL, redirects < Self.maximumRedirects {
                discard(response)
                redirects += 1
                if Self.hostKey(target) != host || target.scheme != attempt.url.scheme {
                    // Another host: our Authorization stays behind (signed blob URLs carry their own).
                    request.headers["Authorization"] = nil
                }
                if code == 303 { request.method = "GET"; request.body = .empty }
                request.url = target
                continue
            }
            return response
        }
    }

    /// The header to send to `host` now, from what earlier challenges taught us.
    private func authorization(forHost host: String, url: URL) async throws -> String? {
        if case .registryToken(let token) = credential {
            try ensureSafeToSendCredentials(to: url)
            return "Bearer \(token)"
        }
        let (challenge, scopes, cached) = lock.withLock { () -> (RegistryAuthChallenge?, RegistryScopeSet, CachedToken?) in
            let state = hosts[host] ?? HostState()
            return (state.challenge, state.scopes, state.tokens[state.scopes.scopes.joined(separator: " ")])
        }
        guard let challenge else { return nil }
        switch challenge.scheme {
        case .basic:
            return try basicHeader(for: url)
        case .bearer:
            if let cached, cached.expires > now() { return "Bearer \(cached.token)" }
            // Expired or scopes widened since: fetch before sending rather than waste a request (and a streamed body).
            let token = try await fetchToken(challenge: challenge, scopes: scopes, host: host)
            return "Bearer \(token)"
        }
    }

    private func answer(_ challenge: RegistryAuthChallenge, host: String, url: URL) async throws {
        switch challenge.scheme {
        case .basic:
            guard case .basic = credential else {
                throw RegistryError(kind: .unauthorized, status: 401, code: "UNAUTHORIZED",
                                    message: "\(host) requires a username and password: pass --creds user:password or log in with docker/podman")
            }
            lock.withLock { hosts[host, default: HostState()].challenge = challenge }
        case .bearer:
            if case .registryToken = credential {
                throw RegistryError(kind: .unauthorized, status: 401, code: "UNAUTHORIZED",
                                    message: "\(host) rejected the registry token\(challenge.error.map { " (\($0))" } ?? ""): check --creds or the credentials file")
            }
            let scopes = lock.withLock { () -> RegistryScopeSet in
                var state = hosts[host] ?? HostState()
                state.challenge = challenge
                for scope in challenge.scopes { state.scopes.insert(scope) }
                // The token we sent was refused or too narrow: forget tokens for this host.
                state.tokens = [:]
                hosts[host] = state
                return state.scopes
            }
            _ = try await fetchToken(challenge: challenge, scopes: scopes, host: host)
        }
    }

    private func fetchToken(challenge: RegistryAuthChallenge, scopes: RegistryScopeSet, host: String) async throws -> String {
        guard let realm = challenge.realm, let realmURL = URL(string: realm), realmURL.host != nil else {
            throw RegistryError(kind: .unauthorized, operation: "authenticate to \(host)",
                                message: "the registry's Bearer challenge has no usable realm")
        }
        let operation = "get token from \(Self.hostKey(realmURL))"
        let scopeList = scopes.scopes
        log?("fetching registry token from \(Self.redacted(realmURL)) for scopes [\(scopeList.joined(separator: " "))] as \(credential)")
        var response: HTTPResponse
        if case .identityToken(let refreshToken) = credential {
            try ensureSafeToSendCredentials(to: realmURL)
            var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", clientID)]
            if let service = challenge.service { form.append(("service", service)) }
            if !scopeList.isEmpty { form.append(("scope", scopeList.joined(separator: " "))) }
            let body = form.map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
            let request = HTTPRequest(method: "POST", url: realmURL,
                                      headers: ["Content-Type": "application/x-www-form-urlencoded"], body: .bytes(Data(body.utf8)))
            response = try await sendTokenRequest(request, operation: operation)
        } else {
            var components = URLComponents(url: realmURL, resolvingAgainstBaseURL: false)!
            var items = components.queryItems ?? []
            if let service = challenge.service { items.append(URLQueryItem(name: "service", value: service)) }
            for scope in scopeList { items.append(URLQueryItem(name: "scope", value: scope)) }
            components.queryItems = items.isEmpty ? nil : items
            // '+' in a scope must survive form decoding on the server.
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            var request = HTTPRequest(method: "GET", url: components.url!)
            if case .basic = credential { request.headers["Authorization"] = try basicHeader(for: realmURL) }
            response = try await sendTokenRequest(request, operation: operation)
        }
        guard response.status == 200 else {
            var error = RegistryError.fromResponse(status: response.status, body: response.body, operation: operation)
            if response.status == 401 || response.status == 403 {
                error.kind = .unauthorized
                if error.code == nil { error.message = "the token server refused \(credential): check --creds, docker login or the auth file" }
            }
            throw error
        }
        struct TokenAnswer: Decodable {
            var token: String?
            var access_token: String?
            var expires_in: Int?
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: response.body),
              let token = answer.token ?? answer.access_token, !token.isEmpty else {
            throw RegistryError(kind: .unauthorized, operation: operation, message: "the token server's answer has neither token nor access_token")
        }
        // Renew a little early so a token does not expire between check and use.
        let lifetime = TimeInterval(max(answer.expires_in ?? 60, 10)) - 5
        let key = scopeList.joined(separator: " ")
        lock.withLock { hosts[host, default: HostState()].tokens[key] = CachedToken(token: token, expires: now().addingTimeInterval(lifetime)) }
        return token
    }

    private func sendTokenRequest(_ request: HTTPRequest, operation: String) async throws -> HTTPResponse {
        do {
            return try await base.send(request)
        } catch {
            throw RegistryError.fromTransport(error, operation: operation)
        }
    }

    private func basicHeader(for url: URL) throws -> String? {
        guard case .basic(let username, let password) = credential else { return nil }
        try ensureSafeToSendCredentials(to: url)
        return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    private func ensureSafeToSendCredentials(to url: URL) throws {
        guard url.scheme?.lowercased() == "http" else { return }
        let host = Self.hostKey(url)
        if !OCIReference.isLoopbackHost(host) {
            throw RegistryError(kind: .refused, operation: "authenticate to \(host)",
                                message: "refusing to send credentials over plain HTTP to \(host): use HTTPS for this registry")
        }
    }

    static func hostKey(_ url: URL) -> String {
        let host = url.host ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return url.port.map { "\(bracketed):\($0)" } ?? bracketed
    }

    /// Scheme, host and path: never a query, which may carry upload state or signatures.
    static func redacted(_ url: URL) -> String {
        "\(url.scheme ?? "https")://\(hostKey(url))\(url.path)"
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
