import Foundation
import Testing
import TestSupport

private let sourceGroup = "source.toolkit.fluxcd.io"
private let kustomizeGroup = "kustomize.toolkit.fluxcd.io"

private func ociRepository(_ name: String, suspended: Bool = false, namespace: String = "flux-system") -> [String: Any] {
    var spec: [String: Any] = ["interval": "1m", "url": "oci://127.0.0.1:5999/\(name)", "ref": ["tag": "latest"]]
    if suspended { spec["suspend"] = true }
    return ["apiVersion": "\(sourceGroup)/v1", "kind": "OCIRepository", "metadata": ["name": name, "namespace": namespace], "spec": spec]
}

private func kustomization(_ name: String, source: String) -> [String: Any] {
    ["apiVersion": "\(kustomizeGroup)/v1", "kind": "Kustomization", "metadata": ["name": name, "namespace": "flux-system"],
     "spec": ["interval": "1h", "path": "./", "prune": true, "sourceRef": ["kind": "OCIRepository", "name": source]]]
}

private func readyStatus(token: String, ready: Bool, message: String, reason: String, revisionKey: String, reconciling: String? = nil) -> [String: Any] {
    var conditions: [[String: Any]] = [["type": "Ready", "status": ready ? "True" : "False", "reason": reason, "message": message,
                                        "lastTransitionTime": "2026-11-26T00:00:00Z"]]
    if let reconciling {
        conditions.append(["type": "Reconciling", "status": "True", "reason": reconciling, "message": message,
                           "lastTransitionTime": "2026-11-26T00:00:00Z"])
    }
    var status: [String: Any] = ["lastHandledReconcileAt": token, "observedGeneration": 1, "conditions": conditions]
    if revisionKey == "artifact" {
        status["artifact"] = ["revision": "6.3.5@sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871",
                              "digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                              "lastUpdateTime": "2026-11-26T00:00:00Z", "path": "x", "url": "http://x", "size": 1]
    } else {
        status["lastAppliedRevision"] = "6.3.5@sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871"
    }
    return status
}

/// Reads an object with curl and the admin token.
private func fetch(_ server: KubeTestServer, group: String, plural: String, name: String) throws -> [String: Any] {
    let result = try KubeTestServer.run("/usr/bin/curl", ["-sS", "--cacert", server.caPath, "-H", "Authorization: Bearer \(server.adminToken)",
                                                          "\(server.url)/apis/\(group)/v1/namespaces/flux-system/\(plural)/\(name)"])
    return try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] ?? [:]
}

