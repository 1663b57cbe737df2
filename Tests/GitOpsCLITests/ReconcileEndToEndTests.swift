import Foundation
import Testing
import TestSupport

/// The whole loop against the simulated Flux controllers, which pull from a real docker-registry: push with our
/// own `push artifact`, bootstrap, push a change, reconcile.
@Suite(.serialized) struct ReconcileEndToEndTests {
    @Test func reconcileAppliesANewPushAndFailsFastOnInvalidManifests() async throws {
        let registry = try RegistryServer.start(.plainHTTP)
        defer { registry.cleanUp() }
        let server = try KubeTestServer.start(.init(controllers: true, reactionDelayMilliseconds: 50))
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

        // Invalid YAML: the controller reports the parse error with ProgressingWithRetry, and the command ends at
        // once with it — within a second of the status write, not after --timeout.
        _ = try await push("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n", revision: "3")
        try server.control("DELETE", "status-writes", body: nil)
        // The real binary, waited for synchronously: busy test tasks in this process cannot delay the measurement.
        let failed = try Self.runTimed(try ArtifactInterruptTests.binary(), ["reconcile", "ks", "podinfo", "--with-source", "--timeout", "2m"],
                                       environment: environment)
        let exited = failed.exited
        #expect(failed.code == 1)
        #expect(failed.stderr.contains("✗ Kustomization flux-system/podinfo reconciliation failed: kustomize build failed: resources.yaml: "), "\(failed.stderr)")
        let write = try #require(try server.statusWrites().last { $0.kind == "Kustomization" && $0.name == "podinfo" })
        #expect(!write.ready)
        #expect(exited - write.time < 1.0, "the command noticed the failure \(exited - write.time) s after the status write")
    }

    /// Runs a process to its end; `exited` is the wall-clock time at which the blocking wait returned.
    static func runTimed(_ path: String, _ arguments: [String], environment: [String: String]) throws -> (code: Int32, stderr: String, exited: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ["HOME": CLITestPaths.emptyHome, "PATH": "/usr/bin:/bin"].merging(environment) { _, given in given }
        let errorPath = CLITestPaths.temporaryDirectory("timed") + "/stderr"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let exited = Date().timeIntervalSince1970
        return (process.terminationStatus, (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "", exited)
    }
}
