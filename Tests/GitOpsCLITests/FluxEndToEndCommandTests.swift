import Foundation
import Testing
import TestSupport

/// create/bootstrap against the simulated Flux controllers, which pull from a real docker-registry on 127.0.0.1.
@Suite(.serialized) struct FluxEndToEndCommandTests {
    @Test func bootstrapBecomesReadyFromARealRegistryAndAMissingTagFailsFast() async throws {
        let registry = try await RegistryServer.start(.plainHTTP)
        defer { registry.cleanUp() }
        let digest = try registry.pushFluxArtifact("demo/app", tag: "1.0.0", files: [
            "deploy/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
        ])
        try await withOwnServer(.init(controllers: true, reactionDelayMilliseconds: 100)) { server in
            let result = await runFlux(["bootstrap", "oci", "app", "--url", "oci://\(registry.host)/demo/app", "--tag", "1.0.0",
                                        "--path", "./deploy", "--target-namespace", "apps", "--timeout", "30s"], server: server)
            #expect(result.code == 0, "\(result.stderr)")
            #expect(result.stderr.contains("✔ fetched revision: 1.0.0@\(digest)\n"))
            #expect(result.stderr.hasSuffix("✔ Kustomization app is ready\n✔ applied revision 1.0.0@\(digest)\n"))

            let table = await runFlux(["get", "all"], server: server)
            #expect(table.stdout.contains("ocirepository/app"))
            #expect(table.stdout.contains("kustomization/app"))
            #expect(!table.stdout.contains("\tFalse\t"), "\(table.stdout)")

            // A tag the registry does not have: the controller reports the pull failure, and create stops at once.
            let missing = await runFlux(["create", "source", "oci", "gone", "--url", "oci://\(registry.host)/demo/app",
                                         "--tag", "9.9.9", "--timeout", "10m"], server: server)
            #expect(missing.code == 1)
            #expect(missing.stderr.contains("reconciliation failed"), "\(missing.stderr)")
            #expect(missing.stderr.contains("MANIFEST_UNKNOWN"), "\(missing.stderr)")
            #expect(!missing.stderr.contains("timed out"), "a failed pull must not wait out --timeout: \(missing.stderr)")
        }
    }
}
