import Foundation
import HTTPTransport
import JSON

/// Everything needed to talk to one API server (client-go's rest.Config): the result of kubeconfig + flags.
public struct ClientConfig: Sendable {
    /// Scheme, host, port and any path prefix of the API server.
    public var server: URL
    public var contextName: String
    public var clusterName: String
    public var userName: String
    /// `-n` > the context's namespace > "flux-system" (in-cluster: `-n` > POD_NAMESPACE > service account file).
    public var namespace: String
    /// Whether `namespace` came from `-n` or the context rather than the default.
    public var namespaceIsExplicit: Bool
    public var transportOptions: TransportOptions
    /// Impersonate-User / -Group / -Uid / -Extra-* headers to add to every request.
    public var impersonationHeaders: HTTPHeaders
    public var credentials: any CredentialProvider
    /// True when built from the pod's service account instead of a kubeconfig.
    public var isInCluster: Bool

    /// How requests authenticate, for `check`: "client certificate", "bearer token", "token file /path", ….
    public var authDescription: String {
        let provider = credentials.authDescription
        if transportOptions.clientCertificatePEM != nil {
            return provider == "none" ? "client certificate" : "client certificate + \(provider)"
        }
        return provider
    }
}

extension KubeConfigLoader {
    /// Loads the kubeconfig named by `flags` (or the in-cluster service account) and resolves the client settings
    /// with kubectl's precedence.
    public func clientConfig(flags: KubeFlags) throws -> ClientConfig {
        let config = try load(explicitPath: flags.kubeconfig, missingExplicitFile: .fail)
        return try clientConfig(from: config, flags: flags)
    }

    /// Resolves an already loaded kubeconfig with `flags`.
    public func clientConfig(from loaded: KubeConfig, flags: KubeFlags) throws -> ClientConfig {
        let usesKubeconfig = !loaded.isEmpty || flags.context != nil || flags.cluster != nil || flags.user != nil
        if !usesKubeconfig, let inCluster = try inClusterConfig(flags: flags) {
            return inCluster
        }
        if loaded.isEmpty && (flags.server ?? "").isEmpty {
            let files = candidateFiles(explicitPath: flags.kubeconfig)
            let checked = files.isEmpty ? "no KUBECONFIG and no HOME" : "checked " + files.joined(separator: ", ")
            throw KubeConfigError(.invalidConfiguration,
                                  "no configuration has been provided (\(checked); not running in a cluster): set KUBECONFIG, or pass --kubeconfig or --server")
        }
        let config = loaded.resolvingLocalPaths()

        // Context, cluster and user, by flag or by the context.
        let contextName = nonEmpty(flags.context) ?? config.currentContext
        if let flagContext = nonEmpty(flags.context), config.contexts[flagContext] == nil {
            throw KubeConfigError(.contextNotFound(name: flagContext, known: config.contextNames), "context \"\(flagContext)\" does not exist")
        }
        let context = config.contexts[contextName] ?? Context()
        if let flagCluster = nonEmpty(flags.cluster), config.clusters[flagCluster] == nil {
            throw KubeConfigError(.other, "cluster \"\(flagCluster)\" does not exist")
        }
        if let flagUser = nonEmpty(flags.user), config.authInfos[flagUser] == nil {
            throw KubeConfigError(.other, "auth info \"\(flagUser)\" does not exist")
        }
        let clusterName = nonEmpty(flags.cluster) ?? context.cluster
        let userName = nonEmpty(flags.user) ?? context.user
        var cluster = config.clusters[clusterName] ?? Cluster()
        var user = config.authInfos[userName] ?? AuthInfo()

        applyOverrides(flags, cluster: &cluster, user: &user)

        // client-go's ConfirmUsable: collect every problem, then fail once.
        var problems: [String] = []
        if !contextName.isEmpty, config.contexts[contextName] == nil {
            problems.append("context was not found for specified context: \(contextName)")
        }
        problems += validate(user: user, named: userName)
        problems += validate(cluster: cluster, named: clusterName)
        if !problems.isEmpty {
            var hints = relativePathHints(loaded, clusterName: clusterName, userName: userName, flags: flags)
            if !contextName.isEmpty, config.contexts[contextName] == nil {
                let known = config.contextNames.isEmpty ? "none are defined" : "known: " + config.contextNames.joined(separator: ", ")
                hints.insert("current-context \"\(contextName)\" names no context (\(known)); pass --context or fix current-context", at: 0)
            }
            throw KubeConfigError(.invalidConfiguration, problems, hints: hints)
        }

        var options = TransportOptions()
        options.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify
        options.tlsServerName = nonEmpty(cluster.tlsServerName)
        options.proxyURL = nonEmpty(cluster.proxyURL)
        options.disableCompression = cluster.disableCompression
        options.requestTimeout = try flags.requestTimeout.flatMap(KubeFlags.parseRequestTimeout)
        if let data = cluster.certificateAuthorityData, !data.isEmpty {
            options.caPEM = data
        } else if !cluster.certificateAuthority.isEmpty {
            options.caPEM = try? environment.fileSystem.contents(of: cluster.certificateAuthority)
        }
        if options.insecureSkipTLSVerify && options.caPEM != nil {
            throw KubeConfigError(.other, "specifying a root certificates file with the insecure flag is not allowed")
        }
        let hasClientCertificate = !user.clientCertificate.isEmpty || user.clientCertificateData != nil
        let server = try serverURL(cluster.server, tls: options.caPEM != nil || options.insecureSkipTLSVerify || hasClientCertificate)
        let usesTLS = server.scheme == "https"

        // Credentials only travel over TLS (client-go merges auth info only into TLS configs).
        let credentials: any CredentialProvider
        var impersonation = HTTPHeaders()
        if usesTLS {
            options.clientCertificatePEM = user.clientCertificateData ?? (user.clientCertificate.isEmpty ? nil : try? environment.fileSystem.contents(of: user.clientCertificate))
            options.clientKeyPEM = user.clientKeyData ?? (user.clientKey.isEmpty ? nil : try? environment.fileSystem.contents(of: user.clientKey))
            credentials = try credentialProvider(for: user, named: userName, cluster: cluster, caPEM: options.caPEM,
                                                 tokenFromFlag: nonEmpty(flags.token), hasClientCertificate: hasClientCertificate,
                                                 execTimeout: options.requestTimeout ?? ExecCredentialProvider.defaultTimeout)
            impersonation = Self.impersonationHeaders(user)
        } else {
            credentials = StaticCredentialProvider(.none, description: "none")
        }

        let namespace = nonEmpty(flags.namespace) ?? nonEmpty(context.namespace)
        return ClientConfig(
            server: server, contextName: contextName, clusterName: clusterName, userName: userName,
            namespace: namespace ?? Self.defaultNamespace, namespaceIsExplicit: namespace != nil,
            transportOptions: options, impersonationHeaders: impersonation, credentials: credentials, isInCluster: false
        )
    }

