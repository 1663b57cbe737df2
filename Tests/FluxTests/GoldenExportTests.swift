import Foundation
import JSON
import Testing
@testable import Flux

/// `create source oci … --export` against flux's goldens, byte for byte. The flag values below are exactly the
/// ones the upstream tests pass; flags they do not pass stay nil, with flux's test-harness zero values.
@Suite struct GoldenExportTests {
    static func podinfo(_ configure: (inout OCIRepositoryOptions) -> Void) -> OCIRepositoryOptions {
        var options = OCIRepositoryOptions(name: "podinfo", url: "oci://ghcr.io/stefanprodan/manifests/podinfo")
        options.tag = "6.3.5"
        options.flagDefaults = .zeroValues
        configure(&options)
        return options
    }

    static let cases: [(golden: String, options: OCIRepositoryOptions)] = [
        ("oci/export.golden", podinfo { $0.interval = "10m" }),
        ("oci/export_with_secret.golden", podinfo { $0.interval = "10m"; $0.secretRef = "creds" }),
        ("oci/export_with_verify_secret.golden", podinfo {
            $0.interval = "10m"; $0.verifyProvider = "cosign"; $0.verifySecretRef = "cosign-pub"
        }),
        ("oci/export_with_layer_selector.golden", podinfo {
            $0.interval = "10m"; $0.layerSelector = "application/vnd.cncf.helm.chart.content.v1.tar+gzip:copy"
        }),
        ("oci/export_with_issuer.golden", podinfo { $0.verifyIssuer = "github"; $0.verifyProvider = "cosign" }),
        ("oci/export_with_subject.golden", podinfo { $0.verifySubject = "stefanprodan"; $0.verifyProvider = "cosign" }),
        ("oci/export_with_complete_verification.golden", podinfo {
            $0.verifyIssuer = "github"; $0.verifySubject = "stefanprodan"; $0.verifyProvider = "cosign"
        }),
    ]

    @Test(arguments: 0..<cases.count)
    func ociExportMatchesGolden(_ index: Int) throws {
        let (golden, options) = Self.cases[index]
        let expected = try Fixtures.text("flux-goldens/\(golden)")
        let rendered = try FluxExport.render(options.build())
        #expect(rendered == expected, "\(golden) differs:\n\(rendered)")
    }

    @Test func kustomizationReadFromTheAPIMatchesExportGolden() throws {
        // The fixture as the API server returns it: server-set metadata, CRD defaults, status and a
        // reconcile annotation, all of which export must drop; `5m` becomes `5m0s`.
        let namespace = "flux-system-1"
        let stored: JSONValue = [
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": [
                "name": "flux-system", "namespace": .string(namespace), "uid": "0b7c…", "resourceVersion": "812",
                "generation": 1, "creationTimestamp": "2026-11-26T01:30:24Z",
                "annotations": ["reconcile.fluxcd.io/requestedAt": "2026-11-26T01:31:00.123456789Z"],
                "managedFields": [["manager": "kubectl-gitops", "operation": "Update"]],
                "finalizers": ["finalizers.fluxcd.io"],
            ],
            "spec": [
                "path": "./infrastructure/", "sourceRef": ["kind": "GitRepository", "name": "flux-system"],
                "interval": "5m", "prune": true, "force": false,
            ],
            "status": ["observedGeneration": -1, "conditions": []],
        ]
        let template = try Fixtures.text("flux-goldens/export/ks.yaml")
        let expected = template.replacingOccurrences(of: "{{ .fluxns }}", with: namespace)
        #expect(FluxExport.render([stored]) == expected)
    }

    @Test func kustomizationFromObjectsFixtureMatchesExportGolden() throws {
        // The same through the real fixture file: parse the YAML stream, pick the Kustomization.
        let namespace = "flux-system-7"
        let fixture = try Fixtures.text("flux-goldens/export/objects.yaml")
            .replacingOccurrences(of: "{{ .fluxns }}", with: namespace)
        let documents = try KubeYAML.decodeDocuments(fixture)
        let kustomization = try #require(documents.first { $0["kind"] == "Kustomization" })
        let expected = try Fixtures.text("flux-goldens/export/ks.yaml")
            .replacingOccurrences(of: "{{ .fluxns }}", with: namespace)
        #expect(FluxExport.render([kustomization]) == expected)
    }
}
