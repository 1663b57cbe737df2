import Foundation
import Testing
import TestSupport

/// Tests of the kube test server itself: the Python suites replay Tests/Fixtures/kube-api/ and exercise the behaviour
/// the recordings are silent on; the Swift tests below check the launcher and control API over real HTTPS.
@Suite("Kube test server", .serialized)
struct TestServerTests {
    /// Calls the server with the curl CLI; returns status code, headers (lower-cased names) and body.
    struct Answer {
        let status: Int
        let headers: [(String, String)]
        let body: Data

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }

        func header(_ name: String) -> String? {
            headers.first { $0.0 == name.lowercased() }?.1
        }
    }

    static func call(_ server: KubeTestServer, _ method: String, _ path: String, token: String? = "admin-token",
                     contentType: String? = nil, body: String? = nil) throws -> Answer {
        let headerFile = server.stateDir + "/headers-\(UUID().uuidString)"
        var arguments = ["-sS", "--cacert", server.caPath, "-X", method, "-D", headerFile, "-o", "-",
                         "-A", "swift-test/1.0"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let contentType { arguments += ["-H", "Content-Type: \(contentType)"] }
        if body != nil { arguments += ["--data-binary", "@-"] }
        arguments.append(server.url + path)
        let curl = "/usr/bin/curl"
        let result = try KubeTestServer.run(curl, arguments, input: body.map { Data($0.utf8) })
        #expect(result.status == 0, "curl failed: \(result.stderr)")
        let rawHeaders = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: headerFile)
        let lines = rawHeaders.split(separator: "\r\n", omittingEmptySubsequences: true).map(String.init)
        let status = lines.first.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Answer(status: status, headers: headers, body: result.stdout)
    }

    static let ociPath = "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/ocirepositories"

    @Test("Python suites: recordings replay and behaviour beyond them")
    func pythonSuites() async throws {
        let testsDirectory = KubeTestServer.repositoryRoot.appendingPathComponent("Tests/Support/kube-test-server/tests").path
        let python = ProcessInfo.processInfo.environment["KUBE_TEST_PYTHON"] ?? "/usr/bin/env"
        let arguments = python == "/usr/bin/env" ? ["python3", "-m", "unittest", "-v"] : ["-m", "unittest", "-v"]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        // A minute of subprocess: waited for off the cooperative pool, so the other tests keep running.
        let result = try await offPool {
            try KubeTestServer.run(python, arguments, environment: environment, currentDirectory: testsDirectory)
        }
        #expect(result.status == 0, "python unittest failed:\n\(result.stderr)")
        #expect(result.stderr.contains("OK"), "\(result.stderr)")
        #expect(result.stderr.contains("test_recorded_session"))
    }

    @Test("start writes kubeconfig, CA and certificates; stop ends the process")
    func launcherFiles() async throws {
        let server = try await KubeTestServer.start()
        #expect(server.url == "https://127.0.0.1:\(server.port)")
        #expect(server.caPEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        let kubeconfig = try String(contentsOfFile: server.kubeconfigPath, encoding: .utf8)
        #expect(kubeconfig.contains("server: \(server.url)"))
        #expect(server.clientCertPEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(server.clientKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        for context in ["test-admin", "test-cert", "test-viewer", "test-nobody"] {
            #expect(kubeconfig.contains("name: \(context)"))
        }
        #expect(FileManager.default.fileExists(atPath: server.clientCertPath))
        #expect(FileManager.default.fileExists(atPath: server.clientKeyPath))
        let version = try Self.call(server, "GET", "/version")
        #expect(version.status == 200)
        #expect(version.json["gitVersion"] as? String == "v1.28.7")
        let stateDir = server.stateDir
        server.stop()
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: stateDir))
        await #expect(throws: (any Error).self) { try await server.reset() }
    }

    @Test("faults: injected 503 with Retry-After is counted in the request log")
    func faultsAndRequestLog() async throws {
        let server = try await KubeTestServer.start()
        defer { server.stop() }
        try await server.setFaults(failNext: [.init(status: 503, count: 2, retryAfter: "1", pathContains: "ocirepositories")])
        let first = try Self.call(server, "GET", Self.ociPath)
        #expect(first.status == 503)
        #expect(first.header("Retry-After") == "1")
        #expect(first.json["reason"] as? String == "ServiceUnavailable")
        #expect(try Self.call(server, "GET", Self.ociPath).status == 503)
        #expect(try Self.call(server, "GET", Self.ociPath).status == 200)
        let log = try await server.requests()
        #expect(log.map(\.status) == [503, 503, 200])
        #expect(log.map { $0.fault ?? false } == [true, true, false])
        #expect(log.allSatisfy { $0.path == Self.ociPath && $0.auth == "token" && $0.user == "admin" })
        #expect(log.allSatisfy { $0.headers["User-Agent"] == "swift-test/1.0" })
        #expect(!String(decoding: try await server.control("GET", "requests", body: nil), as: UTF8.self).contains("admin-token"))
        try await server.reset()
        #expect(try await server.requests().isEmpty)
    }

    @Test("seed and writeStatus change what clients read, with resourceVersion bumps")
    func seedAndStatus() async throws {
        let server = try await KubeTestServer.start()
        defer { server.stop() }
        let objects: [[String: Any]] = (0..<50).map { index in
            ["apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
             "metadata": ["name": "app-\(index)", "namespace": "flux-system", "labels": ["tier": index < 10 ? "a" : "b"]],
             "spec": ["interval": "1h", "prune": true, "sourceRef": ["kind": "OCIRepository", "name": "app"]]]
        }
        let seededVersion = try await server.seed(objects: objects)
        let path = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations"
        let list = try Self.call(server, "GET", path + "?labelSelector=tier%3Da")
        #expect((list.json["items"] as? [Any])?.count == 10)
        #expect((list.json["metadata"] as? [String: Any])?["resourceVersion"] as? String == seededVersion)
        let updated = try await server.writeStatus(kind: "Kustomization", name: "app-3", status: [
            "observedGeneration": 1,
            "conditions": [["type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                            "message": "Applied revision: v1", "lastTransitionTime": "2026-11-26T01:30:01Z"]],
        ])
        let metadata = updated["metadata"] as? [String: Any]
        #expect(Int(metadata?["resourceVersion"] as? String ?? "") ?? 0 > Int(seededVersion) ?? 0)
        let object = try Self.call(server, "GET", path + "/app-3")
        let status = object.json["status"] as? [String: Any]
        #expect(status?["observedGeneration"] as? Int == 1)
        #expect((object.json["metadata"] as? [String: Any])?["generation"] as? Int == 1)
    }

    @Test("--flux-version none and v1beta2 change discovery")
    func fluxVersions() async throws {
        let none = try await KubeTestServer.start(.init(fluxVersion: .none))
        defer { none.stop() }
        let missing = try Self.call(none, "GET", "/apis/source.toolkit.fluxcd.io/v1")
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self) == "404 page not found\n")
        #expect(missing.header("Content-Type") == "text/plain; charset=utf-8")

        let old = try await KubeTestServer.start(.init(fluxVersion: .v1beta2))
        defer { old.stop() }
        #expect(try Self.call(old, "GET", "/apis/source.toolkit.fluxcd.io/v1").status == 404)
        let served = try Self.call(old, "GET", "/apis/source.toolkit.fluxcd.io/v1beta2")
        #expect(served.status == 200)
        #expect(served.json["groupVersion"] as? String == "source.toolkit.fluxcd.io/v1beta2")
        // Kustomization was already v1 in the Flux releases that served OCIRepository only as v1beta2.
        #expect(try Self.call(old, "GET", "/apis/kustomize.toolkit.fluxcd.io/v1").status == 200)
    }

    @Test("strategic merge patch is refused with 415 like the recording")
    func strategicMerge() async throws {
        let server = try await KubeTestServer.start()
        defer { server.stop() }
        let exchange = try Recordings.load("25-strategic-merge-unsupported.json")
        let answer = try Self.call(server, "PATCH", Self.ociPath + "/podinfo",
                                   contentType: "application/strategic-merge-patch+json", body: "{\"spec\":{}}")
        #expect(answer.status == 415)
        let expected = (exchange["response"] as? [String: Any])?["body"] as? NSDictionary
        #expect(NSDictionary(dictionary: answer.json).isEqual(expected))
    }
}

enum Recordings {
    static func load(_ name: String) throws -> [String: Any] {
        try RepositoryPaths.recordedExchange(name)
    }
}
