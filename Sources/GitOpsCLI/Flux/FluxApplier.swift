import Flux
import Foundation
import JSON
import KubeClient

/// Server-side apply of generated Flux objects with kubectl's created/configured/unchanged report.
struct FluxApplier {
    var client: KubeAPIClient
    var console: Console

    enum Outcome: String {
        case created, configured, unchanged
    }

    /// GETs the object, applies it with our field manager and says what changed (spec and labels, as
    /// `kubectl apply` compares them). A 409 names the other manager and suggests `--force-conflicts`.
    func apply(_ object: JSONValue, resource: APIResource, force: Bool, dryRun: Bool) async throws -> (object: JSONValue, outcome: Outcome) {
        let namespace = object[path: "metadata", "namespace"]?.stringValue ?? defaultFluxNamespace
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        let qualified = "\(resource.kind) \(namespace)/\(name)"
        console.action("applying \(qualified)\(dryRun ? " (server dry run)" : "")")
        var existing: JSONValue?
        do {
            existing = try await client.get(resource, namespace: namespace, name: name)
        } catch let error as KubeAPIError where error.isNotFound {
            existing = nil
        }
        let applied: JSONValue
        do {
            applied = try await client.apply(resource, namespace: namespace, name: name, object: object, force: force, dryRun: dryRun)
        } catch let error as KubeAPIError where error.isConflict {
            console.note(error.description)
            console.failure("\(qualified) has fields owned by another field manager; rerun with --force-conflicts to take them over")
            throw AlreadyReported()
        }
        let outcome: Outcome
        if let existing {
            let same = existing["spec"] == applied["spec"]
                && (existing[path: "metadata", "labels"] ?? .object([])) == (applied[path: "metadata", "labels"] ?? .object([]))
            outcome = same ? .unchanged : .configured
        } else {
            outcome = .created
        }
        console.success("\(qualified) \(outcome.rawValue)\(dryRun ? " (server dry run)" : "")")
        return (applied, outcome)
    }

    /// `◎ waiting …` until Ready, starting from `applied` (what the apply returned), then flux's completion and
    /// revision lines.
    func waitUntilReady(_ kind: FluxKind, applied: JSONValue, resource: APIResource, namespace: String, name: String,
                        timeout: TimeInterval, afterCreate: Bool) async throws {
        console.waiting("waiting for \(kind.kind) reconciliation")
        let waiter = ReadinessWaiter(client: client, resource: resource, namespace: namespace, name: name)
        let outcome = try await waiter.wait(from: applied, timeout: timeout)
        FluxReadyReport.print(outcome.object, kind: kind, name: name, console: console, afterCreate: afterCreate)
    }
}

enum FluxReadyReport {
    /// `✔ OCIRepository reconciliation completed` + `✔ fetched revision: …`, or `✔ Kustomization NAME is ready` +
    /// `✔ applied revision …`.
    static func print(_ object: JSONValue, kind: FluxKind, name: String, console: Console, afterCreate: Bool) {
        switch kind {
        case .ociRepository:
            console.success(afterCreate ? "OCIRepository reconciliation completed" : "OCIRepository \(name) reconciliation completed")
            if let revision = FluxStatus.artifactRevision(object) {
                console.success(afterCreate ? "fetched revision: \(revision)" : "fetched revision \(revision)")
            }
        case .kustomization:
            console.success(afterCreate ? "Kustomization \(name) is ready" : "Kustomization \(name) reconciliation completed")
            if let revision = FluxStatus.lastAppliedRevision(object) {
                console.success("applied revision \(revision)")
            }
        }
    }
}

/// A Flux kind resolved against the cluster: discovery picks v1 or v1beta2.
/// What `create source oci` and `create ks` share: validate offline, then export, stop after a client dry run,
/// or apply to the cluster (in the version it serves) and wait for Ready.
enum FluxCreateFlow {
    static func run<Object: FluxGeneratedObject>(
        _ kind: FluxKind, apply: ApplyOptions, waiting: WaitOptions, kube: KubeOptions, context: CommandContext,
        generatingLine: String? = nil, build: (_ namespace: String, _ version: FluxAPIVersion) throws -> Object
    ) async throws {
        let console = context.console
        let timeout = try waiting.timeoutSeconds()
        let offlineNamespace = FluxCommandSupport.offlineNamespace(kube, context: context)
        // Validate everything before any request.
        let offline = try build(offlineNamespace, .v1)
        if apply.export {
            console.write(try FluxExport.render(offline))
            return
        }
        if apply.dryRun == .client {
            console.success("\(kind.kind) \(offlineNamespace)/\(offline.metadata.name) valid (client dry run, nothing sent)")
            return
        }
        let target = try await FluxTarget.resolve(kind, kube: kube, context: context)
        if let generatingLine { console.generate(generatingLine) }
        let object = try JSONValue(encoding: try build(target.namespace, target.version))
        let applier = FluxApplier(client: target.client, console: console)
        let serverDryRun = apply.dryRun == .server
        let applied = try await applier.apply(object, resource: target.resource, force: apply.forceConflicts, dryRun: serverDryRun)
        guard waiting.wait, !serverDryRun else { return }
        try await applier.waitUntilReady(kind, applied: applied.object, resource: target.resource, namespace: target.namespace,
                                         name: offline.metadata.name, timeout: timeout, afterCreate: true)
    }
}

struct FluxTarget {
    var session: KubeSession
    var kind: FluxKind
    var resource: APIResource

    static func resolve(_ kind: FluxKind, kube: KubeOptions, context: CommandContext) async throws -> FluxTarget {
        let session = try KubeSession.make(options: kube, context: context)
        let resource = try await session.discovery.resource(for: kind)
        return FluxTarget(session: session, kind: kind, resource: resource)
    }

    var client: KubeAPIClient { session.client }
    var namespace: String { session.namespace }
    var version: FluxAPIVersion { FluxAPIVersion(rawValue: resource.version) ?? .v1 }
}
