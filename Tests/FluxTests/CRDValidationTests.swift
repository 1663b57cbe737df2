import Foundation
import JSON
import Testing
import TestSupport
@testable import Flux

/// Every generated object must pass the real CRD schema (Tests/Support/crd-validate/validate.py, python3 +
/// jsonschema); a few broken objects prove the validator rejects what the API server would.
@Suite struct CRDValidationTests {
    struct Result: Decodable {
        let index: Int
        let valid: Bool
        let errors: [String]
    }

    static func validate(_ objects: [JSONValue]) throws -> [Result] {
        let script = RepositoryPaths.packageRoot.appendingPathComponent("Tests/Support/crd-validate/validate.py").path
        let crds = [
            try Fixtures.path("flux-crds/source.toolkit.fluxcd.io_ocirepositories.yaml"),
            try Fixtures.path("flux-crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml"),
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + crds
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(CanonicalJSON.compact(.array(objects)).utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect([0, 1].contains(process.terminationStatus), "validate.py failed: \(errorText)")
        return try JSONDecoder().decode([Result].self, from: data)
    }

    static let url = "oci://ghcr.io/stefanprodan/manifests/podinfo"

    static func sources() throws -> [OCIRepository] {
        var variants: [OCIRepositoryOptions] = []
        func add(_ configure: (inout OCIRepositoryOptions) -> Void) {
            var options = OCIRepositoryOptions(name: "podinfo", url: url)
            options.tag = "6.3.5"
            configure(&options)
            variants.append(options)
        }
        add { _ in }
        add { $0.flagDefaults = .zeroValues }
        add { $0.tag = nil; $0.tagSemver = ">=6.0.0 <7.0.0"; $0.semverFilter = ".*-rc.*" }
        add { $0.tag = nil; $0.digest = "sha256:" + String(repeating: "ab", count: 32) }
        add {
            $0.interval = "1h30m"; $0.secretRef = "creds"; $0.certRef = "tls"; $0.proxySecretRef = "proxy"
            $0.serviceAccount = "puller"; $0.provider = "aws"; $0.insecure = true
            $0.ignorePaths = ["*.md", "/docs/"]; $0.layerSelector = "application/vnd.cncf.flux.content.v1.tar+gzip:extract"
            $0.fetchTimeout = "59m59s"; $0.labels = ["app.kubernetes.io/name=podinfo,tier=web", "team=platform"]
        }
        add { $0.verifyProvider = "cosign"; $0.verifySecretRef = "cosign-pub" }
        add { $0.verifyProvider = "cosign"; $0.verifyIssuer = "^https://token.actions.githubusercontent.com$"; $0.verifySubject = ".*" }
        add { $0.verifyProvider = "notation"; $0.url = "oci://localhost:5000/team/app"; $0.provider = "generic" }
        add { $0.provider = "azure"; $0.interval = "500ms"; $0.namespace = "apps" }
        return try variants.map { try $0.build() }
    }

    static func kustomizations() throws -> [Kustomization] {
        var variants: [KustomizationOptions] = []
        func add(_ configure: (inout KustomizationOptions) -> Void) {
            var options = KustomizationOptions(name: "podinfo", source: "OCIRepository/podinfo")
            configure(&options)
            variants.append(options)
        }
        add { _ in }
        add { $0.flagDefaults = .zeroValues; $0.source = "podinfo" }
        add {
            $0.source = "OCIRepository/podinfo.flux-system"; $0.path = "deploy/overlays/dev/"; $0.prune = true; $0.wait = true
            $0.timeout = "3m"; $0.retryInterval = "30s"; $0.targetNamespace = "apps"; $0.interval = "10m"
            $0.dependsOn = ["infra", "flux-system/crds"]; $0.serviceAccount = "deployer"; $0.labels = ["env=dev"]
            $0.healthChecks = ["Deployment/frontend.dev", "HelmRelease/backend.dev", "statefulset/db.data"]
        }
        add { $0.source = "gitrepository/tkfg"; $0.path = "./deploy/../base" }
        add { $0.source = "Bucket/assets.storage" }
        return try variants.map { try $0.build() }
    }

    @Test func generatedObjectsPassTheCRDSchemas() throws {
        var objects: [JSONValue] = try Self.sources().map { try JSONValue(encoding: $0) }
        objects += try Self.kustomizations().map { try JSONValue(encoding: $0) }
        var bootstrap = BootstrapOptions(name: "podinfo", url: "oci://registry.internal/podinfo", tag: "staging")
        bootstrap.targetNamespace = "apps"
        let pair = try bootstrap.build()
        objects += [try JSONValue(encoding: pair.source), try JSONValue(encoding: pair.kustomization)]
        let results = try Self.validate(objects)
        #expect(results.count == objects.count)
        for result in results {
            #expect(result.valid, "object \(result.index) rejected: \(result.errors)\n\(CanonicalJSON.indented(objects[result.index]))")
        }
    }

    @Test func brokenObjectsAreRejected() throws {
        let good = try JSONValue(encoding: Self.sources()[0])
        var badInterval = good
        badInterval.setValue("10 minutes", at: ["spec", "interval"])
        var badURL = good
        badURL.setValue("https://ghcr.io/x", at: ["spec", "url"])
        var unknownField = good
        unknownField.setValue("yes", at: ["spec", "verifyTLS"])
        var missingURL = good
        missingURL.setValue(nil, at: ["spec", "url"])
        var badTimeout = good
        badTimeout.setValue("1h0m0s", at: ["spec", "timeout"])  // the OCIRepository timeout has no hours
        var badName = good
        badName.setValue("Podinfo_1", at: ["metadata", "name"])
        var ks = try JSONValue(encoding: Self.kustomizations()[0])
        ks.setValue(nil, at: ["spec", "prune"])
        var badSourceKind = try JSONValue(encoding: Self.kustomizations()[0])
        badSourceKind.setValue("HelmRepository", at: ["spec", "sourceRef", "kind"])
        var bothKubeConfigs = try JSONValue(encoding: Self.kustomizations()[0])
        bothKubeConfigs.setValue(["secretRef": ["name": "a"], "configMapRef": ["name": "b"]], at: ["spec", "kubeConfig"])
        var wrongVersion = good
        wrongVersion.setValue("source.toolkit.fluxcd.io/v1beta1", at: ["apiVersion"])

        let broken = [badInterval, badURL, unknownField, missingURL, badTimeout, badName, ks, badSourceKind,
                      bothKubeConfigs, wrongVersion]
        let results = try Self.validate([good] + broken)
        #expect(results.first?.valid == true)
        for result in results.dropFirst() {
            #expect(!result.valid, "broken object \(result.index) was accepted")
        }
        #expect(results[1].errors.contains { $0.contains("spec.interval") })
        #expect(results[3].errors.contains { $0.contains("verifyTLS") })
        #expect(results[9].errors.contains { $0.contains("configMapRef") || $0.contains("kubeConfig") })
    }
}
