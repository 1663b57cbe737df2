import Foundation
import JSON

/// What `kubectl config view -o json` prints: a pure renderer over a loaded config, with kubectl's field order,
/// name-sorted lists and redaction.
public enum ConfigView {
    public struct Options: Sendable {
        /// Keep only the current context (or `context`) and what it references.
        public var minify: Bool
        /// Show secret data instead of `DATA+OMITTED` / `REDACTED`.
        public var raw: Bool
        /// Embed referenced certificate and key files as `*-data` (implies raw).
        public var flatten: Bool
        /// `--context`: the context `minify` keeps.
        public var context: String?

        public init(minify: Bool = false, raw: Bool = false, flatten: Bool = false, context: String? = nil) {
            self.minify = minify
            self.raw = raw
            self.flatten = flatten
            self.context = context
        }
    }

    /// Applies the options and renders. `fileSystem` is only read with `flatten`.
    public static func render(_ config: KubeConfig, options: Options, fileSystem: any KubeFileSystem = LocalFileSystem()) throws -> JSONValue {
        var config = config
        if options.minify {
            if let context = options.context, !context.isEmpty { config.currentContext = context }
            config = try minified(config)
        }
        if options.flatten {
            config = try flattened(config, fileSystem: fileSystem)
        }
        return json(config, redact: !options.raw && !options.flatten)
    }

    /// client-go's MinifyConfig.
    public static func minified(_ config: KubeConfig) throws -> KubeConfig {
        guard !config.currentContext.isEmpty else {
            throw KubeConfigError(.other, "current-context must exist in order to minify")
        }
        guard let context = config.contexts[config.currentContext] else {
            throw KubeConfigError(.other, "cannot locate context \(config.currentContext)")
        }
        var result = config
        result.contexts = [config.currentContext: context]
        result.clusters = [:]
        if !context.cluster.isEmpty {
            guard let cluster = config.clusters[context.cluster] else {
                throw KubeConfigError(.other, "cannot locate cluster \(context.cluster)")
            }
            result.clusters[context.cluster] = cluster
        }
        result.authInfos = [:]
        if !context.user.isEmpty {
            guard let user = config.authInfos[context.user] else {
                throw KubeConfigError(.other, "cannot locate user \(context.user)")
            }
            result.authInfos[context.user] = user
        }
        return result
    }

    /// client-go's FlattenConfig: users first, then clusters, each in name order.
    public static func flattened(_ config: KubeConfig, fileSystem: any KubeFileSystem) throws -> KubeConfig {
        var result = config
        func read(_ path: String, origin: String) throws -> Data {
            let absolute = PathRules.resolve(path, relativeToFile: origin)
            do {
                return try fileSystem.contents(of: absolute)
            } catch let error as FileAccessError {
                throw KubeConfigError(.other, error.description)
            }
        }
        for name in config.userNames {
            guard var user = config.authInfos[name] else { continue }
            if !user.clientCertificate.isEmpty {
                user.clientCertificateData = try read(user.clientCertificate, origin: user.locationOfOrigin)
                user.clientCertificate = ""
            }
            if !user.clientKey.isEmpty {
                user.clientKeyData = try read(user.clientKey, origin: user.locationOfOrigin)
                user.clientKey = ""
            }
            result.authInfos[name] = user
        }
        for name in config.clusterNames {
            guard var cluster = config.clusters[name] else { continue }
            if !cluster.certificateAuthority.isEmpty {
                cluster.certificateAuthorityData = try read(cluster.certificateAuthority, origin: cluster.locationOfOrigin)
                cluster.certificateAuthority = ""
            }
            result.clusters[name] = cluster
        }
        return result
    }

    // MARK: JSON in kubectl's field order

    public static func json(_ config: KubeConfig, redact: Bool) -> JSONValue {
        var top: [(key: String, value: JSONValue)] = [
            ("kind", .string("Config")),
            ("apiVersion", .string("v1")),
            ("preferences", preferences(config.preferences)),
        ]
        top.append(("clusters", config.clusters.isEmpty ? .null : .array(config.clusterNames.map { name in
            .object([("name", .string(name)), ("cluster", cluster(config.clusters[name]!, redact: redact))])
        })))
        top.append(("users", config.authInfos.isEmpty ? .null : .array(config.userNames.map { name in
            .object([("name", .string(name)), ("user", user(config.authInfos[name]!, redact: redact))])
        })))
        top.append(("contexts", config.contexts.isEmpty ? .null : .array(config.contextNames.map { name in
            .object([("name", .string(name)), ("context", context(config.contexts[name]!))])
        })))
        top.append(("current-context", .string(config.currentContext)))
        appendExtensions(config.extensions, to: &top)
        return .object(top)
    }

