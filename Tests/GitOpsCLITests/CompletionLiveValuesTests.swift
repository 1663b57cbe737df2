import Flux
import Foundation
import HTTPTransport
import Testing
import TestSupport
@testable import GitOpsCLI

/// Answers a namespace list only after 30 s and ignores cancellation, like a request stuck on a silent server: the
/// deadline must not wait for it.
struct UnansweredTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + 30) { continuation.resume() }
        }
        return .json(200, ["kind": "NamespaceList", "apiVersion": "v1", "metadata": ["resourceVersion": "1"],
                           "items": [["metadata": ["name": "too-late"]]]])
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        throw TransportError(kind: .other, server: "test", message: "no streams")
    }
}

private func scope(_ arguments: [String]) throws -> CompletionScope {
    CompletionScope(kube: try KubeOptions.parse(arguments))
}

private func context(environment: [String: String] = [:], transport: @escaping @Sendable () -> any HTTPTransport) -> CommandContext {
    CommandContext(environment: environment, workingDirectory: "/", console: Console.capturing().console,
                   transportFactory: { _ in transport() })
}

/// Tests that are not about the deadline: long enough that a full parallel run on 2 cores never reaches it.
let testDeadline = 30.0

@Test func kubeconfigNamesFollowKUBECONFIGOrderAndFlag() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try """
    apiVersion: v1
    kind: Config
    contexts:
    - name: dev
      context: {cluster: kind-dev, namespace: apps}
    - name: shared
      context: {cluster: one}
    clusters: [{name: kind-dev, cluster: {server: "https://127.0.0.1:1"}}]
    """.write(to: directory.appendingPathComponent("a"), atomically: true, encoding: .utf8)
    try """
    current-context: prod
    contexts:
    - name: shared
      context: {cluster: two}
    - name: prod
      context: {cluster: prod}
    """.write(to: directory.appendingPathComponent("b"), atomically: true, encoding: .utf8)

    let live = LiveCompletionValues(context: CommandContext(
        environment: ["KUBECONFIG": "a:b:missing", "HOME": directory.path], workingDirectory: directory.path,
        console: Console.capturing().console, transportFactory: { _ in UnansweredTransport() }))
    let contexts = KubeconfigNames.read(.contexts, scope: try scope([]), context: live.context)
    #expect(contexts.map(\.value) == ["dev", "prod", "shared"])
    #expect(contexts.first?.description == "cluster kind-dev, namespace apps")
    #expect(contexts.last?.description == "cluster one", "the first file naming a context wins")
    #expect(KubeconfigNames.read(.clusters, scope: try scope([]), context: live.context).map(\.value) == ["kind-dev"])
    #expect(KubeconfigNames.read(.contexts, scope: try scope(["--kubeconfig", "b"]), context: live.context).map(\.value) == ["prod", "shared"])
    #expect(KubeconfigNames.read(.contexts, scope: try scope(["--kubeconfig", "nope"]), context: live.context).isEmpty)
}

@Test func liveNamesComeFromTheListInTheTypedNamespace() async throws {
    let transport = ScriptedTransport { request, _ in
        guard request.url.path == "/apis/source.toolkit.fluxcd.io/v1/namespaces/apps/ocirepositories" else {
            return .response(.json(404, ["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404]))
        }
        return .response(.json(200, [
            "kind": "OCIRepositoryList", "apiVersion": "source.toolkit.fluxcd.io/v1", "metadata": ["resourceVersion": "7"],
            "items": [
                ["metadata": ["name": "podinfo"], "status": ["conditions": [["type": "Ready", "status": "True"]]]],
                ["metadata": ["name": "redis"]],
            ],
        ]))
    }
    let live = LiveCompletionValues(context: context(transport: { transport }), deadlineSeconds: testDeadline)
    let names = await live.candidates(for: .fluxNames(.ociRepository, prefix: ""),
                                      scope: try scope(["--server", "https://127.0.0.1:6443", "-n", "apps"]))
    #expect(names == [CompletionCandidate("podinfo", description: "Ready"), CompletionCandidate("redis")])
}

@Test func olderFluxIsListedThroughV1beta2() async throws {
    let transport = ScriptedTransport { request, _ in
        if request.url.path.contains("/v1beta2/") {
            return .response(.json(200, ["kind": "KustomizationList", "metadata": ["resourceVersion": "1"],
                                         "items": [["metadata": ["name": "apps"]]]]))
        }
        return .response(.json(404, ["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404]))
    }
    let live = LiveCompletionValues(context: context(transport: { transport }), deadlineSeconds: testDeadline)
    let names = await live.candidates(for: .fluxNames(.kustomization, prefix: ""), scope: try scope(["--server", "https://127.0.0.1:6443"]))
    #expect(names.map(\.value) == ["apps"])
    #expect(transport.requests.map(\.url.path) == [
        "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations",
        "/apis/kustomize.toolkit.fluxcd.io/v1beta2/namespaces/flux-system/kustomizations",
    ])
}

@Test func aClusterThatDoesNotAnswerYieldsNothingWithinTheDeadline() async throws {
    let live = LiveCompletionValues(context: context(transport: { UnansweredTransport() }), deadlineSeconds: 0.3)
    let names = await live.candidates(for: .namespaces, scope: try scope(["--server", "https://127.0.0.1:6443"]))
    // The transport would answer "too-late" after 30 s: nothing means the deadline ended the lookup first.
    #expect(names.isEmpty)
}

@Test func theProductionDeadlineIsOneSecondUnlessTheEnvironmentSaysOtherwise() {
    #expect(LiveCompletionValues(context: context(transport: { UnansweredTransport() })).deadlineSeconds == 1)
    #expect(LiveCompletionValues.deadline(environment: [:]) == 1)
    #expect(LiveCompletionValues.deadline(environment: ["KUBECTL_GITOPS_COMPLETION_TIMEOUT": "4.5"]) == 4.5)
    for unusable in ["", "0", "-2", "soon", "inf"] {
        #expect(LiveCompletionValues.deadline(environment: ["KUBECTL_GITOPS_COMPLETION_TIMEOUT": unusable]) == 1, "\(unusable)")
    }
}

@Test func errorsFromTheClusterYieldNothing() async throws {
    let transport = ScriptedTransport { _, _ in
        .response(.json(403, ["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403]))
    }
    let (console, stdout, stderr) = Console.capturing()
    let live = LiveCompletionValues(context: CommandContext(environment: [:], workingDirectory: "/", console: console,
                                                            transportFactory: { _ in transport }), deadlineSeconds: testDeadline)
    #expect(await live.candidates(for: .namespaces, scope: try scope(["--server", "https://127.0.0.1:6443"])).isEmpty)
    #expect(stdout.text.isEmpty && stderr.text.isEmpty)
}
