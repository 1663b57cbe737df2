import Foundation
import HTTPTransport
import Testing
@testable import OCI

/// Unit-tier double: answers requests from a script and records what was sent (integration tests use real registries).
final class RegistryScriptedTransport: HTTPTransport, @unchecked Sendable {
    struct Sent {
        var method: String
        var url: String
        var headers: HTTPHeaders
        var body: Data
    }

    private let lock = NSLock()
    private var handler: (HTTPRequest, Data) throws -> HTTPResponse
    private(set) var sent: [Sent] = []

    init(_ handler: @escaping (HTTPRequest, Data) throws -> HTTPResponse) {
        self.handler = handler
    }

    static func readBody(_ body: HTTPBody) throws -> Data {
        switch body {
        case .empty: return Data()
        case .bytes(let data): return data
        case .file(let path): return FileManager.default.contents(atPath: path) ?? Data()
        case .stream(_, let makeReader):
            let reader = try makeReader()
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
                if count == 0 { break }
                data.append(contentsOf: buffer[0..<count])
            }
            return data
        }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try Self.readBody(request.body)
        return try lock.withLock {
            sent.append(Sent(method: request.method, url: request.url.absoluteString, headers: request.headers, body: body))
            var response = try handler(request, body)
            if response.url == nil { response.url = request.url }
            return response
        }
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let response = try await send(request)
        let body = response.body
        return HTTPStreamingResponse(status: response.status, headers: response.headers, body: AsyncThrowingStream { continuation in
            continuation.yield(body)
            continuation.finish()
        }, cancel: {})
    }

    var requests: [Sent] { lock.withLock { sent } }
}

private func json(_ object: Any) -> Data { try! JSONSerialization.data(withJSONObject: object) }

@Suite struct RegistryAuthTests {
    @Test func parsesBearerAndBasicChallenges() throws {
        let bearer = try #require(RegistryAuthChallenge(header: #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push repository:other:pull",error="insufficient_scope""#))
        #expect(bearer.scheme == .bearer)
        #expect(bearer.realm == "https://auth.docker.io/token")
        #expect(bearer.service == "registry.docker.io")
        #expect(bearer.scopes == ["repository:samalba/my-app:pull,push", "repository:other:pull"])
        #expect(bearer.error == "insufficient_scope")
        let basic = try #require(RegistryAuthChallenge(header: #"Basic realm="Registry Realm""#))
        #expect(basic.scheme == .basic)
        #expect(basic.realm == "Registry Realm")
        #expect(RegistryAuthChallenge(header: "Negotiate abc") == nil)
    }

    @Test func scopeSetsMergeActionsAndKeepPortsInNames() {
        var scopes = RegistryScopeSet()
        scopes.insert("repository:host:5000/app:pull")
        scopes.insert("repository:host:5000/app:push,pull")
        scopes.insert("repository:base:pull")
        #expect(scopes.scopes == ["repository:base:pull", "repository:host:5000/app:pull,push"])
        #expect(scopes.contains("repository:host:5000/app:push"))
        #expect(!scopes.contains("repository:base:push"))
    }