    private static func preferences(_ preferences: Preferences) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = []
        if preferences.colors { fields.append(("colors", .bool(true))) }
        appendExtensions(preferences.extensions, to: &fields)
        return .object(fields)
    }

    private static func appendExtensions(_ extensions: [NamedExtension], to fields: inout [(key: String, value: JSONValue)]) {
        guard !extensions.isEmpty else { return }
        let sorted = extensions.sorted { $0.name < $1.name }
        fields.append(("extensions", .array(sorted.map { .object([("name", .string($0.name)), ("extension", $0.payload)]) })))
    }

    private static func data(_ data: Data?, redact: Bool) -> JSONValue? {
        guard let data, !data.isEmpty else { return nil }
        return .string(redact ? "DATA+OMITTED" : data.base64EncodedString())
    }

    private static func secret(_ value: String, redact: Bool) -> JSONValue? {
        value.isEmpty ? nil : .string(redact ? "REDACTED" : value)
    }

    private static func text(_ value: String) -> JSONValue? { value.isEmpty ? nil : .string(value) }

    private static func cluster(_ cluster: Cluster, redact: Bool) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = []
        func add(_ key: String, _ value: JSONValue?) { if let value { fields.append((key, value)) } }
        add("server", text(cluster.server))
        add("tls-server-name", text(cluster.tlsServerName))
        add("insecure-skip-tls-verify", cluster.insecureSkipTLSVerify ? .bool(true) : nil)
        add("certificate-authority", text(cluster.certificateAuthority))
        add("certificate-authority-data", data(cluster.certificateAuthorityData, redact: redact))
        add("proxy-url", text(cluster.proxyURL))
        add("disable-compression", cluster.disableCompression ? .bool(true) : nil)
        appendExtensions(cluster.extensions, to: &fields)
        return .object(fields)
    }

    private static func user(_ user: AuthInfo, redact: Bool) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = []
        func add(_ key: String, _ value: JSONValue?) { if let value { fields.append((key, value)) } }
        add("client-certificate", text(user.clientCertificate))
        add("client-certificate-data", data(user.clientCertificateData, redact: redact))
        add("client-key", text(user.clientKey))
        add("client-key-data", data(user.clientKeyData, redact: redact))
        add("token", secret(user.token, redact: redact))
        add("tokenFile", text(user.tokenFile))
        add("as", text(user.impersonate))
        add("as-uid", text(user.impersonateUID))
        add("as-groups", user.impersonateGroups.isEmpty ? nil : .array(user.impersonateGroups.map(JSONValue.string)))
        add("as-user-extra", user.impersonateUserExtra.isEmpty ? nil : .object(user.impersonateUserExtra.keys.sorted().map { key in
            (key: key, value: JSONValue.array(user.impersonateUserExtra[key]!.map(JSONValue.string)))
        }))
        add("username", text(user.username))
        add("password", secret(user.password, redact: redact))
        if let provider = user.authProvider {
            let config: JSONValue = provider.config.isEmpty ? .null : .object(provider.config.keys.sorted().map {
                (key: $0, value: JSONValue.string(provider.config[$0]!))
            })
            add("auth-provider", .object([("name", .string(provider.name)), ("config", config)]))
        }
        if let exec = user.exec {
            var execFields: [(key: String, value: JSONValue)] = [
                ("command", .string(exec.command)),
                ("args", exec.args.map { .array($0.map(JSONValue.string)) } ?? .null),
                ("env", exec.env.map { .array($0.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) }) } ?? .null),
                ("apiVersion", .string(exec.apiVersion)),
            ]
            if !exec.installHint.isEmpty { execFields.append(("installHint", .string(exec.installHint))) }
            execFields.append(("provideClusterInfo", .bool(exec.provideClusterInfo)))
            if !exec.interactiveMode.isEmpty { execFields.append(("interactiveMode", .string(exec.interactiveMode))) }
            add("exec", .object(execFields))
        }
        appendExtensions(user.extensions, to: &fields)
        return .object(fields)
    }

    private static func context(_ context: Context) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = []
        func add(_ key: String, _ value: JSONValue?) { if let value { fields.append((key, value)) } }
        add("cluster", text(context.cluster))
        add("user", text(context.user))
        add("namespace", text(context.namespace))
        appendExtensions(context.extensions, to: &fields)
        return .object(fields)
    }
}
