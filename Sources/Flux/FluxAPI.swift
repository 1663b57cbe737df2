import JSON
import KubeClient

extension FluxKind {
    /// The API versions we can speak, preferred first (v1beta2 for Flux before 2.3).
    public static let supportedVersions: [FluxAPIVersion] = [.v1, .v1beta2]

    public func resource(version: FluxAPIVersion) -> APIResource {
        APIResource(group: group, version: version.rawValue, plural: plural, kind: rawValue)
    }
}

public struct FluxNotInstalledError: Error, CustomStringConvertible {
    public var group: String
    public var description: String {
        "Flux is not installed in this cluster: the API \(group) is not served (install Flux, then run kubectl gitops check)"
    }
}

extension APIDiscovery {
    /// The resource to use for `kind`: v1 when served, else v1beta2 on older Flux.
    public func resource(for kind: FluxKind) async throws -> APIResource {
        guard let version = try await version(of: kind.group, preferring: FluxKind.supportedVersions.map(\.rawValue)) else {
            throw FluxNotInstalledError(group: kind.group)
        }
        return kind.resource(version: FluxAPIVersion(rawValue: version)!)
    }
}
