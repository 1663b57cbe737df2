import Foundation
import JSON

/// A `status.conditions[]` entry.
public struct FluxCondition: Equatable, Sendable {
    public var type: String
    public var status: String
    public var reason: String
    public var message: String
    public var observedGeneration: Int64?

    public init(type: String, status: String, reason: String = "", message: String = "", observedGeneration: Int64? = nil) {
        (self.type, self.status, self.reason, self.message, self.observedGeneration) = (type, status, reason, message, observedGeneration)
    }

    init?(_ value: JSONValue) {
        guard let type = value["type"]?.stringValue, let status = value["status"]?.stringValue else { return nil }
        self.init(type: type, status: status, reason: value["reason"]?.stringValue ?? "",
                  message: value["message"]?.stringValue ?? "", observedGeneration: value["observedGeneration"]?.integerValue)
    }
}

/// Where an object stands, kstatus-style with flux's fail-fast rules.
public enum ReadinessState: Equatable, Sendable {
    case inProgress(String)
    case ready(String)
    case failed(String)

    public var isTerminal: Bool {
        if case .inProgress = self { return false }
        return true
    }
}

/// Reads status fields of OCIRepository and Kustomization objects (JSON from the API).
public enum FluxStatus {
    public static func conditions(_ object: JSONValue) -> [FluxCondition] {
        (object[path: "status", "conditions"]?.arrayValue ?? []).compactMap(FluxCondition.init)
    }

    public static func condition(_ type: String, in object: JSONValue) -> FluxCondition? {
        conditions(object).first { $0.type == type }
    }

    /// `status.lastHandledReconcileAt`: the last `reconcile.fluxcd.io/requestedAt` token the controller handled.
    public static func lastHandledReconcileAt(_ object: JSONValue) -> String? {
        object[path: "status", "lastHandledReconcileAt"]?.stringValue
    }

    /// `status.artifact.revision` (sources), e.g. `6.3.5@sha256:…`.
    public static func artifactRevision(_ object: JSONValue) -> String? {
        object[path: "status", "artifact", "revision"]?.stringValue
    }

    /// `status.lastAppliedRevision` (Kustomizations).
    public static func lastAppliedRevision(_ object: JSONValue) -> String? {
        object[path: "status", "lastAppliedRevision"]?.stringValue
    }

    /// The revision flux reports for the object's kind.
    public static func revision(_ object: JSONValue) -> String? {
        switch FluxKind(object: object) {
        case .kustomization: return lastAppliedRevision(object)
        case .ociRepository: return artifactRevision(object)
        case nil: return artifactRevision(object) ?? lastAppliedRevision(object)
        }
    }

    public static func isSuspended(_ object: JSONValue) -> Bool {
        object[path: "spec", "suspend"]?.boolValue == true
    }

    /// Evaluates readiness:
    /// deletionTimestamp → failed (terminating); observedGeneration behind generation → in progress;
    /// Stalled=True → failed; Ready=True → ready; Ready=False with Reconciling not True, or with reason
    /// ProgressingWithRetry (the controller will only retry) → failed at once with the Ready message;
    /// anything else (no Ready yet, Unknown, progressing) → in progress.
    public static func readiness(_ object: JSONValue) -> ReadinessState {
        let kind = object["kind"]?.stringValue ?? "object"
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        if object[path: "metadata", "deletionTimestamp"] != nil {
            return .failed("\(kind) \(name) is being deleted")
        }
        let generation = object[path: "metadata", "generation"]?.integerValue
        if let generation, let observed = object[path: "status", "observedGeneration"]?.integerValue, observed < generation {
            return .inProgress("waiting for the controller to observe generation \(generation)")
        }
        let all = conditions(object)
        if let stalled = all.first(where: { $0.type == "Stalled" }), stalled.status == "True" {
            let ready = all.first { $0.type == "Ready" }
            return .failed(stalled.message.isEmpty ? (ready?.message ?? stalled.reason) : stalled.message)
        }
        guard let ready = all.first(where: { $0.type == "Ready" }) else {
            return .inProgress("waiting to be reconciled")
        }
        if let generation, let observed = ready.observedGeneration, observed < generation {
            return .inProgress("waiting for the controller to observe generation \(generation)")
        }
        switch ready.status {
        case "True":
            return .ready(ready.message)
        case "False":
            let reconciling = all.first { $0.type == "Reconciling" }
            if reconciling?.status != "True" || reconciling?.reason == "ProgressingWithRetry" {
                return .failed(ready.message)
            }
            return .inProgress(ready.message)
        default:
            return .inProgress(ready.message.isEmpty ? "reconciliation in progress" : ready.message)
        }
    }

    /// Readiness after `reconcile`/`resume` set the requestedAt token: in progress until the controller reports
    /// it handled that token, then as `readiness(_:)`.
    public static func readiness(_ object: JSONValue, afterRequest token: String) -> ReadinessState {
        guard lastHandledReconcileAt(object) == token else {
            return .inProgress("waiting for the controller to handle the reconcile request")
        }
        return readiness(object)
    }
}

/// The status lines flux prints (on stderr).
public enum FluxStatusLine {
    public static func generating(_ text: String) -> String { "✚ " + text }
    public static func action(_ text: String) -> String { "► " + text }
    public static func success(_ text: String) -> String { "✔ " + text }
    public static func waiting(_ text: String) -> String { "◎ " + text }
    public static func failure(_ text: String) -> String { "✗ " + text }

    /// `✔ fetched revision: …` after `create source oci` (flux's colon), `✔ fetched revision …` after reconcile
    /// and resume, `✔ applied revision …` for Kustomizations.
    public static func revision(_ revision: String, kind: FluxKind, afterCreate: Bool = false) -> String {
        switch kind {
        case .ociRepository: return success(afterCreate ? "fetched revision: \(revision)" : "fetched revision \(revision)")
        case .kustomization: return success("applied revision \(revision)")
        }
    }

    /// `► annotating OCIRepository NAME in NS namespace` and friends.
    public static func annotating(_ kind: FluxKind, name: String, namespace: String) -> String {
        action("annotating \(kind.kind) \(name) in \(namespace) namespace")
    }
    public static func suspending(_ kind: FluxKind, name: String, namespace: String) -> String {
        action("suspending \(kind.commandNoun) \(name) in \(namespace) namespace")
    }
    public static func resuming(_ kind: FluxKind, name: String, namespace: String) -> String {
        action("resuming \(kind.commandNoun) \(name) in \(namespace) namespace")
    }
    public static func deleting(_ kind: FluxKind, name: String, namespace: String) -> String {
        action("deleting \(kind.commandNoun) \(name) in \(namespace) namespace")
    }
}
