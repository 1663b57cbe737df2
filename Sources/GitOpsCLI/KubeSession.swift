import Foundation
import HTTPTransport
import KubeClient

/// A resolved connection to one cluster: the client plus what `check` and messages need to say about it.
struct KubeSession: Sendable {
    var client: KubeAPIClient
    var discovery: APIDiscovery
    var namespace: String
    var contextName: String?
    var userName: String?
    var authDescription: String
    var server: URL

    /// Resolves kubeconfig and flags the way kubectl does. (Interim: --server and --token only.)
    static func make(options: KubeOptions, context: CommandContext) throws -> KubeSession {
        guard let serverText = options.server, let server = URL(string: serverText) else {
            throw CommandError("no server: pass --server until kubeconfig loading lands")
        }
        var transportOptions = TransportOptions(userAgent: KubectlGitOpsVersion.userAgent, verbosity: options.verbosity)
        transportOptions.insecureSkipTLSVerify = options.insecureSkipTLSVerify ?? false
        let credentials: (any KubeCredentialSource)? = options.token.map { StaticCredential(credential: .bearer($0)) }
        let endpoint = KubeEndpoint(server: server, transportOptions: transportOptions, credentials: credentials)
        let console = context.console
        let client = KubeAPIClient(endpoint: endpoint, transportFactory: context.transportFactory,
                                   onWarning: { console.note("Warning: \($0)") })
        return KubeSession(client: client, discovery: APIDiscovery(client: client), namespace: options.namespace ?? "flux-system",
                           contextName: nil, userName: nil, authDescription: options.token == nil ? "none" : "bearer token", server: server)
    }
}

struct StaticCredential: KubeCredentialSource {
    var credential: KubeCredential
    func credential() async throws -> KubeCredential { credential }
    func invalidate() async {}
}
