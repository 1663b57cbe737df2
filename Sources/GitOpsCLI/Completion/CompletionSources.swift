import Flux
import Foundation

/// A command whose positional arguments name existing Flux objects (`get ks NAME`, `reconcile source oci NAME`).
/// Conform the leaf command and completion lists the live names of that kind, in the namespace of `-n` or the context:
///
///     extension GetKustomizationCommand: CompletesFluxNames {
///         static var completedKind: FluxKind { .kustomization }
///     }
protocol CompletesFluxNames {
    static var completedKind: FluxKind { get }
    /// The first positional that takes a name; later ones too when that argument repeats (`delete ks a b`).
    static var completedPositionalIndex: Int { get }
}

extension CompletesFluxNames {
    static var completedPositionalIndex: Int { 0 }
}

/// A command whose options take values only the cluster or the kubeconfig knows, keyed by the option's long name
/// without dashes. Entries override `DynamicValues.defaultsByOptionName` for this command only.
protocol CompletesOptionValues {
    static var completedOptionValues: [String: DynamicValues] { get }
}

/// Values that are looked up when completing, not declared in the parser.
enum DynamicValues: Sendable, Equatable {
    /// Names of objects of `kind`, each written after `prefix` (`--source OCIRepository/<name>`).
    case fluxNames(FluxKind, prefix: String)
    case namespaces
    case kubeconfigContexts
    case kubeconfigClusters
    case kubeconfigUsers

    /// Options that mean the same thing in every command (kubectl's global flags, flux's `--source`).
    static let defaultsByOptionName: [String: DynamicValues] = [
        "namespace": .namespaces,
        "context": .kubeconfigContexts,
        "cluster": .kubeconfigClusters,
        "user": .kubeconfigUsers,
        "source": .fluxNames(.ociRepository, prefix: "OCIRepository/"),
    ]

    /// Whether answering needs a request to the API server (and therefore the deadline).
    var needsCluster: Bool {
        switch self {
        case .fluxNames, .namespaces: return true
        case .kubeconfigContexts, .kubeconfigClusters, .kubeconfigUsers: return false
        }
    }
}

/// Where the completion of a value is looked up: the kube flags already typed on the line.
struct CompletionScope: Sendable {
    var kube: KubeOptions
}

/// Answers `DynamicValues`; the live one asks the kubeconfig and the cluster, tests use a table.
protocol CompletionValueProvider: Sendable {
    /// Never throws: a lookup that fails or runs out of time answers nothing.
    func candidates(for request: DynamicValues, scope: CompletionScope) async -> [CompletionCandidate]
}

/// Option long names whose values are paths, when the option did not declare `completion:`.
enum PathLikeOptions {
    static let files: Set<String> = [
        "path", "kubeconfig", "certificate-authority", "client-certificate", "client-key", "file", "filename",
        "ignore-file", "output-file",
    ]
    static let directories: Set<String> = ["cache-dir", "dir", "directory", "output-dir"]

    static func completion(for argument: ArgumentNode) -> ArgumentNode.DeclaredCompletion? {
        let name = argument.longName ?? argument.valueName
        if directories.contains(name) { return .directory }
        if files.contains(name) { return .file(extensions: []) }
        let value = argument.valueName.lowercased()
        if value.hasSuffix("dir") || value.hasSuffix("directory") { return .directory }
        if value.contains("path") || value.contains("file") { return .file(extensions: []) }
        return nil
    }
}
