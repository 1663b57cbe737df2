import KubeClient

/// The two Flux kinds this tool manages, and the API versions we can speak for each (preferred first).
enum FluxKind: String, CaseIterable, Sendable {
    case ociRepository = "OCIRepository"
    case kustomization = "Kustomization"

    var group: String {
        switch self {
        case .ociRepository: return "source.toolkit.fluxcd.io"
        case .kustomization: return "kustomize.toolkit.fluxcd.io"
        }
    }

    var plural: String {
        switch self {
        case .ociRepository: return "ocirepositories"
        case .kustomization: return "kustomizations"
        }
    }

    /// flux's wording in status lines: `source oci`, `kustomization`.
    var fluxNoun: String {
        switch self {
        case .ociRepository: return "source oci"
        case .kustomization: return "kustomization"
        }
    }

    static let supportedVersions = ["v1", "v1beta2"]

    func resource(version: String) -> APIResource {
        APIResource(group: group, version: version, plural: plural, kind: rawValue)
    }
}

struct FluxNotInstalledError: Error, CustomStringConvertible {
    var group: String
    var description: String {
        "Flux is not installed in this cluster: the API \(group) is not served (install Flux, then run kubectl gitops check)"
    }
}

extension APIDiscovery {
    /// The resource to use for `kind`: v1 when served, else v1beta2 on older Flux.
    func resource(for kind: FluxKind) async throws -> APIResource {
        guard let version = try await version(of: kind.group, preferring: FluxKind.supportedVersions) else {
            throw FluxNotInstalledError(group: kind.group)
        }
        return kind.resource(version: version)
    }
}