    /// A registry at `host` that wants a bearer token with push scope, and a token endpoint granting it.
    func tokenRegistry(host: String = "registry.example.com", expectBasic: String? = nil, field: String = "token") -> RegistryScriptedTransport {
        RegistryScriptedTransport { request, body in
            let url = request.url
            if url.path == "/token" {
                if let expectBasic, request.headers["Authorization"] != "Basic " + Data(expectBasic.utf8).base64EncodedString() {
                    return HTTPResponse(status: 401, body: json(["details": "bad creds"]))
                }
                if request.method == "POST" {
                    let form = String(decoding: body, as: UTF8.self)
                    guard form.contains("grant_type=refresh_token"), form.contains("refresh_token=refresh-1") else {
                        return HTTPResponse(status: 400)
                    }
                    let scope = form.contains("push") ? "push" : "pull"
                    return HTTPResponse(status: 200, body: json(["access_token": "tok-\(scope)"]))
                }
                let scope = url.query?.contains("push") == true ? "push" : "pull"
                return HTTPResponse(status: 200, body: json([field: "tok-\(scope)", "expires_in": 300]))
            }
            let needsPush = request.method != "GET" && request.method != "HEAD"
            let authorization = request.headers["Authorization"]
            if authorization == "Bearer tok-push" || (!needsPush && authorization == "Bearer tok-pull") {
                return HTTPResponse(status: 200, headers: ["Docker-Content-Digest": "sha256:x"], body: Data("{}".utf8))
            }
            let scope = needsPush ? "repository:app:pull,push" : "repository:app:pull"
            var challenge = #"Bearer realm="https://auth.example.com/token",service="registry",scope="\#(scope)""#
            if authorization != nil { challenge += #",error="insufficient_scope""# }
            return HTTPResponse(status: 401, headers: ["WWW-Authenticate": challenge], body: json(["errors": [["code": "UNAUTHORIZED", "message": "authentication required"]]]))
        }
    }

    @Test func bearerFlowFetchesTokenRetriesOnceAndCaches() async throws {
        let scripted = tokenRegistry(expectBasic: "alice:secret")
        let auth = RegistryAuthTransport(base: scripted, credential: .basic(username: "alice", password: "secret"))
        let url = URL(string: "https://registry.example.com/v2/app/manifests/v1")!
        let first = try await auth.send(HTTPRequest(method: "GET", url: url))
        #expect(first.status == 200)
        let second = try await auth.send(HTTPRequest(method: "GET", url: url))
        #expect(second.status == 200)
        let log = scripted.requests.map { "\($0.method) \($0.url)" }
        #expect(log == [
            "GET https://registry.example.com/v2/app/manifests/v1",
            "GET https://auth.example.com/token?service=registry&scope=repository:app:pull",
            "GET https://registry.example.com/v2/app/manifests/v1",
            "GET https://registry.example.com/v2/app/manifests/v1",
        ])
        // Basic credentials only went to the token endpoint.
        #expect(scripted.requests.filter { $0.headers["Authorization"]?.hasPrefix("Basic") == true }.map(\.url).allSatisfy { $0.contains("/token") })
    }

    @Test func insufficientScopeFetchesWiderToken() async throws {
        let scripted = tokenRegistry(field: "access_token")
        let auth = RegistryAuthTransport(base: scripted, credential: .anonymous)
        _ = try await auth.send(HTTPRequest(method: "GET", url: URL(string: "https://registry.example.com/v2/app/blobs/sha256:a")!))
        let put = try await auth.send(HTTPRequest(method: "PUT", url: URL(string: "https://registry.example.com/v2/app/manifests/v1")!, body: .bytes(Data("{}".utf8))))
        #expect(put.status == 200)
        let tokenRequests = scripted.requests.filter { $0.url.contains("/token") }.map(\.url)
        #expect(tokenRequests == [
            "https://auth.example.com/token?service=registry&scope=repository:app:pull",
            "https://auth.example.com/token?service=registry&scope=repository:app:pull,push",
        ])
        #expect(scripted.requests.last?.headers["Authorization"] == "Bearer tok-push")
        #expect(scripted.requests.last?.body == Data("{}".utf8))
    }

    @Test func requestedScopesGoIntoTheFirstToken() async throws {
        let scripted = tokenRegistry()
        let auth = RegistryAuthTransport(base: scripted, credential: .anonymous)
        auth.requestScopes(["repository:app:pull,push"], forHost: "registry.example.com")
        _ = try await auth.send(HTTPRequest(method: "HEAD", url: URL(string: "https://registry.example.com/v2/app/blobs/sha256:a")!))
        _ = try await auth.send(HTTPRequest(method: "PUT", url: URL(string: "https://registry.example.com/v2/app/manifests/v1")!))
        #expect(scripted.requests.filter { $0.url.contains("/token") }.count == 1)
    }

    @Test func identityTokenUsesOAuth2RefreshGrant() async throws {
        let scripted = tokenRegistry()
        let auth = RegistryAuthTransport(base: scripted, credential: .identityToken("refresh-1"))
        let response = try await auth.send(HTTPRequest(method: "GET", url: URL(string: "https://registry.example.com/v2/app/tags/list")!))
        #expect(response.status == 200)
        let post = try #require(scripted.requests.first { $0.method == "POST" })
        #expect(post.headers["Content-Type"] == "application/x-www-form-urlencoded")
        let form = String(decoding: post.body, as: UTF8.self)
        #expect(form.contains("grant_type=refresh_token"))
        #expect(form.contains("client_id=kubectl-gitops"))
        #expect(form.contains("service=registry"))
        #expect(form.contains("scope=repository%3Aapp%3Apull"))
    }

    @Test func registryTokenIsSentAsBearerWithoutTokenFetch() async throws {
        let scripted = RegistryScriptedTransport { request, _ in
            HTTPResponse(status: request.headers["Authorization"] == "Bearer ghp_abc" ? 200 : 401)
        }
        let auth = RegistryAuthTransport(base: scripted, credential: .registryToken("ghp_abc"))
        #expect(try await auth.send(HTTPRequest(url: URL(string: "https://r.example/v2/")!)).status == 200)
        #expect(scripted.requests.count == 1)
    }

    @Test func basicChallengeSendsBasicCredentials() async throws {
        let expected = "Basic " + Data("bob:pw".utf8).base64EncodedString()
        let scripted = RegistryScriptedTransport { request, _ in
            request.headers["Authorization"] == expected
                ? HTTPResponse(status: 200)
                : HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Basic realm="r""#])
        }
        let auth = RegistryAuthTransport(base: scripted, credential: .basic(username: "bob", password: "pw"))
        #expect(try await auth.send(HTTPRequest(url: URL(string: "https://r.example/v2/")!)).status == 200)
        #expect(try await auth.send(HTTPRequest(url: URL(string: "https://r.example/v2/x")!)).status == 200)
        #expect(scripted.requests.count == 3) // challenge once, then credentials up front
    }

    @Test func refusesCredentialsOverPlainHTTPToRemoteHosts() async throws {
        let scripted = RegistryScriptedTransport { _, _ in HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Basic realm="r""#]) }
        let auth = RegistryAuthTransport(base: scripted, credential: .basic(username: "bob", password: "pw"))
        await #expect(throws: RegistryError.self) {
            _ = try await auth.send(HTTPRequest(url: URL(string: "http://registry.example.com/v2/")!))
        }
        #expect(scripted.requests.allSatisfy { $0.headers["Authorization"] == nil })
        let tokenAuth = RegistryAuthTransport(base: scripted, credential: .registryToken("t"))
        await #expect(throws: RegistryError.self) {
            _ = try await tokenAuth.send(HTTPRequest(url: URL(string: "http://10.1.2.3:5000/v2/")!))
        }
        // Loopback is fine.
        let loopback = RegistryScriptedTransport { request, _ in HTTPResponse(status: request.headers["Authorization"] == nil ? 401 : 200) }
        let local = RegistryAuthTransport(base: loopback, credential: .registryToken("t"))
        #expect(try await local.send(HTTPRequest(url: URL(string: "http://127.0.0.1:5000/v2/")!)).status == 200)
    }

    @Test func redirectToAnotherHostDropsAuthorization() async throws {
        let scripted = RegistryScriptedTransport { request, _ in
            if request.url.host == "storage.example.net" { return HTTPResponse(status: 200, body: Data("blob".utf8)) }
            return HTTPResponse(status: 307, headers: ["Location": "https://storage.example.net/blob?sig=abc"])
        }
        let auth = RegistryAuthTransport(base: scripted, credential: .registryToken("secret-token"))
        let response = try await auth.send(HTTPRequest(url: URL(string: "https://registry.example.com/v2/app/blobs/sha256:a")!))
        #expect(response.body == Data("blob".utf8))
        #expect(scripted.requests.count == 2)
        #expect(scripted.requests[0].headers["Authorization"] == "Bearer secret-token")
        #expect(scripted.requests[1].headers["Authorization"] == nil)
    }

    @Test func tokenServerRefusalIsAnUnauthorizedError() async throws {
        let scripted = tokenRegistry(expectBasic: "alice:right")
        let auth = RegistryAuthTransport(base: scripted, credential: .basic(username: "alice", password: "wrong"))
        do {
            _ = try await auth.send(HTTPRequest(url: URL(string: "https://registry.example.com/v2/app/tags/list")!))
            Issue.record("expected an error")
        } catch let error as RegistryError {
            #expect(error.kind == .unauthorized)
            #expect(error.description.hasPrefix("get token from auth.example.com: "))
            #expect(!error.description.contains("wrong"))
        }
    }
}

