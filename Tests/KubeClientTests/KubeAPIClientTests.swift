import Foundation
import HTTPTransport
import JSON
import KubeConfig
import Testing
import TestSupport

@testable import KubeClient

private let ociRepositories = APIResource(group: "source.toolkit.fluxcd.io", version: "v1", plural: "ocirepositories", kind: "OCIRepository")

/// The recorded response of one exchange in Tests/Fixtures/kube-api, as an HTTPResponse.
private func recordedResponse(_ name: String) throws -> HTTPResponse {
    let exchange = try RepositoryPaths.recordedExchange(name)
    let response = exchange["response"] as! [String: Any]
    var headers = HTTPHeaders()
    for (key, value) in response["headers"] as? [String: String] ?? [:] { headers.add(key, value) }
    let body: Data
    if let text = response["body"] as? String {
        body = Data(text.utf8)
    } else {
        body = try JSONSerialization.data(withJSONObject: response["body"] as Any)
    }
    return HTTPResponse(status: response["status"] as! Int, headers: headers, body: body)
}

private func makeClient(server: String = "https://127.0.0.1:6443", credentials: (any CredentialProvider)? = nil,
                        onWarning: @escaping @Sendable (String) -> Void = { _ in },
                        handler: @escaping @Sendable (HTTPRequest, Int) -> ScriptedTransport.Answer) -> (KubeAPIClient, ScriptedTransport) {
    let transport = ScriptedTransport(handler: handler)
    let client = KubeAPIClient(endpoint: KubeEndpoint(server: URL(string: server)!, credentials: credentials),
                               transportFactory: { _ in transport }, onWarning: onWarning)
    return (client, transport)
}

/// A token that changes each time it is invalidated, like an exec plugin's.
final class CountingCredential: CredentialProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var generation = 0
    private var invalidationCount = 0
    let authDescription = "counting test token"

    func credential() async throws -> Credential {
        lock.withLock { .bearerToken("token-\(generation)") }
    }

    func invalidate(_ rejected: Credential?) {
        lock.withLock {
            generation += 1
            invalidationCount += 1
        }
    }

    var invalidations: Int { lock.withLock { invalidationCount } }
}

/// Collects warning lines from the client's callback.
final class WarningCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}

@Suite struct ResourcePathTests {
    @Test func namespacedPaths() {
        #expect(ociRepositories.path(namespace: "flux-system") == "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/ocirepositories")
        #expect(ociRepositories.path(namespace: nil) == "/apis/source.toolkit.fluxcd.io/v1/ocirepositories")
        #expect(ociRepositories.path(namespace: "a", name: "b", subresource: "status") == "/apis/source.toolkit.fluxcd.io/v1/namespaces/a/ocirepositories/b/status")
        #expect(APIResource.namespaces.path(namespace: "ignored", name: "apps") == "/api/v1/namespaces/apps")
        #expect(ociRepositories.qualifiedPlural == "ocirepositories.source.toolkit.fluxcd.io")
    }

    @Test func selectorsAreEscapedInTheQuery() async throws {
        let (client, transport) = makeClient { _, _ in .response(.json(200, ["items": [], "metadata": ["resourceVersion": "5"]])) }
        _ = try await client.listPage(ociRepositories, namespace: "flux-system",
                                      options: ListOptions(labelSelector: "app in (a,b),tier!=x+y", fieldSelector: "metadata.name=podinfo", limit: 2))
        let query = try #require(transport.requests.first?.url.query)
        #expect(query.contains("labelSelector=app%20in%20(a,b),tier!%3Dx%2By") || query.contains("labelSelector=app%20in%20(a,b),tier!=x%2By"))
        #expect(query.contains("fieldSelector=metadata.name%3Dpodinfo") || query.contains("fieldSelector=metadata.name=podinfo"))
        #expect(query.contains("limit=2"))
    }
}

