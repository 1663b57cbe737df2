/// The client version, shown by `version` and sent in the User-Agent.
public enum KubectlGitOpsVersion {
    public static let current = "0.1.0"
    public static var userAgent: String { "kubectl-gitops/\(current)" }
}
