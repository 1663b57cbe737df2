import Foundation
import Testing
import TestSupport

/// The whole loop against the simulated Flux controllers, which pull from a real docker-registry: push with our
/// own `push artifact`, bootstrap, push a change, reconcile.
@Suite(.serialized) struct ReconcileEndToEndTests {
    @Test func reconcileAppliesANewPushAndFailsFastOnInvalidManifests() async throws {
        let registry = try await RegistryServer.start(.plainHTTP)
        defer { registry.cleanUp() }
        let server = try await KubeTestServer.start(.init(controllers: true, reactionDelayMilliseconds: 50))
        defer { server.stop() }
        let environment = ["KUBECONFIG": server.kubeconfigPath]
        let url = "oci://\(registry.host)/apps/podinfo"

        func push(_ manifests: String, revision: String) async throws -> String {
            let pushed = await runCLI(["push", "artifact", "\(url):staging", "--source=https://example.test/podinfo",
                                       "--revision=\(revision)", "--path=-", "-o", "json"],
                                      environment: environment, stdin: Data(manifests.utf8))
            #expect(pushed.code == 0, "\(pushed.stderr)")
            let answer = try JSONSerialization.jsonObject(with: Data(pushed.stdout.utf8)) as? [String: Any]
            return try #require(answer?["digest"] as? String)
        }

        _ = try await push("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  replicas: \"2\"\n---\n", revision: "1")
        let bootstrap = await runCLI(["bootstrap", "oci", "podinfo", "--url", url, "--tag", "staging",
                                      "--target-namespace", "apps", "--timeout", "30s"], environment: environment)
        #expect(bootstrap.code == 0, "\(bootstrap.stderr)")

        // A change: reconcile with the source first applies the new digest.
        let changed = try await push("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  replicas: \"3\"\n---\n", revision: "2")
        let applied = await runCLI(["reconcile", "ks", "podinfo", "--with-source", "--timeout", "30s"], environment: environment)
        #expect(applied.code == 0, "\(applied.stderr)")
        #expect(applied.stderr.contains("✔ fetched revision staging@\(changed) in "))
        #expect(applied.stderr.contains("✔ applied revision staging@\(changed) in "))

        // Invalid YAML: the controller reports the parse error with ProgressingWithRetry, and the command ends with
        // it on the watch event that carried it, not after --timeout and not by polling. (Status write → exit is a
        // `make bench` figure.)
        _ = try await push("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n", revision: "3")
        let mark = try await server.requests().last?.seq ?? 0
        let failed = await runCLI(["reconcile", "ks", "podinfo", "--with-source", "--timeout", "10m"], environment: environment)
        #expect(failed.code == 1)
        #expect(failed.stderr.contains("✗ Kustomization flux-system/podinfo reconciliation failed: kustomize build failed: resources.yaml: "), "\(failed.stderr)")
        #expect(!failed.stderr.contains("timed out"), "\(failed.stderr)")
        let kustomizationRequests = try await server.requests().filter { request in
            request.seq > mark && (request.path.hasSuffix("/kustomizations/podinfo")
                || request.path.hasSuffix("/kustomizations") && request.query["fieldSelector"] == "metadata.name=podinfo")
        }
        let watches = kustomizationRequests.filter { ["1", "true"].contains($0.query["watch"] ?? "") }
        let reads = kustomizationRequests.filter { $0.method == "GET" && $0.query["watch"] == nil }
        #expect(!watches.isEmpty, "\(kustomizationRequests.map { "\($0.method) \($0.path) \($0.query)" })")
        #expect(reads.count <= 2, "polled: \(reads.count) GETs of the Kustomization")
    }
}