    /// Our default namespace: the one Flux runs in (kubectl's is "default").
    public static let defaultNamespace = "flux-system"

    // MARK: Flag overrides (client-go overrides.go / client_config.go)

    private func applyOverrides(_ flags: KubeFlags, cluster: inout Cluster, user: inout AuthInfo) {
        let fromFlag = { (path: String) in self.environment.absolutePath(path) }
        if let server = nonEmpty(flags.server) {
            cluster.server = server
            // A different server makes the kubeconfig's TLS name meaningless.
            cluster.tlsServerName = ""
        }
        if let name = flags.tlsServerName { cluster.tlsServerName = name }
        // --certificate-authority and --insecure-skip-tls-verify replace the CA file, CA data and insecure together.
        if nonEmpty(flags.certificateAuthority) != nil || flags.insecureSkipTLSVerify == true {
            cluster.certificateAuthority = nonEmpty(flags.certificateAuthority).map(fromFlag) ?? ""
            cluster.certificateAuthorityData = nil
            cluster.insecureSkipTLSVerify = flags.insecureSkipTLSVerify ?? false
        }
        if let proxy = nonEmpty(flags.proxyURL) { cluster.proxyURL = proxy }
        if let disable = flags.disableCompression { cluster.disableCompression = disable }

        if let path = nonEmpty(flags.clientCertificate) {
            user.clientCertificate = fromFlag(path)
            user.clientCertificateData = nil
        }
        if let path = nonEmpty(flags.clientKey) {
            user.clientKey = fromFlag(path)
            user.clientKeyData = nil
        }
        if let token = nonEmpty(flags.token) {
            user.token = token
            user.tokenFile = ""
        }
        if let username = nonEmpty(flags.username) { user.username = username }
        if let password = nonEmpty(flags.password) { user.password = password }
        if let impersonate = nonEmpty(flags.impersonate) { user.impersonate = impersonate }
        if !flags.impersonateGroups.isEmpty { user.impersonateGroups = flags.impersonateGroups }
        if let uid = nonEmpty(flags.impersonateUID) { user.impersonateUID = uid }
        if !flags.impersonateUserExtra.isEmpty { user.impersonateUserExtra = flags.impersonateUserExtra }
    }