@Suite struct RegistryClientUnitTests {
    let reference = try! OCIReference(parsing: "oci://registry.example.com/app:v1")

    @Test func uploadReusesLocationWithQueryAndAppendsDigest() async throws {
        let digest = SHA256Hasher.digest(of: Data("layer".utf8))
        let scripted = RegistryScriptedTransport { request, _ in
            if request.method == "POST" {
                return HTTPResponse(status: 202, headers: ["Location": "/v2/app/blobs/uploads/abc?_state=xyz"])
            }
            return HTTPResponse(status: 201, headers: ["Docker-Content-Digest": digest])
        }
        let client = RegistryClient(transport: scripted)
        try await client.uploadBlob(.data(Data("layer".utf8)), digest: digest, size: 5, to: reference)
        let put = try #require(scripted.requests.last)
        #expect(put.method == "PUT")
        #expect(put.url == "https://registry.example.com/v2/app/blobs/uploads/abc?_state=xyz&digest=\(digest)")
        #expect(put.body == Data("layer".utf8))
        #expect(put.headers["Content-Type"] == "application/octet-stream")
    }

    @Test func absoluteLocationAndPatchThenPut() async throws {
        let digest = SHA256Hasher.digest(of: Data("abc".utf8))
        let scripted = RegistryScriptedTransport { request, _ in
            switch request.method {
            case "POST": return HTTPResponse(status: 202, headers: ["Location": "https://upload.example.com/session/1"])
            case "PATCH": return HTTPResponse(status: 202, headers: ["Location": "https://upload.example.com/session/1?part=2", "Range": "0-2"])
            default: return HTTPResponse(status: 201)
            }
        }
        let client = RegistryClient(transport: scripted, options: RegistryClientOptions(uploadMethod: .postPatchPut))
        try await client.uploadBlob(.data(Data("abc".utf8)), digest: digest, size: 3, to: reference)
        let methods = scripted.requests.map { "\($0.method) \($0.url)" }
        #expect(methods == [
            "POST https://registry.example.com/v2/app/blobs/uploads/",
            "PATCH https://upload.example.com/session/1",
            "PUT https://upload.example.com/session/1?part=2&digest=\(digest)",
        ])
        #expect(scripted.requests[1].headers["Content-Range"] == "0-2")
    }

    @Test func failedUploadRestartsFromNewSessionWithBackoff() async throws {
        let digest = SHA256Hasher.digest(of: Data("abc".utf8))
        let puts = RegistryCounter()
        let scripted = RegistryScriptedTransport { request, _ in
            if request.method == "POST" { return HTTPResponse(status: 202, headers: ["Location": "/v2/app/blobs/uploads/s\(puts.value)"]) }
            puts.increment()
            return puts.value == 1 ? HTTPResponse(status: 503) : HTTPResponse(status: 201)
        }
        let sleeps = RegistryRecorder()
        let client = RegistryClient(transport: scripted, options: RegistryClientOptions(initialBackoff: 0.25, sleep: { sleeps.append($0) }))
        try await client.uploadBlob(.data(Data("abc".utf8)), digest: digest, size: 3, to: reference)
        #expect(scripted.requests.map(\.method) == ["POST", "PUT", "POST", "PUT"])
        #expect(scripted.requests[3].url.contains("/uploads/s1?digest="))
        #expect(sleeps.values == [0.25])
    }

    @Test func registryErrorsBecomeOneLine() async throws {
        let scripted = RegistryScriptedTransport { request, _ in
            if request.method == "HEAD" { return HTTPResponse(status: 200) } // blobs present: straight to the manifest
            return HTTPResponse(status: 400, body: json(["errors": [["code": "MANIFEST_INVALID", "message": "manifest invalid\nmore detail", "detail": ["x": 1]]]]))
        }
        let client = RegistryClient(transport: scripted)
        let config = Data("{}".utf8)
        let layerDigest = "sha256:" + String(repeating: "0", count: 64)
        let manifest = json(["schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                             "config": ["mediaType": "application/vnd.cncf.flux.config.v1+json", "digest": SHA256Hasher.digest(of: config), "size": 2],
                             "layers": [["mediaType": "application/vnd.cncf.flux.content.v1.tar+gzip", "digest": layerDigest, "size": 1]]])
        do {
            _ = try await client.push(layerFile: "/dev/null", layerDigest: layerDigest, layerSize: 1, config: config, manifest: manifest, to: reference)
            Issue.record("expected an error")
        } catch let error as RegistryError {
            #expect(error.description == "push to registry.example.com/app failed: PUT manifest: MANIFEST_INVALID: manifest invalid more detail")
            #expect(error.code == "MANIFEST_INVALID")
            #expect(error.operation == "PUT manifest")
            #expect(error.status == 400)
        }
        // Manifest last: nothing was uploaded before it, and it was not retried (400 is final).
        #expect(scripted.requests.map(\.method) == ["HEAD", "HEAD", "PUT"])
    }

    @Test func throttlingHonoursRetryAfter() async throws {
        let attempts = RegistryCounter()
        let scripted = RegistryScriptedTransport { _, _ in
            attempts.increment()
            return attempts.value == 1
                ? HTTPResponse(status: 429, headers: ["Retry-After": "3"], body: json(["errors": [["code": "TOOMANYREQUESTS", "message": "slow down"]]]))
                : HTTPResponse(status: 200, body: json(["tags": ["a"]]))
        }
        let sleeps = RegistryRecorder()
        let client = RegistryClient(transport: scripted, options: RegistryClientOptions(initialBackoff: 0.5, sleep: { sleeps.append($0) }))
        #expect(try await client.listTags(reference) == ["a"])
        #expect(sleeps.values == [3])
    }

    @Test func expiredTokenIsRenewedBeforeSending() async throws {
        let clock = RegistryManualClock()
        let tokens = RegistryCounter()
        let scripted = RegistryScriptedTransport { request, _ in
            if request.url.path == "/token" {
                tokens.increment()
                return HTTPResponse(status: 200, body: json(["token": "t\(tokens.value)", "expires_in": 60]))
            }
            if request.headers["Authorization"] == "Bearer t\(tokens.value)" { return HTTPResponse(status: 200) }
            return HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="https://auth.example.com/token",service="s",scope="repository:app:pull""#])
        }
        let auth = RegistryAuthTransport(base: scripted, credential: .anonymous, now: { clock.now })
        let url = URL(string: "https://registry.example.com/v2/app/tags/list")!
        _ = try await auth.send(HTTPRequest(url: url))
        clock.advance(30)
        _ = try await auth.send(HTTPRequest(url: url))
        #expect(tokens.value == 1)
        clock.advance(60)
        let renewed = try await auth.send(HTTPRequest(url: url))
        #expect(renewed.status == 200)
        #expect(tokens.value == 2)
        // Renewed up front: no 401 round trip for the third request.
        #expect(scripted.requests.filter { !$0.url.contains("/token") }.count == 4)
    }

    @Test func tagsFollowLinkPagination() async throws {
        let scripted = RegistryScriptedTransport { request, _ in
            let query = request.url.query ?? ""
            if query == "n=2" {
                return HTTPResponse(status: 200, headers: ["Link": #"</v2/app/tags/list?n=2&last=b>; rel="next""#], body: json(["name": "app", "tags": ["a", "b"]]))
            }
            if query == "n=2&last=b" {
                return HTTPResponse(status: 200, headers: ["Link": #"<https://registry.example.com/v2/app/tags/list?n=2&last=d>; rel="next""#], body: json(["name": "app", "tags": ["c", "d"]]))
            }
            return HTTPResponse(status: 200, body: json(["name": "app", "tags": ["e"]]))
        }
        let client = RegistryClient(transport: scripted)
        #expect(try await client.listTags(reference, pageSize: 2) == ["a", "b", "c", "d", "e"])
        #expect(scripted.requests.count == 3)
    }

    @Test func manifestDigestIsVerified() async throws {
        let scripted = RegistryScriptedTransport { _, _ in
            HTTPResponse(status: 200, headers: ["Docker-Content-Digest": "sha256:" + String(repeating: "1", count: 64),
                                                "Content-Type": "application/vnd.oci.image.manifest.v1+json"], body: Data("{}".utf8))
        }
        let client = RegistryClient(transport: scripted)
        await #expect(throws: RegistryError.self) { _ = try await client.getManifest(reference) }
    }

    @Test func progressReportsBytesOfTotal() async throws {
        let data = Data(repeating: 7, count: 600 * 1024)
        let digest = SHA256Hasher.digest(of: data)
        let scripted = RegistryScriptedTransport { request, _ in
            request.method == "POST" ? HTTPResponse(status: 202, headers: ["Location": "/u"]) : HTTPResponse(status: 201)
        }
        let seen = RegistryRecorder()
        let client = RegistryClient(transport: scripted, options: RegistryClientOptions(progress: { seen.append(Double($0.bytes)) }))
        try await client.uploadBlob(.data(data), digest: digest, size: Int64(data.count), to: reference)
        #expect(seen.values.first == 0)
        #expect(seen.values.last == Double(data.count))
        #expect(seen.values.count >= 3)
    }
}

final class RegistryCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

final class RegistryManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}

final class RegistryRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Double] = []
    func append(_ value: Double) { lock.withLock { list.append(value) } }
    var values: [Double] { lock.withLock { list } }
}

