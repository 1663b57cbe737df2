import Foundation
import HTTPTransport
import KubeClient
import KubeConfig

/// A resolved connection to one cluster: the client plus what `check` and messages need to say about it.
struct KubeSession: Sendable {
    var client: KubeAPIClient
    var discovery: APIDiscovery
    var config: ClientConfig

    var namespace: String { config.namespace }
    var server: URL { config.server }

    /// Resolves kubeconfig and flags exactly as kubectl does.
    static func make(options: KubeOptions, context: CommandContext) throws -> KubeSession {
        let environment = KubeEnvironment(variables: context.environment, workingDirectory: context.workingDirectory,
                                          stdinIsTerminal: context.stdinIsTerminal)
        var config = try KubeConfigLoader(environment: environment).clientConfig(flags: options.flags)
        config.transportOptions.userAgent = KubectlGitOpsVersion.userAgent
        config.transportOptions.verbosity = options.verbosity
        let console = context.console
        if options.verbosity > 0 {
            config.transportOptions.log = { console.note($0) }
        }
        let client = KubeAPIClient(endpoint: KubeEndpoint(config), transportFactory: context.transportFactory,
                                   onWarning: { console.note("Warning: \($0)") })
        return KubeSession(client: client, discovery: APIDiscovery(client: client), config: config)
    }
}

extension KubeOptions {
    /// The kubeconfig loader's view of kubectl's flags.
    var flags: KubeFlags {
        var flags = KubeFlags()
        flags.kubeconfig = kubeconfig
        flags.context = context
        flags.cluster = cluster
        flags.user = user
        flags.namespace = namespace
        flags.server = server
        flags.token = token
        flags.certificateAuthority = certificateAuthority
        flags.clientCertificate = clientCertificate
        flags.clientKey = clientKey
        flags.insecureSkipTLSVerify = insecureSkipTLSVerify
        flags.tlsServerName = tlsServerName
        flags.requestTimeout = requestTimeout
        flags.impersonate = impersonateUser
        flags.impersonateGroups = impersonateGroups
        flags.impersonateUID = impersonateUID
        flags.username = username
        flags.password = password
        flags.disableCompression = disableCompression
        return flags
    }
}