    // MARK: Validation (client-go validation.go wording)

    private func validate(user: AuthInfo, named name: String) -> [String] {
        var problems: [String] = []
        var methods: [String] = []
        if !user.token.isEmpty || !user.tokenFile.isEmpty { methods.append("token") }
        if !user.username.isEmpty || !user.password.isEmpty { methods.append("basicAuth") }
        let hasCertificate = !user.clientCertificate.isEmpty || user.clientCertificateData != nil
        let hasKey = !user.clientKey.isEmpty || user.clientKeyData != nil
        if hasCertificate || hasKey {
            if !user.clientCertificate.isEmpty, user.clientCertificateData == nil, let problem = unreadable(user.clientCertificate) {
                problems.append("unable to read client-cert \(user.clientCertificate) for \(name) due to \(problem)")
            }
            if !user.clientKey.isEmpty, user.clientKeyData == nil, let problem = unreadable(user.clientKey) {
                problems.append("unable to read client-key \(user.clientKey) for \(name) due to \(problem)")
            }
            if !hasKey { problems.append("client-key-data or client-key must be specified for \(name) to use the clientCert authentication method.") }
            if !hasCertificate { problems.append("client-cert-data or client-cert must be specified for \(name) to use the clientCert authentication method.") }
        }
        if let exec = user.exec {
            if user.authProvider != nil {
                problems.append("authProvider cannot be provided in combination with an exec plugin for \(name)")
            }
            if exec.command.isEmpty { problems.append("command must be specified for \(name) to use exec authentication plugin") }
            if exec.apiVersion.isEmpty {
                problems.append("apiVersion must be specified for \(name) to use exec authentication plugin")
            } else if !ExecCredentialProvider.supportedVersions.contains(exec.apiVersion) {
                problems.append("exec plugin: invalid apiVersion \"\(exec.apiVersion)\" for \(name): use client.authentication.k8s.io/v1 or /v1beta1")
            }
            for variable in exec.env ?? [] where variable.name.isEmpty {
                problems.append("env variable name must be specified for \(name) to use exec authentication plugin")
            }
            if exec.interactiveMode.isEmpty {
                if exec.apiVersion == "client.authentication.k8s.io/v1" {
                    problems.append("interactiveMode must be specified for \(name) to use exec authentication plugin")
                }
            } else if ExecInteractiveMode(rawValue: exec.interactiveMode) == nil {
                problems.append("invalid interactiveMode for \(name): \"\(exec.interactiveMode)\"")
            }
        }
        if methods.count > 1 {
            problems.append("more than one authentication method found for \(name); found [\(methods.joined(separator: " "))], only one is allowed")
        }
        if (!user.impersonateUID.isEmpty || !user.impersonateGroups.isEmpty || !user.impersonateUserExtra.isEmpty) && user.impersonate.isEmpty {
            problems.append("requesting uid, groups or user-extra for \(name) without impersonating a user")
        }
        return problems
    }

    private func validate(cluster: Cluster, named name: String) -> [String] {
        var bare = cluster
        bare.raw = .object([])
        bare.locationOfOrigin = ""
        if bare == Cluster() { return [] }
        var problems: [String] = []
        if cluster.server.isEmpty {
            problems.append(name.isEmpty ? "no server found for cluster" : "no server found for cluster \"\(name)\"")
        }
        if !cluster.proxyURL.isEmpty {
            let scheme = URL(string: cluster.proxyURL)?.scheme ?? ""
            if !["http", "https", "socks5"].contains(scheme) {
                problems.append("error parsing proxy-url for cluster \"\(name)\": proxy URL scheme \"\(scheme)\" not supported. Must be one of [http https socks5]")
            }
        }
        if !cluster.certificateAuthority.isEmpty, cluster.certificateAuthorityData == nil, let problem = unreadable(cluster.certificateAuthority) {
            problems.append("unable to read certificate-authority \(cluster.certificateAuthority) for \(name) due to \(problem)")
        }
        return problems
    }

