import Foundation
import JSON

/// `{name, extension}` as found in `extensions:` lists at every level of a kubeconfig.
public struct NamedExtension: Sendable, Equatable {
    public var name: String
    /// Arbitrary payload, kept as read.
    public var payload: JSONValue

    public init(name: String, payload: JSONValue) {
        self.name = name
        self.payload = payload
    }
}

public struct Preferences: Sendable, Equatable {
    public var colors: Bool = false
    public var extensions: [NamedExtension] = []
    /// The whole stanza as read, including fields this version does not know.
    public var raw: JSONValue = .object([])

    public init(colors: Bool = false, extensions: [NamedExtension] = []) {
        self.colors = colors
        self.extensions = extensions
    }
}

public struct Cluster: Sendable, Equatable {
    public var server: String = ""
    public var tlsServerName: String = ""
    public var insecureSkipTLSVerify: Bool = false
    /// A path as written in the file; see `resolvedCertificateAuthority` for the absolute one.
    public var certificateAuthority: String = ""
    public var certificateAuthorityData: Data?
    public var proxyURL: String = ""
    public var disableCompression: Bool = false
    public var extensions: [NamedExtension] = []
    /// The file this stanza came from (client-go's LocationOfOrigin); empty for stanzas built in memory.
    public var locationOfOrigin: String = ""
    /// The whole stanza as read, including fields this version does not know.
    public var raw: JSONValue = .object([])

    public init(server: String = "") { self.server = server }
}

public struct ExecEnvVar: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public enum ExecInteractiveMode: String, Sendable, Equatable {
    case never = "Never"
    case ifAvailable = "IfAvailable"
    case always = "Always"
}

public struct ExecConfig: Sendable, Equatable {
    public var command: String = ""
    public var args: [String]?
    public var env: [ExecEnvVar]?
    public var apiVersion: String = ""
    public var installHint: String = ""
    public var provideClusterInfo: Bool = false
    /// As written; validated when a client is built.
    public var interactiveMode: String = ""
    public var raw: JSONValue = .object([])

    public init(command: String = "", args: [String]? = nil, env: [ExecEnvVar]? = nil, apiVersion: String = "",
                installHint: String = "", provideClusterInfo: Bool = false, interactiveMode: String = "") {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
    }
}

public struct AuthProviderConfig: Sendable, Equatable {
    public var name: String = ""
    public var config: [String: String] = [:]

    public init(name: String, config: [String: String] = [:]) {
        self.name = name
        self.config = config
    }
}

/// A kubeconfig `user` (client-go calls it AuthInfo).
public struct AuthInfo: Sendable, Equatable {
    public var clientCertificate: String = ""
    public var clientCertificateData: Data?
    public var clientKey: String = ""
    public var clientKeyData: Data?
    public var token: String = ""
    public var tokenFile: String = ""
    public var impersonate: String = ""
    public var impersonateUID: String = ""
    public var impersonateGroups: [String] = []
    public var impersonateUserExtra: [String: [String]] = [:]
    public var username: String = ""
    public var password: String = ""
    public var authProvider: AuthProviderConfig?
    public var exec: ExecConfig?
    public var extensions: [NamedExtension] = []
    public var locationOfOrigin: String = ""
    public var raw: JSONValue = .object([])

    public init() {}

    /// Nothing set at all (a user name that a context names but no file defines resolves to this).
    var isEmpty: Bool {
        var bare = self
        bare.raw = .object([])
        bare.locationOfOrigin = ""
        return bare == AuthInfo()
    }
}

public struct Context: Sendable, Equatable {
    public var cluster: String = ""
    /// The user (AuthInfo) name.
    public var user: String = ""
    public var namespace: String = ""
    public var extensions: [NamedExtension] = []
    public var locationOfOrigin: String = ""
    public var raw: JSONValue = .object([])

    public init(cluster: String = "", user: String = "", namespace: String = "") {
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
    }
}

/// A loaded (and possibly merged) kubeconfig. Stanzas are keyed by name, as client-go keeps them;
/// renderers sort by name.
public struct KubeConfig: Sendable, Equatable {
    public var preferences = Preferences()
    public var clusters: [String: Cluster] = [:]
    public var authInfos: [String: AuthInfo] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String = ""
    public var extensions: [NamedExtension] = []
    /// The top level of the first file loaded, as read (unknown top-level fields survive here).
    public var raw: JSONValue = .object([])

    public init() {}

    public var contextNames: [String] { contexts.keys.sorted() }
    public var clusterNames: [String] { clusters.keys.sorted() }
    public var userNames: [String] { authInfos.keys.sorted() }

    /// True when nothing was loaded (no file, or only empty files).
    public var isEmpty: Bool {
        clusters.isEmpty && authInfos.isEmpty && contexts.isEmpty && currentContext.isEmpty && extensions.isEmpty
    }

    /// Adds `other` below `self`: names `self` already defines win whole, and a non-empty current-context of
    /// `self` wins (client-go's merge of the KUBECONFIG list, first file first).
    public mutating func merge(lowerPriority other: KubeConfig) {
        for (name, cluster) in other.clusters where clusters[name] == nil { clusters[name] = cluster }
        for (name, user) in other.authInfos where authInfos[name] == nil { authInfos[name] = user }
        for (name, context) in other.contexts where contexts[name] == nil { contexts[name] = context }
        if currentContext.isEmpty { currentContext = other.currentContext }
        if !preferences.colors { preferences.colors = other.preferences.colors }
        for ext in other.preferences.extensions where !preferences.extensions.contains(where: { $0.name == ext.name }) {
            preferences.extensions.append(ext)
        }
        for ext in other.extensions where !extensions.contains(where: { $0.name == ext.name }) {
            extensions.append(ext)
        }
    }
}