/// A stand-in controller: waits for a new requestedAt token on the object, then writes the status `makeStatus` gives.
private func answerReconcile(_ server: KubeTestServer, kind: String, group: String, plural: String, name: String,
                             delay: TimeInterval = 0, makeStatus: @escaping @Sendable (String) -> [String: Any]) -> Task<String?, Error> {
    Task.detached {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let object = try fetch(server, group: group, plural: plural, name: name)
            let annotations = (object["metadata"] as? [String: Any])?["annotations"] as? [String: String]
            if let token = annotations?["reconcile.fluxcd.io/requestedAt"] {
                if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
                try await server.writeStatus(kind: kind, name: name, status: makeStatus(token))
                return token
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return nil
    }
}

@Suite(.serialized) struct ReconcileCommandTests {
    let server: KubeTestServer

    init() async throws {
        server = try await KubeTestServer.start()
    }

    var environment: [String: String] { ["KUBECONFIG": server.kubeconfigPath] }

    @Test func sourceSuccessPrintsFluxLinesAndTheRevision() async throws {
        try await server.seed(objects: [ociRepository("podinfo")])
        let controller = answerReconcile(server, kind: "OCIRepository", group: sourceGroup, plural: "ocirepositories", name: "podinfo") {
            readyStatus(token: $0, ready: true, message: "stored artifact for digest '6.3.5@sha256:6c959c51'", reason: "Succeeded", revisionKey: "artifact")
        }
        let result = await runCLI(["reconcile", "source", "oci", "podinfo"], environment: environment)
        let token = try await controller.value
        #expect(result.code == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(Array(lines.prefix(3)) == ["► annotating OCIRepository podinfo in flux-system namespace", "✔ OCIRepository annotated",
                                           "◎ waiting for OCIRepository reconciliation"])
        #expect(lines.last?.hasPrefix("✔ fetched revision 6.3.5@sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871 in ") == true)
        // RFC3339Nano in UTC.
        #expect(token?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"#, options: .regularExpression) != nil)
        let requests = try await server.requests()
        let patch = try #require(requests.first { $0.method == "PATCH" })
        #expect(patch.headers["Content-Type"] == "application/merge-patch+json")
        // Waiting is a watch, never a poll: one watch request and no repeated GETs of the object.
        #expect(requests.filter { $0.query["watch"] != nil }.count >= 1)
        let ours = requests.filter { $0.headers["User-Agent"]?.hasPrefix("kubectl-gitops/") == true }
        #expect(ours.filter { $0.method == "GET" && $0.query["watch"] == nil && $0.path.hasSuffix("/podinfo") }.count == 1)
    }

    @Test func kustomizationFailureFailsFastWithTheControllersMessage() async throws {
        try await server.seed(objects: [ociRepository("app"), kustomization("app", source: "app")])
        let controller = answerReconcile(server, kind: "Kustomization", group: kustomizeGroup, plural: "kustomizations", name: "app") {
            readyStatus(token: $0, ready: false, message: "kustomize build failed: yaml: line 3: could not find expected ':'",
                        reason: "BuildFailed", revisionKey: "applied", reconciling: "ProgressingWithRetry")
        }
        let result = await runCLI(["reconcile", "ks", "app", "--timeout", "10m"], environment: environment)
        _ = try await controller.value
        #expect(result.code == 1)
        #expect(result.stderr.contains("✗ Kustomization flux-system/app reconciliation failed: kustomize build failed: yaml: line 3: could not find expected ':'"))
        // Failed fast on the controller's word, not by waiting out --timeout.
        #expect(!result.stderr.contains("timed out"), "\(result.stderr)")
    }

    @Test func withSourceReconcilesTheSourceFirst() async throws {
        try await server.seed(objects: [ociRepository("web"), kustomization("web", source: "web")])
        let source = answerReconcile(server, kind: "OCIRepository", group: sourceGroup, plural: "ocirepositories", name: "web") {
            readyStatus(token: $0, ready: true, message: "stored artifact", reason: "Succeeded", revisionKey: "artifact")
        }
        let applier = answerReconcile(server, kind: "Kustomization", group: kustomizeGroup, plural: "kustomizations", name: "web") {
            readyStatus(token: $0, ready: true, message: "Applied revision", reason: "ReconciliationSucceeded", revisionKey: "applied")
        }
        let result = await runCLI(["reconcile", "kustomization", "web", "--with-source"], environment: environment)
        _ = try await (source.value, applier.value)
        #expect(result.code == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "► annotating OCIRepository web in flux-system namespace")
        #expect(lines.contains("► annotating Kustomization web in flux-system namespace"))
        #expect(lines.last?.hasPrefix("✔ applied revision 6.3.5@sha256:") == true)
    }

    @Test func suspendedObjectIsRefusedAndNotPatched() async throws {
        try await server.seed(objects: [ociRepository("frozen", suspended: true)])
        try await server.clearRequests()
        let result = await runCLI(["reconcile", "source", "oci", "frozen"], environment: environment)
        #expect(result.code == 1)
        #expect(result.stderr.contains("✗ OCIRepository flux-system/frozen is suspended; run kubectl gitops resume source oci frozen first"))
        #expect(try await server.requests().allSatisfy { $0.method != "PATCH" })
    }

    @Test func timeoutQuotesTheLastMessageAndHowLongItWaited() async throws {
        try await server.seed(objects: [ociRepository("slow")])
        let result = await runCLI(["reconcile", "source", "oci", "slow", "--timeout", "1s"], environment: environment)
        #expect(result.code == 1)
        #expect(result.stderr.contains("✗ timed out after "), "\(result.stderr)")
        #expect(result.stderr.contains("waiting for OCIRepository flux-system/slow to become ready; last status: waiting for the controller to handle the reconcile request"))
    }

    @Test func waitFalseOnlyRequestsAndPrintsTheToken() async throws {
        try await server.seed(objects: [ociRepository("fire")])
        let result = await runCLI(["reconcile", "source", "oci", "fire", "--wait=false"], environment: environment)
        #expect(result.code == 0, "\(result.stderr)")
        let object = try fetch(server, group: sourceGroup, plural: "ocirepositories", name: "fire")
        let annotations = (object["metadata"] as? [String: Any])?["annotations"] as? [String: String]
        #expect(result.stdout == (annotations?["reconcile.fluxcd.io/requestedAt"] ?? "?") + "\n")
        #expect(!result.stderr.contains("◎ waiting"))
    }

    @Test func aWatchCutMidWaitStillEndsWithTheRightOutcome() async throws {
        try await server.seed(objects: [ociRepository("cut")])
        // The first watch is cut right after one event (an intermediate status); the final status comes later,
        // after the client has watched again from the version it last saw.
        try await server.setFaults(cutWatchAfterEvents: 1, cutWatchCount: 1)
        let controller = Task.detached { [server] in
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                let object = try fetch(server, group: sourceGroup, plural: "ocirepositories", name: "cut")
                let annotations = (object["metadata"] as? [String: Any])?["annotations"] as? [String: String]
                if let token = annotations?["reconcile.fluxcd.io/requestedAt"] {
                    try await Task.sleep(nanoseconds: 200_000_000)
                    try await server.writeStatus(kind: "OCIRepository", name: "cut", status: ["observedGeneration": 1])
                    try await Task.sleep(nanoseconds: 500_000_000)
                    try await server.writeStatus(kind: "OCIRepository", name: "cut", status: readyStatus(
                        token: token, ready: true, message: "stored artifact", reason: "Succeeded", revisionKey: "artifact"))
                    return
                }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        let result = await runCLI(["reconcile", "source", "oci", "cut"], environment: environment)
        try await controller.value
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr.contains("✔ fetched revision 6.3.5@sha256:"))
        let watches = try await server.requests().filter { $0.query["watch"] != nil }
        #expect(watches.count >= 2)
        // The second watch resumes from the intermediate event's version rather than starting over.
        #expect(watches.count >= 2 && watches[1].query["resourceVersion"] != watches[0].query["resourceVersion"])
    }

    @Test func missingObjectGivesTheServersNotFound() async throws {
        let result = await runCLI(["reconcile", "ks", "ghost"], environment: environment)
        #expect(result.code == 1)
        #expect(result.stderr.contains("✗ Error from server (NotFound): kustomizations.kustomize.toolkit.fluxcd.io \"ghost\" not found"))
    }

    @Test func nameOrAllIsRequired() async throws {
        try await server.clearRequests()
        let result = await runCLI(["reconcile", "ks"], environment: environment)
        #expect(result.code == 64)
        #expect(result.stderr.contains("name is required (or --all)"))
        #expect(try await server.requests().isEmpty)
    }
}