    private func unreadable(_ path: String) -> String? {
        do {
            _ = try environment.fileSystem.contents(of: path)
            return nil
        } catch let error as FileAccessError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    /// For relative certificate paths written in a kubeconfig: where they were resolved from (a classic surprise).
    private func relativePathHints(_ loaded: KubeConfig, clusterName: String, userName: String, flags: KubeFlags) -> [String] {
        var written: [(field: String, path: String, origin: String)] = []
        if let user = loaded.authInfos[userName] {
            if flags.clientCertificate == nil { written.append(("client-certificate", user.clientCertificate, user.locationOfOrigin)) }
            if flags.clientKey == nil { written.append(("client-key", user.clientKey, user.locationOfOrigin)) }
        }
        if let cluster = loaded.clusters[clusterName], flags.certificateAuthority == nil, flags.insecureSkipTLSVerify != true {
            written.append(("certificate-authority", cluster.certificateAuthority, cluster.locationOfOrigin))
        }
        return written.filter {
            !$0.path.isEmpty && !$0.path.hasPrefix("/") && !$0.origin.isEmpty
                && unreadable(PathRules.resolve($0.path, relativeToFile: $0.origin)) != nil
        }.map {
            "\($0.field) \"\($0.path)\" is relative to the folder of \($0.origin), where it is written"
        }
    }

    // MARK: Server URL

    private func serverURL(_ server: String, tls: Bool) throws -> URL {
        var text = server.isEmpty ? "localhost:8080" : server
        if !text.contains("://") { text = (tls ? "https://" : "http://") + text }
        guard var components = URLComponents(string: text), components.host != nil,
              ["http", "https"].contains(components.scheme ?? "") else {
            throw KubeConfigError(.other, "server \"\(server)\" is not a valid URL: expected https://host:port")
        }
        components.query = nil
        components.fragment = nil
        guard let url = components.url else { throw KubeConfigError(.other, "server \"\(server)\" is not a valid URL") }
        return url
    }

    // MARK: Credentials

    private func credentialProvider(for user: AuthInfo, named name: String, cluster: Cluster, caPEM: Data?,
                                    tokenFromFlag: String?, hasClientCertificate: Bool,
                                    execTimeout: TimeInterval) throws -> any CredentialProvider {
        if let token = tokenFromFlag {
            return StaticCredentialProvider(.bearerToken(token), description: "bearer token")
        }
        if !user.tokenFile.isEmpty {
            let provider = TokenFileCredentialProvider(path: user.tokenFile, fileSystem: environment.fileSystem)
            try provider.prime()
            return provider
        }
        if !user.token.isEmpty {
            return StaticCredentialProvider(.bearerToken(user.token), description: "bearer token")
        }
        if let exec = user.exec {
            return ExecCredentialProvider.shared(config: exec, clusterInfo: exec.provideClusterInfo ? execClusterInfo(cluster, caPEM: caPEM) : nil,
                                                 environment: environment, timeout: execTimeout)
        }
        if let provider = user.authProvider {
            return try authProviderCredentials(provider)
        }
        if !user.username.isEmpty || !user.password.isEmpty {
            return StaticCredentialProvider(.basic(username: user.username, password: user.password), description: "basic auth")
        }
        if !hasClientCertificate, let prompt = environment.usernamePrompt {
            // kubectl asks for basic-auth credentials when a TLS cluster has no credentials at all.
            prompt.write("Please enter Username: ")
            guard let username = prompt.readLine() else { throw KubeConfigError(.other, "EOF") }
            prompt.write("Please enter Password: ")
            guard let password = prompt.readLine() else { throw KubeConfigError(.other, "EOF") }
            return StaticCredentialProvider(.basic(username: username, password: password), description: "basic auth")
        }
        return StaticCredentialProvider(.none, description: "none")
    }

    private func authProviderCredentials(_ provider: AuthProviderConfig) throws -> any CredentialProvider {
        switch provider.name {
        case "oidc":
            guard let token = nonEmpty(provider.config["id-token"]) else {
                throw KubeConfigError(.credentials, "getting credentials: the oidc auth-provider has no id-token; log in again (e.g. with kubelogin) or switch to an exec plugin")
            }
            return StaticCredentialProvider(.bearerToken(token), description: "oidc id-token")
        case "gcp":
            return FailingCredentialProvider(authDescription: "auth-provider gcp (removed)", error: KubeConfigError(.credentials, """
                The gcp auth plugin has been removed.
                Please use the "gke-gcloud-auth-plugin" kubectl/client-go credential plugin instead.
                See https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke for further details
                """))
        case "azure":
            return FailingCredentialProvider(authDescription: "auth-provider azure (removed)", error: KubeConfigError(.credentials, """
                The azure auth plugin has been removed.
                Please use the https://github.com/Azure/kubelogin kubectl/client-go credential plugin instead.
                See https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins for further details
                """))
        default:
            throw KubeConfigError(.other, "no Auth Provider found for name \"\(provider.name)\"")
        }
    }

    /// ExecCredential `spec.cluster` (only with provideClusterInfo).
    private func execClusterInfo(_ cluster: Cluster, caPEM: Data?) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [("server", .string(cluster.server))]
        if !cluster.tlsServerName.isEmpty { fields.append(("tls-server-name", .string(cluster.tlsServerName))) }
        if cluster.insecureSkipTLSVerify { fields.append(("insecure-skip-tls-verify", .bool(true))) }
        if let caPEM, !caPEM.isEmpty { fields.append(("certificate-authority-data", .string(caPEM.base64EncodedString()))) }
        if !cluster.proxyURL.isEmpty { fields.append(("proxy-url", .string(cluster.proxyURL))) }
        if cluster.disableCompression { fields.append(("disable-compression", .bool(true))) }
        if let reserved = cluster.extensions.first(where: { $0.name == ExecCredentialProvider.reservedExtensionName }) {
            fields.append(("config", reserved.payload))
        }
        return .object(fields)
    }

