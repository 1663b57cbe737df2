import Foundation

/// Every kubeconfig, client-configuration and credential failure.
///
/// Wording policy: `problems` keep kubectl's exact words (checked against the recorded kubectl vectors), and
/// `kubectlStderr` frames them the way kubectl prints them. `description`, which our own commands print, is the
/// same text except where we can help more than kubectl: an unknown context also lists the known ones
/// (`context "prod" not found in kubeconfig (known: dev, staging)`).
public struct KubeConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A kubeconfig file could not be found, read or parsed.
        case load
        /// The merged configuration cannot build a client (client-go's "Error in configuration").
        case invalidConfiguration
        /// `--context` names a context that no file defines.
        case contextNotFound(name: String, known: [String])
        /// A credential could not be obtained (exec plugin, token file, removed auth provider).
        case credentials
        /// Anything else (bad flag value, unusable TLS combination).
        case other
    }

    public var kind: Kind
    /// One entry per problem, in kubectl's words.
    public var problems: [String]
    /// What to try, in our words; shown by `description` only (kubectl has no such line).
    public var hints: [String]

    public init(_ kind: Kind, _ problems: [String], hints: [String] = []) {
        self.kind = kind
        self.problems = problems
        self.hints = hints
    }

    public init(_ kind: Kind, _ problem: String, hints: [String] = []) {
        self.init(kind, [problem], hints: hints)
    }

    public var description: String {
        ([message] + hints.map { "hint: \($0)" }).joined(separator: "\n")
    }

    private var message: String {
        switch kind {
        case let .contextNotFound(name, known):
            let list = known.isEmpty ? "no contexts are defined" : "known: " + known.joined(separator: ", ")
            return "context \"\(name)\" not found in kubeconfig (\(list))"
        case .invalidConfiguration:
            if problems.count == 1 { return "invalid configuration: \(problems[0])" }
            return "invalid configuration:\n" + problems.map { "* \($0)" }.joined(separator: "\n")
        default:
            return problems.joined(separator: "\n")
        }
    }

    /// Exactly what kubectl writes to stderr for this error (with the trailing newline).
    public var kubectlStderr: String {
        switch kind {
        case .invalidConfiguration:
            if problems.count == 1 { return "Error in configuration: \(problems[0])\n" }
            return "Error in configuration: \n" + problems.map { "* \($0)\n" }.joined()
        case .credentials:
            // The API client reports credential failures as a failed connection.
            return "Unable to connect to the server: " + problems.joined(separator: "\n") + "\n"
        default:
            if problems.count == 1 { return "error: \(problems[0])\n" }
            return problems.map { "\($0)\n" }.joined()
        }
    }
}
