import Foundation
import Testing
@testable import Flux

@Suite struct ValidationTests {
    static let url = "oci://ghcr.io/stefanprodan/manifests/podinfo"

    static func options(_ configure: (inout OCIRepositoryOptions) -> Void) -> OCIRepositoryOptions {
        var options = OCIRepositoryOptions(name: "podinfo", url: url)
        options.tag = "6.3.5"
        configure(&options)
        return options
    }

    static func message(_ build: () throws -> Void) -> String? {
        do {
            try build()
            return nil
        } catch {
            return "\(error)"
        }
    }

    // flux's asserted error strings (goldens README, "Asserted errors without a golden file").
    @Test func fluxErrorTextsForCreateSourceOCI() {
        #expect(Self.message { _ = try OCIRepositoryOptions(name: "").build() } == "name is required")
        #expect(Self.message { _ = try OCIRepositoryOptions(name: "podinfo").build() } == "url is required")
        #expect(Self.message { _ = try Self.options { $0.verifySecretRef = "cosign-pub" }.build() }
            == "a verification provider must be specified when a secret is specified")
        #expect(Self.message { _ = try Self.options { $0.verifyIssuer = "github.com" }.build() }
            == "a verification provider must be specified when OIDC issuer/subject is specified")
        #expect(Self.message { _ = try Self.options { $0.verifySubject = "developer" }.build() }
            == "a verification provider must be specified when OIDC issuer/subject is specified")
        #expect(Self.message { _ = try Self.options { $0.layerSelector = "application/vnd.cncf.helm.chart.content.v1.tar+gzip:move" }.build() }
            == #"invalid --layer-selector "application/vnd.cncf.helm.chart.content.v1.tar+gzip:move": operation must be "extract" or "copy""#)
        #expect(Self.message { _ = try Self.options { $0.layerSelector = "application/vnd.cncf.helm.chart.content.v1.tar+gzip" }.build() }
            == #"invalid --layer-selector "application/vnd.cncf.helm.chart.content.v1.tar+gzip": must be in the format '<media-type>:<operation>'"#)
    }

    @Test func fluxErrorTextsForCreateKustomization() {
        var options = KustomizationOptions(name: "my-app")
        options.path = "./deploy"
        #expect(Self.message { _ = try options.build() } == "source is required")
        #expect(Self.message { _ = try KustomizationOptions(name: "", source: "x").build() } == "name is required")
    }

    @Test func flagErrorsNameTheFlag() {
        #expect(Self.message { _ = try Self.options { $0.interval = "5 minutes" }.build() }
            == #"--interval "5 minutes": not a duration (examples: 30s, 1m, 1h30m)"#)
        #expect(Self.message { _ = try Self.options { $0.fetchTimeout = "1h" }.build() }
            == #"--fetch-timeout "1h": must be less than 1h"#)
        #expect(Self.message { _ = try OCIRepositoryOptions(name: "Podinfo", url: Self.url).build() }?
            .hasPrefix(#"name "Podinfo": must consist of lowercase letters"#) == true)
        #expect(Self.message { _ = try OCIRepositoryOptions(name: String(repeating: "a", count: 64), url: Self.url).build() }?
            .contains("at most 63 characters") == true)
        #expect(Self.message { _ = try Self.options { $0.url = "https://ghcr.io/x" }.build() }
            == #"--url "https://ghcr.io/x": must start with oci:// (e.g. oci://ghcr.io/org/app)"#)
        #expect(Self.message { _ = try Self.options { $0.url = "oci://ghcr.io/Stefan/app" }.build() }?
            .hasPrefix(#"--url "oci://ghcr.io/Stefan/app": invalid repository "Stefan/app""#) == true)
        #expect(Self.message { _ = try Self.options { $0.url = "oci://ghcr.io/x/app:1.0" }.build() }
            == #"--url "oci://ghcr.io/x/app:1.0": must not contain a tag; use --tag, --tag-semver or --digest"#)
        #expect(Self.message { _ = try Self.options { $0.url = "oci://ghcr.io:99999/x" }.build() }
            == #"--url "oci://ghcr.io:99999/x": port 99999 is out of range 1-65535"#)
        #expect(Self.message { _ = try Self.options { $0.url = "oci://ghcr.io" }.build() }?.contains("missing the repository") == true)
        #expect(Self.message { _ = try Self.options { $0.provider = "ibm" }.build() }
            == #"--provider "ibm": must be one of generic, aws, azure, gcp"#)
        #expect(Self.message { _ = try Self.options { $0.verifyProvider = "gpg" }.build() }
            == #"--verify-provider "gpg": must be one of cosign, notation"#)
        #expect(Self.message { _ = try Self.options { $0.tag = nil; $0.tagSemver = ">=1.0.0 <" }.build() }?
            .hasPrefix(#"--tag-semver ">=1.0.0 <": invalid semver range"#) == true)
        #expect(Self.message { _ = try Self.options { $0.tag = nil; $0.digest = "sha256:abc" }.build() }?
            .hasPrefix(#"--digest "sha256:abc": not a digest"#) == true)
        #expect(Self.message { _ = try Self.options { $0.tag = "-bad" }.build() }?.hasPrefix(#"--tag "-bad""#) == true)
        #expect(Self.message { _ = try Self.options { $0.tag = nil }.build() } == "--tag, --tag-semver or --digest is required")
        #expect(Self.message { _ = try Self.options { $0.digest = "sha256:" + String(repeating: "a", count: 64) }.build() }
            == "--tag and --digest are mutually exclusive: give only one")
        #expect(Self.message { _ = try Self.options { $0.semverFilter = ".*" }.build() } == "--semver-filter needs --tag-semver")
        #expect(Self.message { _ = try Self.options { $0.secretRef = "Creds!" }.build() }?.hasPrefix(#"--secret-ref "Creds!""#) == true)
        #expect(Self.message { _ = try Self.options { $0.namespace = "Flux" }.build() }?.hasPrefix(#"--namespace "Flux""#) == true)
    }

    @Test func labels() throws {
        #expect(try FluxValidation.parseLabels(["a=1,b=2", "example.com/team=platform", "empty="])
            == ["a": "1", "b": "2", "example.com/team": "platform", "empty": ""])
        #expect(Self.message { _ = try FluxValidation.parseLabels(["novalue"]) } == #"--label "novalue": must be key=value"#)
        #expect(Self.message { _ = try FluxValidation.parseLabels(["-bad=x"]) }?.hasPrefix(#"--label "-bad=x": invalid label key "-bad""#) == true)
        #expect(Self.message { _ = try FluxValidation.parseLabels(["a=b c"]) }?.hasPrefix(#"--label "a=b c": invalid label value "b c""#) == true)
        #expect(Self.message { _ = try FluxValidation.parseLabels(["Bad_Domain/x=y"]) } != nil)
        #expect(Self.message { _ = try FluxValidation.parseLabels(["k=" + String(repeating: "v", count: 64)]) } != nil)
        let object = try Self.options { $0.labels = ["app=podinfo"] }.build()
        #expect(object.metadata.labels == ["app": "podinfo"])
    }

    @Test func sourceReferences() throws {
        #expect(try FluxValidation.parseSourceReference("OCIRepository/podinfo")
            == KustomizationSourceReference(kind: .ociRepository, name: "podinfo"))
        #expect(try FluxValidation.parseSourceReference("ocirepository/podinfo.apps")
            == KustomizationSourceReference(kind: .ociRepository, name: "podinfo", namespace: "apps"))
        #expect(try FluxValidation.parseSourceReference("podinfo") == KustomizationSourceReference(kind: .ociRepository, name: "podinfo"))
        #expect(try FluxValidation.parseSourceReference("podinfo", defaultKind: .gitRepository).kind == .gitRepository)
        #expect(Self.message { _ = try FluxValidation.parseSourceReference("HelmRepository/x") }
            == #"--source "HelmRepository/x": unsupported source kind "HelmRepository" (one of OCIRepository, GitRepository, Bucket)"#)
        #expect(Self.message { _ = try FluxValidation.parseSourceReference("OCIRepository/") }?.hasPrefix(#"--source "OCIRepository/": must be Kind/NAME"#) == true)
        #expect(Self.message { _ = try FluxValidation.parseSourceReference("OCIRepository/a.b.c") } != nil)
    }

    @Test func healthChecksAndDependencies() throws {
        #expect(try FluxValidation.parseHealthCheck("Deployment/frontend.dev")
            == KustomizationHealthCheck(apiVersion: "apps/v1", kind: "Deployment", name: "frontend", namespace: "dev"))
        #expect(try FluxValidation.parseHealthCheck("helmrelease/backend.dev").apiVersion == "helm.toolkit.fluxcd.io/v2")
        #expect(Self.message { _ = try FluxValidation.parseHealthCheck("Deployment/frontend") }
            == #"--health-check "Deployment/frontend": must be in the format Kind/name.namespace (e.g. Deployment/podinfo.apps)"#)
        #expect(Self.message { _ = try FluxValidation.parseHealthCheck("Pod/x.y") }?.hasPrefix(#"--health-check "Pod/x.y": unsupported kind "Pod""#) == true)
        #expect(try FluxValidation.parseDependsOn("infra") == KustomizationDependency(name: "infra"))
        #expect(try FluxValidation.parseDependsOn("flux-system/crds") == KustomizationDependency(name: "crds", namespace: "flux-system"))
        #expect(Self.message { _ = try FluxValidation.parseDependsOn("a/b/c") }
            == #"--depends-on "a/b/c": must be NAME or NAMESPACE/NAME of a Kustomization"#)
    }

    @Test func kustomizationPaths() throws {
        #expect(try FluxValidation.normalizeKustomizationPath("./") == "./")
        #expect(try FluxValidation.normalizeKustomizationPath("") == "./")
        #expect(try FluxValidation.normalizeKustomizationPath("deploy/overlays/dev/") == "./deploy/overlays/dev")
        #expect(try FluxValidation.normalizeKustomizationPath("./a/./b/../c") == "./a/c")
        #expect(Self.message { _ = try FluxValidation.normalizeKustomizationPath("../x") }
            == #"--path "../x": must stay inside the artifact (no '..' above the root)"#)
        #expect(Self.message { _ = try FluxValidation.normalizeKustomizationPath("/abs") } != nil)
    }

    @Test func ociURLs() throws {
        let parsed = try OCIRepositoryURL(parsing: "oci://localhost:5000/team/app_v2")
        #expect(parsed.host == "localhost" && parsed.port == 5000 && parsed.repository == "team/app_v2")
        #expect(try OCIRepositoryURL(parsing: "oci://[::1]:5000/a").description == "oci://[::1]:5000/a")
        for bad in ["oci://", "oci:///x", "oci://host/UPPER", "oci://ho st/x", "oci://host/a//b", "oci://host/-a", "oci://host/a@sha256:00"] {
            #expect(throws: FluxError.self, "\(bad)") { try OCIRepositoryURL(parsing: bad) }
        }
    }

    @Test func createKustomizationObject() throws {
        var options = KustomizationOptions(name: "podinfo", source: "OCIRepository/podinfo")
        options.prune = true
        options.wait = true
        options.interval = "5m"
        options.targetNamespace = "default"
        options.timeout = "2m"
        let text = try FluxExport.render(options.build())
        #expect(text == """
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: podinfo
              namespace: flux-system
            spec:
              interval: 5m0s
              path: ./
              prune: true
              sourceRef:
                kind: OCIRepository
                name: podinfo
              targetNamespace: default
              timeout: 2m0s
              wait: true

            """)
    }

    @Test func cliDefaultsVersusZeroValues() throws {
        #expect(try Self.options { _ in }.build().spec.interval.description == "1m0s")
        #expect(try Self.options { $0.flagDefaults = .zeroValues }.build().spec.interval.description == "0s")
        #expect(try Self.options { _ in }.build().spec.provider == nil)
        #expect(try Self.options { $0.ignorePaths = ["a", "b/"] }.build().spec.ignore == "a\nb/")
    }
}