@Suite struct StatusErrorTests {
    @Test func notFoundPrintsLikeKubectl() async throws {
        let recorded = try recordedResponse("08-get-not-found.json")
        let (client, _) = makeClient { _, _ in .response(recorded) }
        let error = await #expect(throws: KubeAPIError.self) {
            _ = try await client.get(ociRepositories, namespace: "flux-system", name: "missing")
        }
        #expect(error?.isNotFound == true)
        #expect(error?.description.hasPrefix("Error from server (NotFound): ocirepositories.source.toolkit.fluxcd.io \"") == true)
    }

    @Test func invalidListsEachCausedField() async throws {
        let recorded = try recordedResponse("09-create-invalid.json")
        let (client, _) = makeClient { _, _ in .response(recorded) }
        let error = await #expect(throws: KubeAPIError.self) {
            _ = try await client.create(ociRepositories, namespace: "flux-system", object: ["kind": "OCIRepository"])
        }
        let text = try #require(error?.description)
        #expect(text.hasPrefix("The OCIRepository \"bad\" is invalid: \n"))
        #expect(text.contains("* spec.interval: Invalid value: \"5 minutes\""))
        #expect(text.contains("* spec.url: Invalid value: \"https://registry.example/podinfo\""))
    }

    @Test func unauthorizedSaysToLogIn() async throws {
        let recorded = try recordedResponse("36-unauthorized.json")
        let (client, _) = makeClient { _, _ in .response(recorded) }
        let error = await #expect(throws: KubeAPIError.self) {
            _ = try await client.listPage(ociRepositories, namespace: "flux-system")
        }
        #expect(error?.description == "error: You must be logged in to the server (Unauthorized)")
    }

    @Test func forbiddenKeepsTheServersMessage() async throws {
        let recorded = try recordedResponse("38-forbidden.json")
        let (client, _) = makeClient { _, _ in .response(recorded) }
        let error = await #expect(throws: KubeAPIError.self) {
            _ = try await client.listPage(ociRepositories, namespace: "flux-system")
        }
        #expect(error?.description == "Error from server (Forbidden): ocirepositories.source.toolkit.fluxcd.io is forbidden: User \"system:serviceaccount:flux-system:nobody\" cannot list resource \"ocirepositories\" in API group \"source.toolkit.fluxcd.io\" in the namespace \"flux-system\"")
    }

    @Test func applyConflictNamesTheOtherManager() async throws {
        let recorded = try recordedResponse("29-apply-conflict.json")
        let (client, _) = makeClient { _, _ in .response(recorded) }
        let error = await #expect(throws: KubeAPIError.self) {
            _ = try await client.apply(ociRepositories, namespace: "flux-system", name: "podinfo", object: [:])
        }
        #expect(error?.isConflict == true)
        #expect(error?.description == "Error from server (Conflict): Apply failed with 1 conflict: conflict with \"kubectl-gitops\": .spec.interval")
    }

    @Test func plainTextAnswerGetsAGenericStatus() async throws {
        let recorded = try recordedResponse("04-discovery-group-missing.json")
        let (client, _) = makeClient { _, _ in .response(recorded) }
        let error = await #expect(throws: KubeAPIError.self) { _ = try await client.getPath("/apis/source.toolkit.fluxcd.io/v1beta2") }
        #expect(error?.isNotFound == true)
        #expect(error?.description == "Error from server (NotFound): 404 page not found")
    }

    @Test func connectionRefusedIsWordedLikeKubectl() async throws {
        let (client, _) = makeClient(server: "https://localhost:8080") { request, _ in
            .failure(TransportError(kind: .connectionRefused, server: "https://localhost:8080", message: "Connection refused"))
        }
        let error = await #expect(throws: KubeConnectionError.self) { _ = try await client.getPath("/version") }
        #expect(error?.description == "The connection to the server localhost:8080 was refused - did you specify the right host or port?")
    }
}

@Suite struct RequestBehaviourTests {
    @Test func warningsAreUnquotedAndShownOnce() async throws {
        let recorded = try recordedResponse("13-create-unknown-field-warn.json")
        let warnings = WarningCollector()
        let (client, _) = makeClient(onWarning: { warnings.add($0) }) { _, _ in .response(recorded) }
        _ = try await client.create(ociRepositories, namespace: "flux-system", object: ["kind": "OCIRepository"])
        _ = try await client.create(ociRepositories, namespace: "flux-system", object: ["kind": "OCIRepository"])
        #expect(warnings.all == ["unknown field \"spec.tagg\""])
    }

