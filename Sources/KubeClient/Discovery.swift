import Foundation

/// The API groups a cluster serves, read once per run from `GET /apis`.
public actor APIDiscovery {
    private let client: KubeAPIClient
    private var groups: [String: [String]]?

    public init(client: KubeAPIClient) {
        self.client = client
    }

    /// Versions the cluster serves for `group`, preferred first; empty when the group is not served.
    public func servedVersions(of group: String) async throws -> [String] {
        if groups == nil {
            groups = try await fetchGroups()
        }
        return groups?[group] ?? []
    }

    /// The first of `candidates` (in our order of preference) that the cluster serves for `group`.
    public func version(of group: String, preferring candidates: [String]) async throws -> String? {
        let served = try await servedVersions(of: group)
        return candidates.first { served.contains($0) }
    }

    private func fetchGroups() async throws -> [String: [String]] {
        let list = try await client.getPath("/apis")
        var result: [String: [String]] = [:]
        for group in list["groups"]?.arrayValue ?? [] {
            guard let name = group["name"]?.stringValue else { continue }
            let preferred = group.value(at: "preferredVersion.version")?.stringValue
            var versions = (group["versions"]?.arrayValue ?? []).compactMap { $0["version"]?.stringValue }
            if let preferred, let index = versions.firstIndex(of: preferred) {
                versions.remove(at: index)
                versions.insert(preferred, at: 0)
            }
            result[name] = versions
        }
        return result
    }
}
