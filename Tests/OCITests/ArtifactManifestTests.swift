import Foundation
import Testing
@testable import OCI

@Suite struct ArtifactManifestTests {
    let layer = BuiltLayer(compressedDigest: "sha256:" + String(repeating: "a", count: 64), compressedSize: 1234,
                           uncompressedDigest: "sha256:" + String(repeating: "b", count: 64), uncompressedSize: 10240, path: "/tmp/x.tgz")
    let noEnvironment: [String: String] = [:]

    @Test func configAndManifestBytesAreExact() throws {
        let artifact = try FluxArtifact(layer: layer, metadata: .init(source: "https://github.com/org/repo", revision: "main@sha1:abc"),
                                        environment: noEnvironment, now: Date(timeIntervalSince1970: 1_736_949_015))
        let config = String(decoding: artifact.configBytes, as: UTF8.self)
        #expect(config == "{\"architecture\":\"\",\"created\":\"0001-01-01T00:00:00Z\",\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:\(String(repeating: "b", count: 64))\"]},\"config\":{}}")
        #expect(artifact.configBytes.count == 233) // the size of flux's legacy config
        #expect(artifact.configDigest == sha256(artifact.configBytes))
        let manifest = String(decoding: artifact.manifestBytes, as: UTF8.self)
        #expect(manifest == "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.cncf.flux.config.v1+json\",\"size\":233,\"digest\":\"\(artifact.configDigest)\"},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.cncf.flux.content.v1.tar+gzip\",\"size\":1234,\"digest\":\"sha256:\(String(repeating: "a", count: 64))\"}],"
            + "\"annotations\":{\"org.opencontainers.image.created\":\"2025-01-15T13:50:15Z\",\"org.opencontainers.image.revision\":\"main@sha1:abc\","
            + "\"org.opencontainers.image.source\":\"https://github.com/org/repo\"}}")
        #expect(artifact.manifestDigest == sha256(artifact.manifestBytes))
        #expect(!manifest.contains("artifactType"))
        // Valid JSON a generic parser agrees with.
        let parsed = try #require(try JSONSerialization.jsonObject(with: artifact.manifestBytes) as? [String: Any])
        #expect(parsed["schemaVersion"] as? Int == 2)
    }

    @Test func createdTimeComesFromOverrideReproducibleEpochOrNow() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        func created(_ metadata: FluxArtifact.Metadata, _ environment: [String: String] = [:]) throws -> String? {
            try FluxArtifact(layer: layer, metadata: metadata, environment: environment, now: now).annotations[FluxArtifact.createdAnnotation]
        }
        #expect(try created(.init(source: "s", revision: "r")) == "2023-11-14T22:13:20Z")
        #expect(try created(.init(source: "s", revision: "r", reproducible: true)) == "1970-01-01T00:00:00Z")
        #expect(try created(.init(source: "s", revision: "r"), ["SOURCE_DATE_EPOCH": "1600000000"]) == "2020-09-13T12:26:40Z")
        #expect(try created(.init(source: "s", revision: "r", extraAnnotations: ["org.opencontainers.image.created=2024-02-29T10:00:00+01:00"], reproducible: true))
                == "2024-02-29T10:00:00+01:00")
        #expect(try created(.init(source: "s", revision: "r", extraAnnotations: ["org.opencontainers.image.created="]), ["SOURCE_DATE_EPOCH": "0"])
                == "1970-01-01T00:00:00Z")
        let invalid = try #require(throws: ArtifactError.self) {
            try created(.init(source: "s", revision: "r", extraAnnotations: ["org.opencontainers.image.created=yesterday"]))
        }
        #expect(invalid.message.contains("--annotations") && invalid.message.contains("RFC 3339"))
        let badEpoch = try #require(throws: ArtifactError.self) { try created(.init(source: "s", revision: "r"), ["SOURCE_DATE_EPOCH": "soon"]) }
        #expect(badEpoch.message.contains("SOURCE_DATE_EPOCH"))
    }

    @Test func annotationsSplitOnFirstEqualsAndSortAndOverride() throws {
        let artifact = try FluxArtifact(layer: layer, metadata: .init(
            source: "s", revision: "r",
            extraAnnotations: ["zeta=a=b", "alpha=<x&y>", "org.opencontainers.image.source=override"], reproducible: true),
            environment: noEnvironment)
        #expect(artifact.annotations["zeta"] == "a=b")
        #expect(artifact.annotations[FluxArtifact.sourceAnnotation] == "override")
        let manifest = String(decoding: artifact.manifestBytes, as: UTF8.self)
        #expect(manifest.hasSuffix("\"annotations\":{\"alpha\":\"\\u003cx\\u0026y\\u003e\",\"org.opencontainers.image.created\":\"1970-01-01T00:00:00Z\","
            + "\"org.opencontainers.image.revision\":\"r\",\"org.opencontainers.image.source\":\"override\",\"zeta\":\"a=b\"}}"))
        #expect(throws: ArtifactError.self) {
            try FluxArtifact(layer: layer, metadata: .init(source: "s", revision: "r", extraAnnotations: ["novalue"]), environment: noEnvironment)
        }
        #expect(throws: ArtifactError.self) {
            try FluxArtifact(layer: layer, metadata: .init(source: "s", revision: "r", extraAnnotations: ["=value"]), environment: noEnvironment)
        }
    }

    @Test func rfc3339Validation() {
        for valid in ["2025-01-15T13:50:15Z", "2025-01-15T13:50:15.123Z", "2025-01-15T13:50:15-07:00"] {
            #expect(FluxArtifact.isRFC3339(valid), "\(valid)")
        }
        for invalid in ["2025-01-15", "2025-01-15 13:50:15Z", "2025-13-15T13:50:15Z", "2025-01-15T13:50:15", "2025-01-15T13:50:15+0100", "x"] {
            #expect(!FluxArtifact.isRFC3339(invalid), "\(invalid)")
        }
    }

    @Test func sha256HasherIsIncremental() {
        let hasher = SHA256Hasher()
        hasher.update(Data("hello ".utf8))
        hasher.update(Data("world".utf8))
        #expect(hasher.finalizeHex() == "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        #expect(SHA256Hasher.digest(of: Data()) == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