    @Test func unauthorizedRefreshesCredentialsOnceAndRetries() async throws {
        let credential = CountingCredential()
        let (client, transport) = makeClient(credentials: credential) { request, _ in
            request.headers["Authorization"] == "Bearer token-1"
                ? .response(.json(200, ["gitVersion": "v1.28.7"]))
                : .response(.json(401, ["kind": "Status", "reason": "Unauthorized", "message": "Unauthorized", "code": 401]))
        }
        let version = try await client.getPath("/version")
        #expect(version["gitVersion"]?.stringValue == "v1.28.7")
        #expect(transport.requests.map { $0.headers["Authorization"] } == ["Bearer token-0", "Bearer token-1"])
        #expect(credential.invalidations == 1)
    }

    @Test func secondUnauthorizedIsNotRetriedAgain() async throws {
        let credential = CountingCredential()
        let (client, transport) = makeClient(credentials: credential) { _, _ in
            .response(.json(401, ["kind": "Status", "reason": "Unauthorized", "message": "Unauthorized", "code": 401]))
        }
        await #expect(throws: KubeAPIError.self) { _ = try await client.getPath("/version") }
        #expect(transport.requests.count == 2)
    }

    @Test func credentialsNeverTravelOverPlainHTTP() async throws {
        let (client, transport) = makeClient(server: "http://127.0.0.1:8080", credentials: secretToken) { _, _ in
            .response(.json(200, ["gitVersion": "v1"]))
        }
        _ = try await client.getPath("/version")
        #expect(transport.requests.first?.headers["Authorization"] == nil)
    }

    @Test func serverPathPrefixIsKept() async throws {
        let (client, transport) = makeClient(server: "https://127.0.0.1:6443/proxy/k8s/") { _, _ in .response(.json(200, [:])) }
        _ = try await client.getPath("/version")
        #expect(transport.requests.first?.url.path == "/proxy/k8s/version")
    }

    @Test func applyUsesOurFieldManagerAndTheApplyContentType() async throws {
        let (client, transport) = makeClient { _, _ in .response(.json(200, ["kind": "OCIRepository"])) }
        _ = try await client.apply(ociRepositories, namespace: "flux-system", name: "podinfo", object: ["kind": "OCIRepository"], force: true, dryRun: true)
        let request = try #require(transport.requests.first)
        #expect(request.method == "PATCH")
        #expect(request.headers["Content-Type"] == "application/apply-patch+yaml")
        let query = request.url.query ?? ""
        #expect(query.contains("fieldManager=kubectl-gitops") && query.contains("force=true") && query.contains("dryRun=All"))
    }

    @Test func listFollowsContinueTokens() async throws {
        let (client, transport) = makeClient { request, _ in
            if request.url.query?.contains("continue=page2") == true {
                return .response(.json(200, ["items": [["metadata": ["name": "c"]]], "metadata": ["resourceVersion": "9"]]))
            }
            return .response(.json(200, ["items": [["metadata": ["name": "a"]], ["metadata": ["name": "b"]]],
                                         "metadata": ["resourceVersion": "8", "continue": "page2"]]))
        }
        let list = try await client.list(ociRepositories, namespace: "flux-system", pageSize: 2)
        #expect(list.items.compactMap { $0.value(at: "metadata.name")?.stringValue } == ["a", "b", "c"])
        #expect(transport.requests.count == 2)
    }

    @Test func listRestartsWhenAContinueTokenExpires() async throws {
        let expired = try recordedResponse("41-list-continue-expired.json")
        let (client, transport) = makeClient { request, index in
            if request.url.query?.contains("continue=") == true && index == 1 { return .response(expired) }
            if request.url.query?.contains("continue=") == true {
                return .response(.json(200, ["items": [["metadata": ["name": "b"]]], "metadata": ["resourceVersion": "11"]]))
            }
            return .response(.json(200, ["items": [["metadata": ["name": "a"]]], "metadata": ["resourceVersion": "10", "continue": "t"]]))
        }
        let list = try await client.list(ociRepositories, namespace: "flux-system", pageSize: 1)
        #expect(list.items.compactMap { $0.value(at: "metadata.name")?.stringValue } == ["a", "b"])
        #expect(transport.requests.count == 4)
    }
}

let secretToken = StaticCredentialProvider(.bearerToken("secret"), description: "bearer token")
