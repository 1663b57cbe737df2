import ArgumentParser
import Flux
import Foundation
import JSON

struct CreateKustomizationCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "kustomization",
        abstract: "Create or update a Kustomization that applies an OCIRepository's artifact.",
        discussion: """
        --wait (default true, --wait=false to skip) waits until the Kustomization is Ready after applying, as on every
        command. flux's spec.wait (health-check every applied resource) is set with --wait-resources.

        EXAMPLES:
          kubectl gitops create ks podinfo --source OCIRepository/podinfo --path ./deploy --prune --target-namespace apps
        """,
        aliases: ["ks"])

    @Argument(help: "The Kustomization name.")
    var name: String?

    @Option(help: "The source: [OCIRepository/]NAME[.NAMESPACE].")
    var source: String?
    @Option(help: "The path inside the artifact (./ is its root).")
    var path: String = "./"
    @Flag(inversion: .prefixedNo, help: "Delete objects that were applied before and are gone from the source.")
    var prune = false
    @Flag(inversion: .prefixedNo, help: "spec.wait: the controller health-checks every applied resource.")
    var waitResources = false
    @Option(help: "spec.timeout for health checks (Go duration; default 2m with --wait-resources or --health-check).")
    var healthCheckTimeout: String?
    @Option(help: "How long the controller waits before retrying a failed apply (Go duration).")
    var retryInterval: String?
    @Option(help: "Namespace to put every applied object in.")
    var targetNamespace: String?
    @Option(help: "Kustomizations to wait for first, NAME or NAMESPACE/NAME (repeatable).")
    var dependsOn: [String] = []
    @Option(help: "Kind/name.namespace of workloads to health-check (repeatable).")
    var healthCheck: [String] = []
    @Option(help: "The ServiceAccount to impersonate when applying.")
    var serviceAccount: String?
    @Option(help: "How often to reconcile (Go duration).")
    var interval: String = "1m"
    @Option(name: .customLong("label"), help: "Labels to set, key=value (comma list or repeated).")
    var labels: [String] = []

    @OptionGroup var apply: ApplyOptions
    @OptionGroup var waiting: WaitOptions
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func build(namespace: String, version: FluxAPIVersion) throws -> Kustomization {
        var options = KustomizationOptions(name: name ?? "", source: source)
        options.namespace = namespace
        options.path = path
        options.prune = prune
        options.wait = waitResources
        options.retryInterval = retryInterval
        options.targetNamespace = targetNamespace
        options.dependsOn = dependsOn
        options.healthChecks = healthCheck
        options.serviceAccount = serviceAccount
        options.interval = interval
        options.labels = labels
        options.apiVersion = version
        if let healthCheckTimeout {
            options.timeout = healthCheckTimeout
        } else if waitResources || !healthCheck.isEmpty {
            options.timeout = "2m"
        }
        return try options.build()
    }

    func run(_ context: CommandContext) async throws {
        try await FluxCreateFlow.run(.kustomization, apply: apply, waiting: waiting, kube: kube, context: context,
                                     generatingLine: "generating Kustomization") { namespace, version in
            try build(namespace: namespace, version: version)
        }
    }
}
