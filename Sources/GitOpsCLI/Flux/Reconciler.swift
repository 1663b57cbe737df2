import Flux
import Foundation
import JSON
import KubeClient

/// Forces reconciliation through the `reconcile.fluxcd.io/requestedAt` annotation and watches for the result.
struct Reconciler {
    var session: KubeSession
    var console: Console
    var now: @Sendable () -> Date

    struct Request {
        var kind: FluxKind
        var name: String
        var namespace: String
    }

    /// Steps 1–4 for one object: read it, refuse a suspended one, annotate it. Returns the token and the
    /// annotated object, from whose version the wait watches.
    func annotate(_ request: Request) async throws -> (token: String, object: JSONValue, resource: APIResource) {
        let resource = try await session.discovery.resource(for: request.kind)
        let object = try await session.client.get(resource, namespace: request.namespace, name: request.name)
        if FluxStatus.isSuspended(object) {
            throw CommandError("\(request.kind.kind) \(request.namespace)/\(request.name) is suspended; run kubectl gitops resume \(request.kind.commandNoun) \(request.name) first")
        }
        console.action("annotating \(request.kind.kind) \(request.name) in \(request.namespace) namespace")
        let token = FluxPatches.requestedAtToken(now: now(), timeZone: TimeZone(identifier: "UTC")!)
        let patch = FluxPatches.requestReconcile(token: token).data
        var patched: JSONValue
        do {
            patched = try await session.client.patch(resource, namespace: request.namespace, name: request.name, type: .merge, patch: patch)
        } catch let error as KubeAPIError where error.isConflict {
            // A merge patch carries no resourceVersion, so a conflict is transient (a webhook, say): try once more.
            patched = try await session.client.patch(resource, namespace: request.namespace, name: request.name, type: .merge, patch: patch)
        }
        console.success("\(request.kind.kind) annotated")
        return (token, patched, resource)
    }

    /// Annotates, then waits by watch until the controller handled the token and reports the outcome.
    func reconcile(_ request: Request, wait: Bool, timeout: TimeInterval) async throws {
        let annotated = try await annotate(request)
        guard wait else {
            console.print(annotated.token)
            return
        }
        console.waiting("waiting for \(request.kind.kind) reconciliation")
        let waiter = ReadinessWaiter(client: session.client, resource: annotated.resource, namespace: request.namespace, name: request.name)
        let outcome = try await waiter.wait(from: annotated.object, token: annotated.token, timeout: timeout)
        let revision = FluxStatus.revision(outcome.object) ?? "(no revision)"
        let verb = request.kind == .ociRepository ? "fetched" : "applied"
        console.success("\(verb) revision \(revision) in \(ReadinessWaiter.format(outcome.elapsed))")
    }

    /// The OCIRepository a Kustomization takes its artifact from (namespace defaults to the Kustomization's).
    func sourceOf(kustomization name: String, namespace: String) async throws -> Request {
        let resource = try await session.discovery.resource(for: .kustomization)
        let object = try await session.client.get(resource, namespace: namespace, name: name)
        let kind = object.value(at: "spec.sourceRef.kind")?.stringValue ?? ""
        guard kind == FluxKind.ociRepository.kind, let sourceName = object.value(at: "spec.sourceRef.name")?.stringValue else {
            throw CommandError("Kustomization \(namespace)/\(name) takes its source from a \(kind.isEmpty ? "missing sourceRef" : kind); --with-source reconciles OCIRepository sources only")
        }
        let sourceNamespace = object.value(at: "spec.sourceRef.namespace")?.stringValue ?? namespace
        return Request(kind: .ociRepository, name: sourceName, namespace: sourceNamespace)
    }

    /// Every object of `kind` in `namespace`, for `--all`, suspended ones left out with a note.
    func all(_ kind: FluxKind, namespace: String) async throws -> [Request] {
        let resource = try await session.discovery.resource(for: kind)
        var requests: [Request] = []
        for object in try await session.client.list(resource, namespace: namespace).items {
            let name = object.value(at: "metadata.name")?.stringValue ?? ""
            if FluxStatus.isSuspended(object) {
                console.warning("skipping suspended \(kind.kind) \(namespace)/\(name)")
                continue
            }
            requests.append(Request(kind: kind, name: name, namespace: namespace))
        }
        if requests.isEmpty {
            throw CommandError("no \(kind.kind) objects found in \(namespace) namespace")
        }
        return requests
    }
}
