import ArgumentParser
import Flux
import Foundation
import JSON

struct CreateSourceOCICommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Create or update an OCIRepository source.",
        discussion: """
        Applies the object with server-side apply (field manager kubectl-gitops), so running it again is safe: it
        reports created, configured or unchanged. Then waits until the source is Ready (--wait=false to skip).

        EXAMPLES:
          kubectl gitops create source oci podinfo --url oci://ghcr.io/stefanprodan/manifests/podinfo --tag 6.3.5 --interval 10m
        """)

    @Argument(help: "The OCIRepository name.")
    var name: String?

    @Option(help: "The OCI repository address, oci://HOST/PATH.")
    var url: String?
    @Option(help: "The tag to pull.")
    var tag: String?
    @Option(help: "A semver range; the highest matching tag is pulled.")
    var tagSemver: String?
    @Option(help: "A regular expression the tags considered by --tag-semver must match.")
    var semverFilter: String?
    @Option(help: "The digest to pull (sha256:…).")
    var digest: String?
    @Option(help: "How often to check the repository (Go duration).")
    var interval: String = "1m"
    @Option(help: "A Secret (kubernetes.io/dockerconfigjson) with registry credentials.")
    var secretRef: String?
    @Option(help: "A Secret with TLS certificates for the registry.")
    var certRef: String?
    @Option(help: "A Secret with proxy settings.")
    var proxySecretRef: String?
    @Option(help: "A ServiceAccount whose image pull secrets are used.")
    var serviceAccount: String?
    @Option(help: "generic, aws, azure or gcp: who provides registry credentials.")
    var provider: String?
    @Flag(inversion: .prefixedNo, help: "Allow plain HTTP registries.")
    var insecure = false
    @Option(help: "Paths to leave out of the artifact (.gitignore format; comma list or repeated).")
    var ignorePaths: [String] = []
    @Option(help: "MEDIATYPE:extract|copy — which layer to use and how.")
    var layerSelector: String?
    @Option(help: "Timeout of one pull (Go duration under 1h).")
    var fetchTimeout: String?
    @Option(name: .customLong("label"), help: "Labels to set, key=value (comma list or repeated).")
    var labels: [String] = []
    @Option(help: "cosign or notation: verify the artifact's signature.")
    var verifyProvider: String?
    @Option(help: "A Secret with the public keys used for verification.")
    var verifySecretRef: String?
    @Option(help: "Regular expression the OIDC issuer of keyless signatures must match.")
    var verifyIssuer: String?
    @Option(help: "Regular expression the OIDC subject of keyless signatures must match.")
    var verifySubject: String?

    @OptionGroup var apply: ApplyOptions
    @OptionGroup var waiting: WaitOptions
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func options(namespace: String, version: FluxAPIVersion) -> OCIRepositoryOptions {
        var options = OCIRepositoryOptions(name: name ?? "", url: url)
        options.namespace = namespace
        options.tag = tag
        options.tagSemver = tagSemver
        options.semverFilter = semverFilter
        options.digest = digest
        options.interval = interval
        options.secretRef = secretRef
        options.certRef = certRef
        options.proxySecretRef = proxySecretRef
        options.serviceAccount = serviceAccount
        options.provider = provider
        options.insecure = insecure
        options.ignorePaths = ignorePaths.flatMap { $0.split(separator: ",").map(String.init) }
        options.layerSelector = layerSelector
        options.fetchTimeout = fetchTimeout
        options.labels = labels
        options.verifyProvider = verifyProvider
        options.verifySecretRef = verifySecretRef
        options.verifyIssuer = verifyIssuer
        options.verifySubject = verifySubject
        options.apiVersion = version
        return options
    }

    func run(_ context: CommandContext) async throws {
        try await FluxCreateFlow.run(.ociRepository, apply: apply, waiting: waiting, kube: kube, context: context) { namespace, version in
            try options(namespace: namespace, version: version).build()
        }
    }
}
