import ArgumentParser
import Flux
import Foundation
import JSON

struct BootstrapOCICommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Create an OCIRepository and a Kustomization of the same name that applies it (the GitOps guide's pair).",
        discussion: """
        Both objects are applied with server-side apply, so running it again is safe. The Kustomization always sets
        spec.wait: true (health-check every applied resource). --wait (default true) then waits until the source and
        the Kustomization are Ready, each for at most --timeout, which is also the Kustomization's spec.timeout.

        EXAMPLES:
          kubectl gitops bootstrap oci podinfo --url oci://registry.internal/podinfo --tag staging --target-namespace apps
        """)

    @Argument(help: "The name of both objects.")
    var name: String?

    @Option(help: "The OCI repository address, oci://HOST/PATH.")
    var url: String?
    @Option(help: "The tag to pull.")
    var tag: String?
    @Option(help: "The path inside the artifact (./ is its root).")
    var path: String = "./"
    @Option(help: "Namespace to put every applied object in.")
    var targetNamespace: String?
    @Flag(inversion: .prefixedNo, help: "Delete objects that were applied before and are gone from the source (default true).")
    var prune = true
    @Option(help: "How often to check the repository (Go duration).")
    var interval: String = "1m"
    @Option(help: "How often the Kustomization reconciles (Go duration).")
    var ksInterval: String = "1h"
    @Option(help: "How long the controller waits before retrying a failed apply (Go duration).")
    var retryInterval: String = "30s"
    @Option(help: "spec.timeout of the Kustomization, and how long to wait for each object (Go duration).")
    var timeout: String = "5m"
    @Option(name: .customLong("label"), help: "Labels to set on both objects, key=value.")
    var labels: [String] = []
    @Flag(inversion: .prefixedNo, help: "Wait for both objects to become Ready (--wait=false to return at once).")
    var wait = true

    @OptionGroup var apply: ApplyOptions
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func build(namespace: String, sourceVersion: FluxAPIVersion, kustomizeVersion: FluxAPIVersion) throws -> (source: OCIRepository, kustomization: Kustomization) {
        var options = BootstrapOptions(name: name ?? "", url: url, tag: tag)
        options.namespace = namespace
        options.path = path
        options.targetNamespace = targetNamespace
        options.prune = prune
        options.interval = interval
        options.kustomizationInterval = ksInterval
        options.retryInterval = retryInterval
        options.timeout = timeout
        options.labels = labels
        options.sourceAPIVersion = sourceVersion
        options.kustomizeAPIVersion = kustomizeVersion
        return try options.build()
    }

    func run(_ context: CommandContext) async throws {
        let console = context.console
        let waitSeconds = try FluxCommandSupport.seconds(timeout, flag: "--timeout")
        let offlineNamespace = FluxCommandSupport.offlineNamespace(kube, context: context)
        let offline = try build(namespace: offlineNamespace, sourceVersion: .v1, kustomizeVersion: .v1)
        if apply.export {
            console.write(FluxExport.render([try JSONValue(encoding: offline.source), try JSONValue(encoding: offline.kustomization)]))
            return
        }
        if apply.dryRun == .client {
            console.success("OCIRepository and Kustomization \(offlineNamespace)/\(offline.source.metadata.name) valid (client dry run, nothing sent)")
            return
        }
        let source = try await FluxTarget.resolve(.ociRepository, kube: kube, context: context)
        let kustomizeResource = try await source.session.discovery.resource(for: .kustomization)
        let pair = try build(namespace: source.namespace, sourceVersion: source.version,
                             kustomizeVersion: FluxAPIVersion(rawValue: kustomizeResource.version) ?? .v1)
        let applier = FluxApplier(client: source.client, console: console)
        let serverDryRun = apply.dryRun == .server
        let appliedSource = try await applier.apply(try JSONValue(encoding: pair.source), resource: source.resource,
                                    force: apply.forceConflicts, dryRun: serverDryRun)
        let appliedKustomization = try await applier.apply(try JSONValue(encoding: pair.kustomization), resource: kustomizeResource,
                                    force: apply.forceConflicts, dryRun: serverDryRun)
        guard wait, !serverDryRun else { return }
        let objectName = pair.source.metadata.name
        try await applier.waitUntilReady(.ociRepository, applied: appliedSource.object, resource: source.resource, namespace: source.namespace,
                                         name: objectName, timeout: waitSeconds, afterCreate: true)
        try await applier.waitUntilReady(.kustomization, applied: appliedKustomization.object, resource: kustomizeResource, namespace: source.namespace,
                                         name: objectName, timeout: waitSeconds, afterCreate: true)
    }
}