@Suite struct RegistryLocalFileTests {
    @Test func missingOrWrongSizedLayerFailsBeforeAnyUpload() async throws {
        let scripted = RegistryScriptedTransport { _, _ in HTTPResponse(status: 202, headers: ["Location": "/u"]) }
        let client = RegistryClient(transport: scripted)
        let reference = try OCIReference(parsing: "oci://registry.example.com/app:v1")
        let digest = "sha256:" + String(repeating: "a", count: 64)
        do {
            try await client.uploadBlob(.file(path: "/nonexistent/layer.tgz"), digest: digest, size: 10, to: reference)
            Issue.record("expected an error")
        } catch let error as RegistryError {
            #expect(error.kind == .localIO)
            #expect(error.description.contains("/nonexistent/layer.tgz"))
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("layer-\(UUID().uuidString.prefix(6))")
        try Data("12345".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try await client.uploadBlob(.file(path: file.path), digest: digest, size: 10, to: reference)
            Issue.record("expected an error")
        } catch let error as RegistryError {
            #expect(error.description.contains("has 5 bytes, but the manifest says 10"))
        }
        #expect(scripted.requests.isEmpty)
    }
}

/// The loopback scheme probe (unverified, credential-free) with scripted answers: it may only save time, never
/// change where a request ends up or which error is reported.
@Suite struct RegistrySchemeProbeTests {
    let reference = try! OCIReference(parsing: "oci://127.0.0.1:5999/probe/app")
    let tlsFailure = TransportError(kind: .tls, server: "https://127.0.0.1:5999", message: "TLS failed: wrong version number")