    static func impersonationHeaders(_ user: AuthInfo) -> HTTPHeaders {
        var headers = HTTPHeaders()
        guard !user.impersonate.isEmpty else { return headers }
        headers.add("Impersonate-User", user.impersonate)
        for group in user.impersonateGroups { headers.add("Impersonate-Group", group) }
        if !user.impersonateUID.isEmpty { headers.add("Impersonate-Uid", user.impersonateUID) }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~!#$&'*+^`|"))
        for key in user.impersonateUserExtra.keys.sorted() {
            let encoded = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
            for value in user.impersonateUserExtra[key] ?? [] { headers.add("Impersonate-Extra-\(encoded)", value) }
        }
        return headers
    }

    // MARK: In-cluster

    /// The pod's service account config, when KUBERNETES_SERVICE_HOST/PORT are set and the token file exists.
    public func inClusterConfig(flags: KubeFlags) throws -> ClientConfig? {
        guard let host = nonEmpty(environment.variables["KUBERNETES_SERVICE_HOST"]),
              let port = nonEmpty(environment.variables["KUBERNETES_SERVICE_PORT"]) else { return nil }
        let directory = environment.serviceAccountDirectory
        let tokenPath = directory + "/token"
        guard environment.fileSystem.statError(tokenPath) == nil else { return nil }
        let bracketedHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host

        var cluster = Cluster(server: "https://\(bracketedHost):\(port)")
        cluster.certificateAuthority = directory + "/ca.crt"
        var user = AuthInfo()
        user.tokenFile = tokenPath
        applyOverrides(flags, cluster: &cluster, user: &user)

        var options = TransportOptions()
        options.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify
        options.tlsServerName = nonEmpty(cluster.tlsServerName)
        options.requestTimeout = try flags.requestTimeout.flatMap(KubeFlags.parseRequestTimeout)
        if !cluster.certificateAuthority.isEmpty {
            options.caPEM = try? environment.fileSystem.contents(of: cluster.certificateAuthority)
        }
        let server = try serverURL(cluster.server, tls: true)
        let credentials: any CredentialProvider
        if !user.token.isEmpty {
            credentials = StaticCredentialProvider(.bearerToken(user.token), description: "bearer token")
        } else {
            let provider = TokenFileCredentialProvider(path: user.tokenFile, fileSystem: environment.fileSystem)
            try provider.prime()
            credentials = provider
        }
        let fileNamespace = (try? environment.fileSystem.contents(of: directory + "/namespace"))
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        let namespace = nonEmpty(flags.namespace) ?? nonEmpty(environment.variables["POD_NAMESPACE"]) ?? nonEmpty(fileNamespace)
        return ClientConfig(
            server: server, contextName: "", clusterName: "", userName: "",
            namespace: namespace ?? Self.defaultNamespace, namespaceIsExplicit: namespace != nil,
            transportOptions: options, impersonationHeaders: Self.impersonationHeaders(user), credentials: credentials,
            isInCluster: true
        )
    }
}

private func nonEmpty(_ value: String?) -> String? {
    guard let value, !value.isEmpty else { return nil }
    return value
}
