import Foundation
import JSON

/// Bodies the commands send, as pure values (JSON merge patches, `Content-Type: application/merge-patch+json`).
public enum FluxPatches {
    /// `suspend`: `{"spec":{"suspend":true}}`.
    public static let suspend: JSONValue = ["spec": ["suspend": true]]

    /// `resume`: `{"spec":{"suspend":null}}` — removes the field, as flux's omitempty false does.
    public static let resume: JSONValue = ["spec": ["suspend": nil]]

    /// `reconcile`: sets the `reconcile.fluxcd.io/requestedAt` annotation to `token`.
    public static func requestReconcile(token: String) -> JSONValue {
        ["metadata": ["annotations": [FluxExport.requestedAtAnnotation: .string(token)]]]
    }

    /// A fresh requestedAt token like flux's: RFC 3339 with nanoseconds, trailing zeros trimmed, in `timeZone`
    /// (`2025-03-15T11:09:35.364675-07:00`). Any new value triggers the controller.
    public static func requestedAtToken(now: Date = Date(), timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: now)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year!, parts.month!, parts.day!,
                          parts.hour!, parts.minute!, parts.second!)
        // Calendar rounds nanoseconds through Double; microseconds are what the clock really gives.
        let microseconds = Int((now.timeIntervalSince1970 * 1_000_000).rounded()) % 1_000_000
        if microseconds > 0 {
            var fraction = String(format: "%06d", microseconds)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        let offset = timeZone.secondsFromGMT(for: now)
        if offset == 0 {
            text += "Z"
        } else {
            text += String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 3600, (abs(offset) % 3600) / 60)
        }
        return text
    }

    /// `create` on an existing object: flux updates it by replacing labels and spec; everything else the server
    /// holds (resourceVersion, annotations, finalizers, status, unknown fields) is kept.
    public static func update(existing: JSONValue, desired: JSONValue) -> JSONValue {
        var updated = existing
        updated.setValue(desired[path: "metadata", "labels"], at: ["metadata", "labels"])
        updated["spec"] = desired["spec"]
        return updated
    }
}

/// Messages of flux's commands that are not tied to one flag.
extension FluxError {
    /// `get`/`export` of a missing object: `Kustomization object 'x' not found in "ns" namespace`.
    public static func objectNotFound(_ kind: FluxKind, name: String, namespace: String) -> FluxError {
        .message("\(kind.kind) object '\(name)' not found in \"\(namespace)\" namespace")
    }

    /// A list that came back empty: `no OCIRepository objects found in ns namespace`.
    public static func noObjectsFound(_ kind: FluxKind, namespace: String) -> FluxError {
        .message("no \(kind.kind) objects found in \(namespace) namespace")
    }

    /// `reconcile` of a suspended object.
    public static let resourceIsSuspended = FluxError.message("resource is suspended")

    /// A failed reconciliation with the controller's Ready message.
    public static func reconciliationFailed(_ kind: FluxKind, message: String) -> FluxError {
        .message("\(kind.kind) reconciliation failed: '\(message)'")
    }
}
