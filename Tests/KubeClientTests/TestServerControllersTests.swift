import Foundation
import Testing
import TestSupport

/// The simulated Flux controllers, driven through the launcher, against a docker-registry on 127.0.0.1.
@Suite("Kube test server controllers", .serialized)
struct TestServerControllersTests {
    static func ready(_ object: [String: Any]) -> [String: Any]? {
        let conditions = (object["status"] as? [String: Any])?["conditions"] as? [[String: Any]] ?? []
        return conditions.first { $0["type"] as? String == "Ready" }
    }

    static func waitForReady(_ server: KubeTestServer, _ path: String) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let object = try TestServerTests.call(server, "GET", path).json
            // Ready=Unknown is the controllers' in-progress write; wait for the result.
            if let status = ready(object)?["status"] as? String, status != "Unknown" { return object }
            usleep(50_000)
        }
        throw KubeTestServerError("\(path) never got a settled Ready condition")
    }

    @Test("a source and a Kustomization become Ready from a real registry; status writes are logged")
    func readyFromRegistry() async throws {
        let registry = try await RegistryServer.start(.plainHTTP)
        defer { registry.cleanUp() }
        let digest = try registry.pushFluxArtifact("demo/app", tag: "1.0.0", files: [
            "deploy/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
        ])
        let server = try await KubeTestServer.start(.init(controllers: true))
        defer { server.stop() }
        try await server.setReactionDelay(milliseconds: 100)
        let source = """
            {"apiVersion":"source.toolkit.fluxcd.io/v1","kind":"OCIRepository","metadata":{"name":"app"},
             "spec":{"interval":"1m","url":"oci://\(registry.host)/demo/app","ref":{"tag":"1.0.0"}}}
            """
        let created = try TestServerTests.call(server, "POST", TestServerTests.ociPath, contentType: "application/json",
                                               body: source)
        #expect(created.status == 201)
        let kustomization = """
            {"apiVersion":"kustomize.toolkit.fluxcd.io/v1","kind":"Kustomization","metadata":{"name":"app"},
             "spec":{"interval":"1h","prune":true,"path":"./deploy","targetNamespace":"apps",
                     "sourceRef":{"kind":"OCIRepository","name":"app"}}}
            """
        let ksPath = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations"
        #expect(try TestServerTests.call(server, "POST", ksPath, contentType: "application/json",
                                         body: kustomization).status == 201)

        let sourceObject = try Self.waitForReady(server, TestServerTests.ociPath + "/app")
        #expect(Self.ready(sourceObject)?["status"] as? String == "True")
        #expect(Self.ready(sourceObject)?["message"] as? String == "stored artifact for digest '1.0.0@\(digest)'")

        var ksObject: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            ksObject = try TestServerTests.call(server, "GET", ksPath + "/app").json
            if Self.ready(ksObject)?["status"] as? String == "True" { break }
            usleep(50_000)
        }
        #expect(Self.ready(ksObject)?["message"] as? String == "Applied revision: 1.0.0@\(digest)")
        let status = ksObject["status"] as? [String: Any]
        let entries = (status?["inventory"] as? [String: Any])?["entries"] as? [[String: String]]
        #expect(entries == [["id": "apps_settings__ConfigMap", "v": "v1"]])

        let writes = try await server.statusWrites()
        #expect(writes.contains { $0.kind == "OCIRepository" && $0.name == "app" && $0.ready })
        #expect(writes.contains { $0.kind == "Kustomization" && $0.name == "app" && $0.ready })
        #expect(writes.allSatisfy { $0.time > Date().timeIntervalSince1970 - 60 })
    }

    @Test("a missing tag makes the source Ready=False with the registry's error")
    func missingTag() async throws {
        let registry = try await RegistryServer.start(.plainHTTP)
        defer { registry.cleanUp() }
        _ = try registry.pushFluxArtifact("demo/app", tag: "1.0.0", files: ["a.yaml": "kind: x"])
        let server = try await KubeTestServer.start(.init(controllers: true))
        defer { server.stop() }
        let source = """
            {"apiVersion":"source.toolkit.fluxcd.io/v1","kind":"OCIRepository","metadata":{"name":"app"},
             "spec":{"interval":"1m","url":"oci://\(registry.host)/demo/app","ref":{"tag":"2.0.0"}}}
            """
        _ = try TestServerTests.call(server, "POST", TestServerTests.ociPath, contentType: "application/json", body: source)
        let object = try Self.waitForReady(server, TestServerTests.ociPath + "/app")
        let ready = Self.ready(object)
        #expect(ready?["status"] as? String == "False")
        #expect(ready?["reason"] as? String == "OCIArtifactPullFailed")
        #expect(ready?["message"] as? String == "failed to determine artifact digest: GET http://\(registry.host)"
            + "/v2/demo/app/manifests/2.0.0: MANIFEST_UNKNOWN: manifest unknown; map[Tag:2.0.0]")
    }
}
