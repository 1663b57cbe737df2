import Foundation
import GitOpsCLI
import JSON
import Testing
import TestSupport

// Helpers shared by the Flux command tests (the file name keeps them with those tests).

/// Runs the command line like `runCLI`, with the clock `now` (AGE columns) fixed when given.
func runFlux(_ arguments: [String], server: KubeTestServer, now: Date? = nil, stdinIsTerminal: Bool = false,
             answers: [String] = []) async -> CLIResult {
    // Completion lists answer within the product's 1 s only on an idle machine; a full parallel test run needs more.
    let completionTimeout = "30"
    guard let now else {
        return await runCLI(arguments, environment: ["KUBECONFIG": server.kubeconfigPath, "KUBECTL_GITOPS_COMPLETION_TIMEOUT": completionTimeout],
                            stdinIsTerminal: stdinIsTerminal, answers: answers)
    }
    let (console, out, err) = Console.capturing()
    let answerQueue = AnswerQueue(answers)
    let context = CommandContext(
        environment: ["HOME": CLITestPaths.emptyHome, "KUBECONFIG": server.kubeconfigPath, "KUBECTL_GITOPS_COMPLETION_TIMEOUT": completionTimeout],
        workingDirectory: FileManager.default.currentDirectoryPath, console: console,
        transportFactory: CommandContext.live().transportFactory, stdinIsTerminal: stdinIsTerminal,
        readLine: { answerQueue.next() }, now: { now })
    let code = await CLI.run(arguments: arguments, context: context)
    return CLIResult(code: code, stdout: out.text, stderr: err.text)
}

enum FluxFixtures {
    static let digest = "6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871"
    static let revision = "6.3.5@sha256:\(digest)"

    /// A namespace of its own for one test on a shared server.
    static func namespace(_ server: KubeTestServer, _ label: String) throws -> String {
        let name = "\(label)-\(UUID().uuidString.prefix(6).lowercased())"
        let body = #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(name)"}}"#
        let (status, output, errors) = try KubeTestServer.run(
            "/usr/bin/curl", ["-sS", "--fail", "--cacert", server.caPath, "-H", "Authorization: Bearer \(server.adminToken)",
                              "-H", "Content-Type: application/json", "--data-binary", body, "\(server.url)/api/v1/namespaces"])
        guard status == 0 else {
            throw KubeTestServerError("creating namespace \(name) failed: \(errors) \(String(decoding: output, as: UTF8.self))")
        }
        return name
    }

    static func readyStatus(_ kind: String, generation: Int, revision: String = revision) -> [String: Any] {
        let message = kind == "OCIRepository" ? "stored artifact for digest '\(revision)'" : "Applied revision: \(revision)"
        var status: [String: Any] = [
            "observedGeneration": generation,
            "conditions": [["type": "Ready", "status": "True", "reason": "Succeeded", "message": message,
                            "observedGeneration": generation, "lastTransitionTime": "2026-01-01T00:00:00Z"]],
        ]
        if kind == "OCIRepository" {
            status["artifact"] = ["revision": revision, "digest": "sha256:\(digest)", "path": "x", "url": "http://x",
                                  "lastUpdateTime": "2026-01-01T00:00:00Z"]
        } else {
            status["lastAppliedRevision"] = revision
        }
        return status
    }

    static func ociRepository(_ name: String, namespace: String, tag: String = "6.3.5", ready: Bool = true,
                              suspended: Bool = false, labels: [String: String] = [:]) -> [String: Any] {
        var spec: [String: Any] = ["url": "oci://ghcr.io/stefanprodan/manifests/\(name)", "interval": "10m", "ref": ["tag": tag]]
        if suspended { spec["suspend"] = true }
        var metadata: [String: Any] = ["name": name, "namespace": namespace]
        if !labels.isEmpty { metadata["labels"] = labels }
        var object: [String: Any] = ["apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
                                     "metadata": metadata, "spec": spec]
        if ready { object["status"] = readyStatus("OCIRepository", generation: 1) }
        return object
    }

    static func kustomization(_ name: String, namespace: String, ready: Bool = true, suspended: Bool = false) -> [String: Any] {
        var spec: [String: Any] = ["sourceRef": ["kind": "OCIRepository", "name": name], "interval": "5m", "prune": true,
                                   "path": "./deploy"]
        if suspended { spec["suspend"] = true }
        var object: [String: Any] = ["apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                                     "metadata": ["name": name, "namespace": namespace], "spec": spec]
        if ready {
            object["status"] = readyStatus("Kustomization", generation: 1)
        } else {
            object["status"] = ["observedGeneration": 1, "conditions": [[
                "type": "Ready", "status": "False", "reason": "ArtifactFailed",
                "message": "Source artifact not found, retrying in 30s", "lastTransitionTime": "2026-01-01T00:00:00Z"]]]
        }
        return object
    }

    /// Plays the controller: once `isDue` holds for the stored object, writes a Ready status for its generation.
    /// Runs beside a command that waits for Ready.
    static func markReady(_ server: KubeTestServer, kind: String, namespace: String, name: String,
                          revision: String = revision,
                          when isDue: @escaping @Sendable ([String: Any]) -> Bool = { _ in true }) -> Task<Bool, Never> {
        Task.detached {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                // An empty merge reads the object (and fails while it does not exist yet).
                if let object = try? await server.writeStatus(kind: kind, namespace: namespace, name: name, status: [:], merge: true),
                   isDue(object) {
                    let metadata = object["metadata"] as? [String: Any] ?? [:]
                    let generation = metadata["generation"] as? Int ?? 1
                    if await (try? server.writeStatus(kind: kind, namespace: namespace, name: name,
                                                status: readyStatus(kind, generation: generation, revision: revision))) != nil {
                        return true
                    }
                }
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
            return false
        }
    }

    /// The object as the server stores it, read through the CLI.
    static func stored(_ server: KubeTestServer, _ kindArguments: [String], name: String, namespace: String) async throws -> JSONValue {
        let result = await runFlux(["get"] + kindArguments + [name, "-n", namespace, "-o", "json"], server: server)
        try #require(result.code == 0, "\(result.stderr)")
        return try JSONValue(parsing: result.stdout)
    }
}

/// One fresh server per test that asserts on the request log or injects faults.
func withOwnServer<T>(_ options: KubeTestServer.Options = .init(), _ body: (KubeTestServer) async throws -> T) async throws -> T {
    let server = try await KubeTestServer.start(options)
    defer { server.stop() }
    return try await body(server)
}

/// Our own golden files, for outputs flux has no golden of (the AGE column, `-o json|yaml`, bootstrap):
/// `Tests/GitOpsCLITests/Goldens/`. `UPDATE_GOLDENS=1` rewrites a differing one and still fails the test, so a
/// rewritten golden is reviewed in the diff and can never pass silently.
enum FluxGoldens {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
            let current = try? String(contentsOf: url, encoding: .utf8)
            if current != actual {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
            }
            Issue.record("UPDATE_GOLDENS=1: golden \(name) \(current == actual ? "unchanged" : "rewritten"); review it and run again without UPDATE_GOLDENS",
                         sourceLocation: sourceLocation)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "golden \(name) differs", sourceLocation: sourceLocation)
    }

    /// A flux golden from Tests/Fixtures/flux-goldens with `{{ .ns }}` filled in.
    static func flux(_ relativePath: String, namespace: String = "") throws -> String {
        try RepositoryPaths.fixtureText("flux-goldens/\(relativePath)").replacingOccurrences(of: "{{ .ns }}", with: namespace)
    }
}
