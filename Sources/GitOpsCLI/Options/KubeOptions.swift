import ArgumentParser

/// kubectl's global flags, with kubectl's names: kubectl passes them through to plugins untouched.
public struct KubeOptions: ParsableArguments, Sendable {
    @Option(help: "Path to the kubeconfig file to use for CLI requests.")
    public var kubeconfig: String?

    @Option(help: "The name of the kubeconfig context to use.")
    public var context: String?

    @Option(help: "The name of the kubeconfig cluster to use.")
    public var cluster: String?

    @Option(help: "The name of the kubeconfig user to use.")
    public var user: String?

    @Option(name: [.short, .long], help: "The namespace of the Flux objects (default: the context's, else flux-system).")
    public var namespace: String?

    @Option(name: [.customShort("s"), .long], help: "The address and port of the Kubernetes API server.")
    public var server: String?

    @Option(help: "Bearer token for authentication to the API server.")
    public var token: String?

    @Option(help: "Path to a cert file for the certificate authority.")
    public var certificateAuthority: String?

    @Option(help: "Path to a client certificate file for TLS.")
    public var clientCertificate: String?

    @Option(help: "Path to a client key file for TLS.")
    public var clientKey: String?

    @Flag(inversion: .prefixedNo, help: "If true, the server's certificate will not be checked for validity.")
    public var insecureSkipTLSVerify: Bool?

    @Option(help: "Server name to use for server certificate validation.")
    public var tlsServerName: String?

    @Option(help: "The length of time to wait before giving up on a single server request (e.g. 1s, 2m; 0 = none).")
    public var requestTimeout: String?

    @Option(name: .customLong("as"), help: "Username to impersonate for the operation.")
    public var impersonateUser: String?

    @Option(name: .customLong("as-group"), help: "Group to impersonate for the operation (repeatable).")
    public var impersonateGroups: [String] = []

    @Option(name: .customLong("as-uid"), help: "UID to impersonate for the operation.")
    public var impersonateUID: String?

    @Option(help: "Username for basic authentication to the API server.")
    public var username: String?

    @Option(help: "Password for basic authentication to the API server.")
    public var password: String?

    @Flag(inversion: .prefixedNo, help: "If true, opt-out of response compression for all requests to the server.")
    public var disableCompression: Bool?

    @Option(name: .customLong("cache-dir"), help: .hidden)
    public var cacheDirectory: String?

    @Option(name: .customShort("v"), help: ArgumentHelp("Log level: 6 requests, 8 headers (secrets redacted).", valueName: "level"))
    public var verbosity: Int = 0

    public init() {}

    /// Flags that take a value, in every spelling, so arguments before the subcommand can be moved after it.
    static let valueFlags: Set<String> = [
        "--kubeconfig", "--context", "--cluster", "--user", "-n", "--namespace", "-s", "--server", "--token",
        "--certificate-authority", "--client-certificate", "--client-key",
        "--tls-server-name", "--request-timeout", "--as", "--as-group", "--as-uid", "--username", "--password",
        "--cache-dir", "-v",
    ]

    static let booleanFlags: Set<String> = ["--insecure-skip-tls-verify", "--disable-compression"]
}

/// kubectl passes global flags wherever the user typed them (`kubectl gitops -n x get ks`); the argument parser
/// wants them after the subcommand, so flags found before the first subcommand word move to the end.
enum ArgumentNormalizer {
    /// Go-style `--flag=true|false` for the boolean flags the tool declares with a `--no-` inversion.
    static func normalizeBooleans(_ arguments: [String], booleanFlags: Set<String>) -> [String] {
        var result: [String] = []
        for argument in arguments {
            if argument == "--" { return result + arguments[result.count...] }
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, booleanFlags.contains(parts[0]) {
                switch parts[1].lowercased() {
                case "true", "1", "t": result.append(parts[0]); continue
                case "false", "0", "f": result.append("--no-" + parts[0].dropFirst(2)); continue
                default: break
                }
            }
            result.append(argument)
        }
        return result
    }

    static func hoistGlobalFlags(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            let isBoolean = KubeOptions.booleanFlags.contains(name) || KubeOptions.booleanFlags.contains(name.replacingOccurrences(of: "--no-", with: "--"))
            guard argument.hasPrefix("-"), isBoolean || KubeOptions.valueFlags.contains(name) else { break }
            leading.append(argument)
            if !isBoolean, !argument.contains("="), index + 1 < arguments.count {
                leading.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        if leading.isEmpty || index >= arguments.count { return arguments }
        return Array(arguments[index...]) + leading
    }
}
