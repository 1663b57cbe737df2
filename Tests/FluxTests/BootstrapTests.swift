import Foundation
import JSON
import Testing
@testable import Flux

@Suite struct BootstrapTests {
    static func guideObjects() throws -> [JSONValue] {
        // The guide's only YAML block: the OCIRepository + Kustomization pair (written there in v1beta2).
        try KubeYAML.decodeDocuments(Fixtures.text("gitops-guide/flux-objects.yaml"))
    }

    /// The guide's objects as v1, with durations as Go prints them — the semantic expectation.
    static func normalized(_ object: JSONValue) -> JSONValue {
        var copy = object
        if let apiVersion = copy["apiVersion"]?.stringValue {
            copy["apiVersion"] = .string(apiVersion.replacingOccurrences(of: "/v1beta2", with: "/v1"))
        }
        for key in ["interval", "timeout", "retryInterval"] {
            if let text = copy[path: "spec", key]?.stringValue, let duration = GoDuration(kubernetesValue: text) {
                copy.setValue(.string(duration.description), at: ["spec", key])
            }
        }
        return copy
    }

    static func guideValues() -> BootstrapOptions {
        var options = BootstrapOptions(name: "podinfo", url: "oci://registry.internal/podinfo", tag: "staging")
        options.targetNamespace = "apps"
        return options
    }

    @Test func bootstrapWithTheGuidesValuesEqualsTheGuidesObjects() throws {
        let pair = try Self.guideValues().build()
        let generated = [try JSONValue(encoding: pair.source), try JSONValue(encoding: pair.kustomization)]
        let expected = try Self.guideObjects().map(Self.normalized)
        #expect(expected.count == 2)
        #expect(generated == expected)
    }

    @Test func bootstrapExportText() throws {
        let pair = try Self.guideValues().build()
        let text = try FluxExport.render([JSONValue(encoding: pair.source), JSONValue(encoding: pair.kustomization)])
        #expect(text == """
            ---
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: OCIRepository
            metadata:
              name: podinfo
              namespace: flux-system
            spec:
              interval: 1m0s
              ref:
                tag: staging
              url: oci://registry.internal/podinfo
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: podinfo
              namespace: flux-system
            spec:
              interval: 1h0m0s
              path: ./
              prune: true
              retryInterval: 30s
              sourceRef:
                kind: OCIRepository
                name: podinfo
              targetNamespace: apps
              timeout: 5m0s
              wait: true

            """)
    }

    @Test func bootstrapInV1beta2AndWithOtherFlags() throws {
        var options = Self.guideValues()
        options.sourceAPIVersion = .v1beta2
        options.kustomizeAPIVersion = .v1beta2
        options.path = "deploy"
        options.prune = false
        options.timeout = "90s"
        let pair = try options.build()
        #expect(pair.source.apiVersion == "source.toolkit.fluxcd.io/v1beta2")
        #expect(pair.kustomization.apiVersion == "kustomize.toolkit.fluxcd.io/v1beta2")
        #expect(pair.kustomization.spec.path == "./deploy")
        #expect(pair.kustomization.spec.prune == false)
        #expect(pair.kustomization.spec.timeout?.description == "1m30s")
        #expect(pair.kustomization.spec.sourceRef == KustomizationSourceReference(kind: .ociRepository, name: "podinfo"))
    }

    @Test func bootstrapErrorsNameTheFlag() throws {
        var options = Self.guideValues()
        options.kustomizationInterval = "hourly"
        #expect(throws: FluxError.invalidFlag(flag: "--ks-interval", value: "hourly", reason: "not a duration (examples: 30s, 1m, 1h30m)")) {
            try options.build()
        }
        options = Self.guideValues()
        options.tag = nil
        #expect(throws: FluxError.message("--tag is required")) { try options.build() }
    }
}
