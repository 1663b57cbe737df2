import Foundation

/// Picks the proxy for one URL the way Go's net/http (and so kubectl) does, so users' settings mean the same here:
/// an explicit proxy URL wins; else HTTPS_PROXY / HTTP_PROXY by the URL's scheme (either case, ALL_PROXY last),
/// skipped for hosts matched by NO_PROXY and always for loopback.
/// We decide instead of libcurl so that the choice is testable and a failed connect can be blamed on the right hop.
public struct ProxySelection: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The proxy URL to use for `url`, nil for a direct connection.
    public func proxy(for url: URL, explicitProxy: String?) -> String? {
        if let explicitProxy, !explicitProxy.isEmpty { return Self.normalized(explicitProxy) }
        guard let host = url.host?.lowercased(), !host.isEmpty else { return nil }
        let scheme = url.scheme?.lowercased() ?? "https"
        let fromEnvironment = scheme == "https" ? value("HTTPS_PROXY") : value("HTTP_PROXY")
        guard let proxy = fromEnvironment ?? value("ALL_PROXY") else { return nil }
        if Self.isLoopback(host) || bypasses(host: host, port: url.port) { return nil }
        return Self.normalized(proxy)
    }

    private func value(_ upperCaseName: String) -> String? {
        let found = environment[upperCaseName] ?? environment[upperCaseName.lowercased()]
        return found?.isEmpty == false ? found : nil
    }

    /// NO_PROXY entries: `*`, host names (`example.com` also covers subdomains, `.example.com` only them),
    /// IP addresses, IPv4 CIDR blocks, each optionally with `:port`.
    func bypasses(host: String, port: Int?) -> Bool {
        guard let list = value("NO_PROXY") else { return false }
        for rawEntry in list.split(separator: ",") {
            var entry = rawEntry.trimmingCharacters(in: .whitespaces).lowercased()
            if entry.isEmpty { continue }
            if entry == "*" { return true }
            if let cidr = IPv4CIDR(entry) {
                if let address = IPv4CIDR.address(host), cidr.contains(address) { return true }
                continue
            }
            if let colon = entry.lastIndex(of: ":"), !entry.contains("]"), entry.filter({ $0 == ":" }).count == 1 {
                let entryPort = Int(entry[entry.index(after: colon)...])
                entry = String(entry[..<colon])
                if entryPort != nil && entryPort != port { continue }
            }
            entry = entry.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            if entry.hasPrefix(".") {
                if host.hasSuffix(entry) { return true }
            } else if host == entry || host.hasSuffix("." + entry) {
                return true
            }
        }
        return false
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host == "[::1]" { return true }
        return IPv4CIDR.address(host).map { $0 >> 24 == 127 } ?? false
    }

    /// socks5 becomes socks5h: the proxy resolves names, as with kubectl's socks5 proxies.
    static func normalized(_ proxy: String) -> String {
        proxy.lowercased().hasPrefix("socks5://") ? "socks5h://" + proxy.dropFirst("socks5://".count) : proxy
    }
}

private struct IPv4CIDR {
    var network: UInt32
    var mask: UInt32

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let address = Self.address(String(parts[0])), let bits = Int(parts[1]), (0...32).contains(bits) else {
            return nil
        }
        mask = bits == 0 ? 0 : UInt32.max << UInt32(32 - bits)
        network = address & mask
    }

    func contains(_ address: UInt32) -> Bool { address & mask == network }

    static func address(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4, text.split(separator: ".", omittingEmptySubsequences: false).count == 4 else { return nil }
        return octets.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
