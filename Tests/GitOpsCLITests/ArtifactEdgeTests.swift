import Foundation
import HTTPTransport
import OCI
import Testing
import TestSupport
@testable import GitOpsCLI

/// Push paths beyond the happy one: refused pushes, flux 2.9's empty config, and digests pinned across machines.
@Suite(.serialized) struct ArtifactEdgeTests {
    @Test func aRefusedPushLeavesTheTagWhereItWas() async throws {
        let config = RegistryServer.TokenAuthConfig(users: [
            "bob": (password: "builder", grants: ["*": ["pull", "push"]]),
            "reader": (password: "readonly", grants: ["*": ["pull"]]),
        ])
        let server = try await RegistryServer.start(.tokenAuth(config))
        defer { server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("refused")
        let url = "oci://\(server.host)/refused/app:v1"
        let first = await runCLI(["push", "artifact", url, "--path", tree, "--source", "s", "--revision", "r1", "--creds", "bob:builder"])
        let digest = try #require(ArtifactCLITest.pushedDigest(first.stderr), "\(first.stderr)")

        try "changed\n".write(toFile: tree + "/namespace.yaml", atomically: true, encoding: .utf8)
        let refused = await runCLI(["push", "artifact", url, "--path", tree, "--source", "s", "--revision", "r2", "--creds", "reader:readonly"])
        #expect(refused.code == 1)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 3 && lines.last?.hasPrefix("✗ push to \(server.host)/refused/app failed: ") == true, "\(refused.stderr)")
        #expect(!refused.stderr.contains("readonly"))
        let registry = ArtifactRegistry(server: server, cliFlags: [], skopeoCreds: "bob:builder")
        await #expect(try ArtifactCLITest.sha256(ofData: registry.rawManifest("refused/app:v1")) == digest)
    }

    /// flux 2.9 writes a config without diff_ids: --skip-unchanged then compares layer digests, which match when the
    /// same tool built the layer.
    @Test func skipUnchangedFallsBackToTheLayerDigest() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("fallback")
        let out = CLITestPaths.temporaryDirectory("fallback-layer")
        let built = await runCLI(["build", "artifact", "--path", tree, "-o", out + "/layer.tgz"])
        #expect(built.code == 0, "\(built.stderr)")
        let layer = try Data(contentsOf: URL(fileURLWithPath: out + "/layer.tgz"))
        let layerDigest = try await ArtifactCLITest.sha256(ofData: layer)
        let emptyConfig = Data(#"{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}"#.utf8)
        let configDigest = try await ArtifactCLITest.sha256(ofData: emptyConfig)
        let manifest = Data("""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
        "config":{"mediaType":"application/vnd.cncf.flux.config.v1+json","size":\(emptyConfig.count),"digest":"\(configDigest)"},\
        "layers":[{"mediaType":"application/vnd.cncf.flux.content.v1.tar+gzip","size":\(layer.count),"digest":"\(layerDigest)"}],\
        "annotations":{"org.opencontainers.image.created":"2025-01-15T13:50:15Z","org.opencontainers.image.revision":"r","org.opencontainers.image.source":"s"}}
        """.utf8)
        let client = RegistryClient(transport: CurlTransport(options: TransportOptions()), options: RegistryClientOptions(plainHTTP: true))
        let reference = try OCIReference(parsing: registry.url("fallback/app:v1"))
        let pushed = try await client.push(layerFile: out + "/layer.tgz", layerDigest: layerDigest, layerSize: Int64(layer.count),
                                           config: emptyConfig, manifest: manifest, to: reference)
        let uploads = registry.server.committedBlobUploads().count
        let manifestPuts = registry.server.requestCount(method: "PUT", pathContains: "/manifests/")

        let again = await runCLI(["push", "artifact", registry.url("fallback/app:v1"), "--path", tree, "--source", "s", "--revision", "r2",
                                  "--skip-unchanged"])
        #expect(again.code == 0, "\(again.stderr)")
        #expect(again.stderr.hasSuffix("✔ artifact unchanged\n"), "\(again.stderr)")
        #expect(registry.server.committedBlobUploads().count == uploads)
        #expect(registry.server.requestCount(method: "PUT", pathContains: "/manifests/") == manifestPuts)
        await #expect(try ArtifactCLITest.sha256(ofData: registry.rawManifest("fallback/app:v1")) == pushed.digest)
    }

    /// The same input and flags give the same bytes on any machine: these digests were computed once and must never
    /// change (a change means every user's artifacts change digest: a format change, to be made on purpose).
    @Test func reproducibleDigestsArePinned() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("pinned")
        let out = CLITestPaths.temporaryDirectory("pinned-layer")
        let built = await runCLI(["build", "artifact", "--path", tree, "-o", out + "/layer.tgz"])
        #expect(built.code == 0, "\(built.stderr)")
        let pushed = await runCLI(["push", "artifact", registry.url("pinned/app:v1"), "--path", tree, "--source", "https://github.com/org/app",
                                   "--revision", "main@sha1:0123abcd", "--reproducible", "-o", "json"])
        #expect(pushed.code == 0, "\(pushed.stderr)")
        let layerDigest = try await ArtifactCLITest.sha256(ofFile: out + "/layer.tgz")
        #expect(layerDigest == ArtifactEdgeTests.pinnedLayerDigest, "layer digest changed: \(layerDigest)")
        #expect(pushed.stdout.contains("\"digest\": \"\(ArtifactEdgeTests.pinnedManifestDigest)\""), "\(pushed.stdout)")
    }

    static let pinnedLayerDigest = "sha256:74ed4d708fd8aa59c48a95ebbb9ca38ec105a74b179d1df1aad4d9d72b316d18"
    static let pinnedManifestDigest = "sha256:676665c5fdfc9d09265c663d3cb444a85a69dff067afcdfc6f8228f696a2ac9a"
}
