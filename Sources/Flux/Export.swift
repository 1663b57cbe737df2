import Foundation
import JSON

/// `export`: YAML documents, each starting with `---`, keys sorted, without status and server-set metadata.
public enum FluxExport {
    public static let requestedAtAnnotation = "reconcile.fluxcd.io/requestedAt"

    /// Renders objects read from the API (or generated) as an export stream.
    public static func render(_ objects: [JSONValue]) -> String {
        objects.map { "---\n" + KubeYAML.encode(exportable($0)) }.joined()
    }

    /// Renders generated objects (`create … --export`, `bootstrap … --export`).
    public static func render<Object: Encodable>(_ objects: [Object]) throws -> String {
        render(try objects.map { try JSONValue(encoding: $0) })
    }

    public static func render<Object: Encodable>(_ object: Object) throws -> String {
        try render([object])
    }

    /// Keeps what flux exports — apiVersion, kind, metadata name/namespace/labels/annotations, spec — and
    /// writes durations Go-style and drops `false` from optional switches, as flux's typed round trip does.
    public static func exportable(_ object: JSONValue) -> JSONValue {
        var result: [String: JSONValue] = [:]
        result["apiVersion"] = object["apiVersion"]
        result["kind"] = object["kind"]
        var metadata: [String: JSONValue] = [:]
        for key in ["name", "namespace"] { metadata[key] = object[path: "metadata", key] }
        if let labels = object[path: "metadata", "labels"]?.objectValue, !labels.isEmpty {
            metadata["labels"] = .dictionary(labels)
        }
        if var annotations = object[path: "metadata", "annotations"]?.objectValue {
            annotations[requestedAtAnnotation] = nil
            if !annotations.isEmpty { metadata["annotations"] = .dictionary(annotations) }
        }
        result["metadata"] = .dictionary(metadata)
        if var spec = object["spec"] {
            for key in durationFields where spec[key] != nil {
                if let text = spec[key]?.stringValue, let duration = GoDuration(kubernetesValue: text) {
                    spec[key] = .string(duration.description)
                }
            }
            result["spec"] = droppingFalse(spec, keep: ["prune"])
        }
        return .dictionary(result)
    }

    /// Duration fields of the OCIRepository and Kustomization specs.
    static let durationFields = ["interval", "timeout", "retryInterval"]

    private static func droppingFalse(_ value: JSONValue, keep: Set<String>) -> JSONValue {
        switch value {
        case let .object(members):
            return .object(members.compactMap { member in
                member.value == .bool(false) && !keep.contains(member.key)
                    ? nil : (key: member.key, value: droppingFalse(member.value, keep: []))
            })
        case let .array(elements):
            return .array(elements.map { droppingFalse($0, keep: []) })
        default:
            return value
        }
    }
}
