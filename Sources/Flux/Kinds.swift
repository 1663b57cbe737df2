import Foundation
import JSON

/// API versions kubectl-gitops can write; the lead picks one per group from API discovery.
public enum FluxAPIVersion: String, CaseIterable, Sendable {
    case v1
    case v1beta2
}

/// The Flux kinds kubectl-gitops manages, with everything needed to address and describe them.
public enum FluxKind: String, CaseIterable, Sendable {
    case ociRepository = "OCIRepository"
    case kustomization = "Kustomization"

    public var kind: String { rawValue }
    public var group: String {
        switch self {
        case .ociRepository: return "source.toolkit.fluxcd.io"
        case .kustomization: return "kustomize.toolkit.fluxcd.io"
        }
    }
    /// The REST resource name: `/apis/<group>/<version>/namespaces/<ns>/<plural>/<name>`.
    public var plural: String {
        switch self {
        case .ociRepository: return "ocirepositories"
        case .kustomization: return "kustomizations"
        }
    }
    /// Lowercase singular, used by `-o name` and `get all` rows (`ocirepository/NAME`).
    public var singular: String { rawValue.lowercased() }
    /// How flux names the kind in suspend/resume/delete lines: `source oci`, `kustomization`.
    public var commandNoun: String {
        switch self {
        case .ociRepository: return "source oci"
        case .kustomization: return "kustomization"
        }
    }

    public func apiVersion(_ version: FluxAPIVersion = .v1) -> String { "\(group)/\(version.rawValue)" }

    /// The resource path of one object or (with `name` nil) a collection; `namespace` nil lists all namespaces.
    public func path(version: FluxAPIVersion = .v1, namespace: String?, name: String? = nil) -> String {
        var path = "/apis/\(group)/\(version.rawValue)"
        if let namespace { path += "/namespaces/\(namespace)" }
        path += "/\(plural)"
        if let name { path += "/\(name)" }
        return path
    }

    /// `kubectl get -o name` form: `ocirepository.source.toolkit.fluxcd.io/NAME`.
    public func resourceName(_ name: String) -> String { "\(singular).\(group)/\(name)" }

    /// Recognises the kind of an object read from the API (any served version).
    public init?(object: JSONValue) {
        guard let kind = object["kind"]?.stringValue, let apiVersion = object["apiVersion"]?.stringValue,
              let match = FluxKind(rawValue: kind), apiVersion.hasPrefix(match.group + "/") else { return nil }
        self = match
    }
}

/// Kinds a Kustomization may take its artifact from.
public enum FluxSourceKind: String, CaseIterable, Sendable, Codable {
    case ociRepository = "OCIRepository"
    case gitRepository = "GitRepository"
    case bucket = "Bucket"
}

/// The default namespace of flux objects when `-n` is not given.
public let defaultFluxNamespace = "flux-system"