    @Test func plainAnswerToTheProbeSendsEveryRequestOverHTTP() async throws {
        let probe = RegistryScriptedTransport { _, _ in throw self.tlsFailure }
        let registry = RegistryScriptedTransport { request, _ in
            guard request.url.scheme == "http" else { throw self.tlsFailure }
            return HTTPResponse(status: 200)
        }
        let client = RegistryClient(transport: registry, schemeProbe: probe)
        try await client.ping(reference)
        try await client.ping(reference)
        #expect(probe.requests.map(\.url) == ["https://127.0.0.1:5999/v2/"])
        #expect(probe.requests.allSatisfy { $0.headers["Authorization"] == nil })
        #expect(registry.requests.map(\.url) == ["http://127.0.0.1:5999/v2/", "http://127.0.0.1:5999/v2/"])
    }

    @Test func tlsServerThatRefusedTheProbeIsStillReachedOverHTTPS() async throws {
        // Say a server that wants a client certificate: the probe fails, plain HTTP gets a 400, HTTPS works.
        let probe = RegistryScriptedTransport { _, _ in throw self.tlsFailure }
        let registry = RegistryScriptedTransport { request, _ in
            HTTPResponse(status: request.url.scheme == "https" ? 200 : 400)
        }
        let client = RegistryClient(transport: registry, schemeProbe: probe)
        try await client.ping(reference)
        #expect(registry.requests.map(\.url) == ["http://127.0.0.1:5999/v2/", "https://127.0.0.1:5999/v2/"])
    }

