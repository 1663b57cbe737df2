import Foundation

/// kubectl's global connection flags, as typed values. nil means "not given". Paths are as typed: the resolver
/// makes them absolute against the working directory (flags, unlike kubeconfig entries, are relative to it).
public struct KubeFlags: Sendable, Equatable {
    public var kubeconfig: String?
    public var context: String?
    public var cluster: String?
    /// `--user`: a kubeconfig user (AuthInfo) name.
    public var user: String?
    public var namespace: String?
    public var server: String?
    public var token: String?
    public var certificateAuthority: String?
    public var clientCertificate: String?
    public var clientKey: String?
    public var insecureSkipTLSVerify: Bool?
    public var tlsServerName: String?
    /// `--request-timeout`: a bare integer is seconds, else a Go duration (`1s`, `2m`, `1h30m`); "0" means none.
    public var requestTimeout: String?
    /// `--as`
    public var impersonate: String?
    /// `--as-group`, repeatable.
    public var impersonateGroups: [String]
    /// `--as-uid`
    public var impersonateUID: String?
    /// `--as-user-extra key=value`, repeatable.
    public var impersonateUserExtra: [String: [String]]
    public var username: String?
    public var password: String?
    public var proxyURL: String?
    public var disableCompression: Bool?

    public init(
        kubeconfig: String? = nil, context: String? = nil, cluster: String? = nil, user: String? = nil,
        namespace: String? = nil, server: String? = nil, token: String? = nil, certificateAuthority: String? = nil,
        clientCertificate: String? = nil, clientKey: String? = nil, insecureSkipTLSVerify: Bool? = nil,
        tlsServerName: String? = nil, requestTimeout: String? = nil, impersonate: String? = nil,
        impersonateGroups: [String] = [], impersonateUID: String? = nil, impersonateUserExtra: [String: [String]] = [:],
        username: String? = nil, password: String? = nil, proxyURL: String? = nil, disableCompression: Bool? = nil
    ) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
        self.server = server
        self.token = token
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.requestTimeout = requestTimeout
        self.impersonate = impersonate
        self.impersonateGroups = impersonateGroups
        self.impersonateUID = impersonateUID
        self.impersonateUserExtra = impersonateUserExtra
        self.username = username
        self.password = password
        self.proxyURL = proxyURL
        self.disableCompression = disableCompression
    }

    /// Parses `--request-timeout` like client-go's ParseTimeout; nil means no timeout.
    public static func parseRequestTimeout(_ text: String) throws -> TimeInterval? {
        let invalid = KubeConfigError(.other, "invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)")
        if text.isEmpty || text == "0" { return nil }
        if let seconds = Int(text) {
            guard seconds >= 0 else { throw invalid }
            return seconds == 0 ? nil : TimeInterval(seconds)
        }
        guard let duration = parseGoDuration(text), duration >= 0 else { throw invalid }
        return duration == 0 ? nil : duration
    }

    /// Go's time.ParseDuration: a sequence of decimal numbers with units ns, us, µs, ms, s, m, h.
    public static func parseGoDuration(_ text: String) -> TimeInterval? {
        var rest = Substring(text)
        var sign = 1.0
        if rest.hasPrefix("-") { sign = -1; rest = rest.dropFirst() } else if rest.hasPrefix("+") { rest = rest.dropFirst() }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.filter({ rest.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        return sign * total
    }
}
