import Flux
import Foundation
import JSON
import KubeClient

/// Waits, by watching (never polling), until a Flux object is Ready or has failed — the shared wait of
/// `create`, `bootstrap`, `resume` and `reconcile`.
struct ReadinessWaiter {
    var client: KubeAPIClient
    var resource: APIResource
    var namespace: String
    var name: String

    struct Outcome {
        var object: JSONValue
        var elapsed: TimeInterval
    }

    /// Starts from `current` (the object our own write returned) and watches from its version, so no later change
    /// is missed. With `token`, the controller must first report that it handled that reconcile request.
    func wait(from current: JSONValue, token: String? = nil, timeout: TimeInterval) async throws -> Outcome {
        let started = Date()
        let lastMessage = LastMessage()
        let kind = resource.kind
        let qualifiedName = "\(namespace)/\(name)"
        let decide: @Sendable (ObservedObject) throws -> JSONValue? = { observed in
            guard case .present(let object) = observed else {
                throw CommandError("\(kind) \(qualifiedName) was deleted while waiting for it")
            }
            let state = token.map { FluxStatus.readiness(object, afterRequest: $0) } ?? FluxStatus.readiness(object)
            switch state {
            case .ready:
                return object
            case .failed(let message):
                throw ReconciliationFailed(kind: kind, name: qualifiedName, message: message)
            case .inProgress(let message):
                if let ready = FluxStatus.condition("Ready", in: object), !ready.message.isEmpty {
                    lastMessage.set(ready.message)
                } else {
                    lastMessage.set(message)
                }
                return nil
            }
        }
        do {
            if let done = try decide(.present(current)) {
                return Outcome(object: done, elapsed: Date().timeIntervalSince(started))
            }
            let resourceVersion = current.value(at: "metadata.resourceVersion")?.stringValue
            let object = try await withDeadline(seconds: timeout) { [client, resource, namespace, name] in
                try await client.watchObject(resource, namespace: namespace, name: name, from: resourceVersion, decide: decide)
            }
            return Outcome(object: object, elapsed: Date().timeIntervalSince(started))
        } catch is KubeTimeoutError {
            let seen = lastMessage.value.map { "; last status: \($0)" } ?? ""
            throw CommandError("timed out after \(Self.format(Date().timeIntervalSince(started))) waiting for \(kind) \(qualifiedName) to become ready\(seen)")
        }
    }

    /// `1.2s`, `45s`, `2m3s`: how long a wait took, for status lines.
    static func format(_ seconds: TimeInterval) -> String {
        if seconds < 10 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        return "\(whole / 60)m\(whole % 60)s"
    }
}

/// The controller reported a failure: its Ready message, as flux prints it.
struct ReconciliationFailed: Error, CustomStringConvertible {
    var kind: String
    var name: String
    var message: String
    var description: String { "\(kind) \(name) reconciliation failed: \(message)" }
}

/// The last status message seen while waiting, for the timeout error.
private final class LastMessage: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    func set(_ value: String) { lock.withLock { text = value } }
    var value: String? { lock.withLock { text } }
}