    @Test func answeredProbeAndRemoteHostsLeaveTheFlowAlone() async throws {
        let probe = RegistryScriptedTransport { _, _ in HTTPResponse(status: 401) }
        let registry = RegistryScriptedTransport { _, _ in HTTPResponse(status: 200) }
        let client = RegistryClient(transport: registry, schemeProbe: probe)
        try await client.ping(reference)
        try await client.ping(try OCIReference(parsing: "oci://registry.example.com/app"))
        #expect(probe.requests.count == 1)
        #expect(registry.requests.map(\.url) == ["https://127.0.0.1:5999/v2/", "https://registry.example.com/v2/"])
    }
}

/// `contentMatch` hashes the local tar while it asks the registry, and local errors come first.
@Suite struct RegistryContentMatchTests {
    struct LocalFailure: Error, Equatable {}

    let reference = try! OCIReference(parsing: "oci://registry.example.com/app:v1")
    let config = Data(#"{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":["sha256:aaa"]}}"#.utf8)

    func registry(manifestStatus: Int = 200) -> (transport: RegistryScriptedTransport, manifestDigest: String) {
        let configDigest = SHA256Hasher.digest(of: config)
        let manifest = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.cncf.flux.config.v1+json","digest":"\#(configDigest)","size":\#(config.count)},"layers":[]}"#.utf8)
        let config = config
        let transport = RegistryScriptedTransport { request, _ in
            if request.url.path.hasSuffix("/manifests/v1") {
                guard manifestStatus == 200 else { return HTTPResponse(status: manifestStatus, body: json(["errors": [["code": "DENIED", "message": "no"]]])) }
                return HTTPResponse(status: 200, headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"], body: manifest)
            }
            if request.url.path.hasSuffix("/blobs/\(configDigest)") { return HTTPResponse(status: 200, body: config) }
            return HTTPResponse(status: 404)
        }
        return (transport, SHA256Hasher.digest(of: manifest))
    }

    @Test func theRegistryIsAskedWhileTheTarIsHashed() async throws {
        let (transport, manifestDigest) = registry()
        let client = RegistryClient(transport: transport)
        let match = try await client.contentMatch(at: reference) {
            // Returns only once the manifest request went out: a client that hashed first would wait here in vain.
            let deadline = Date().addingTimeInterval(5)
            while !transport.requests.contains(where: { $0.url.hasSuffix("/manifests/v1") }) {
                guard Date() < deadline else { return "sha256:hashed-before-asking" }
                try await Task.sleep(nanoseconds: 1_000_000)
            }
            return "sha256:aaa"
        }
        #expect(match == .same(digest: manifestDigest))
        #expect(try await client.contentMatch(at: reference) { "sha256:bbb" } == .different)
    }

    @Test func aLocalErrorComesBeforeTheRegistrysAnswer() async throws {
        let client = RegistryClient(transport: registry().transport)
        await #expect(throws: LocalFailure()) { _ = try await client.contentMatch(at: reference) { throw LocalFailure() } }
        let refusing = RegistryClient(transport: registry(manifestStatus: 401).transport)
        await #expect(throws: LocalFailure()) { _ = try await refusing.contentMatch(at: reference) { throw LocalFailure() } }
        await #expect(throws: RegistryError.self) { _ = try await refusing.contentMatch(at: reference) { "sha256:aaa" } }
    }
}
