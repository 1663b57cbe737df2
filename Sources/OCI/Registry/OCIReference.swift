import Foundation

/// A parsed `oci://HOST[:PORT]/REPO[:TAG|@sha256:…]`, normalised like Docker/ggcr.
public struct OCIReference: Sendable, Hashable, CustomStringConvertible {
    /// The registry as the user names it (`ghcr.io`, `127.0.0.1:5000`); Docker Hub is `index.docker.io` as flux prints it.
    public var registry: String
    /// The host (and port) requests go to; Docker Hub's API lives at `registry-1.docker.io`.
    public var apiHost: String
    /// Lowercase repository path, `library/`-prefixed for single-component Docker Hub names.
    public var repository: String
    /// nil when the reference names a digest only.
    public var tag: String?
    public var digest: String?

    public static let defaultTag = "latest"
    static let dockerHubRegistry = "index.docker.io"
    static let dockerHubAPIHost = "registry-1.docker.io"

    public init(registry: String, repository: String, tag: String? = nil, digest: String? = nil) {
        let isDockerHub = ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(registry.lowercased())
        self.registry = isDockerHub ? Self.dockerHubRegistry : registry
        self.apiHost = isDockerHub ? Self.dockerHubAPIHost : registry
        self.repository = isDockerHub && !repository.contains("/") ? "library/\(repository)" : repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses `oci://…`. With `requireScheme` false, a bare `host/repo` is accepted too (for `list`).
    public init(parsing text: String, requireScheme: Bool = true) throws {
        let schemePrefix = "oci://"
        var rest = text.trimmingCharacters(in: .whitespaces)
        if rest.lowercased().hasPrefix(schemePrefix) {
            rest = String(rest.dropFirst(schemePrefix.count))
        } else if requireScheme {
            throw RegistryError(kind: .invalidReference, message: "URL must be in format 'oci://<domain>/<org>/<repo>'")
        }
        func invalid(_ why: String) -> RegistryError {
            RegistryError(kind: .invalidReference, message: "invalid reference \"\(text)\": \(why)")
        }

        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            let candidate = String(rest[rest.index(after: at)...])
            guard RegistryDigestFormat.isValid(candidate) else {
                throw invalid("digest must be sha256: followed by 64 lowercase hex characters")
            }
            digest = candidate
            rest = String(rest[..<at])
        }

        // A tag is the part after ':' in the last path component (a ':' before the first '/' is a port).
        var tag: String?
        let lastSlash = rest.lastIndex(of: "/")
        let lastComponentStart = lastSlash.map { rest.index(after: $0) } ?? rest.startIndex
        if let colon = rest[lastComponentStart...].lastIndex(of: ":") {
            let candidate = String(rest[rest.index(after: colon)...])
            guard Self.isValidTag(candidate) else {
                throw invalid("tag \"\(candidate)\" must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")
            }
            tag = candidate
            rest = String(rest[..<colon])
        }

        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let first = components.first, !first.isEmpty else { throw invalid("missing registry host") }
        let registry: String
        if components.count > 1 && Self.looksLikeDomain(first) {
            registry = first
            components.removeFirst()
        } else {
            registry = "docker.io"
        }
        let repository = components.joined(separator: "/")
        guard !repository.isEmpty else { throw invalid("missing repository") }
        if repository != repository.lowercased() {
            throw invalid("repository name \"\(repository)\" must be lowercase")
        }
        guard Self.isValidRepository(repository) else {
            throw invalid("repository name \"\(repository)\" must match [a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*")
        }
        if tag == nil && digest == nil { tag = Self.defaultTag }
        self.init(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// `HOST/REPO`
    public var repositoryName: String { "\(registry)/\(repository)" }

    /// The tag or digest used in `/manifests/<reference>`; a digest wins over a tag.
    public var manifestReference: String { digest ?? tag ?? Self.defaultTag }

    /// `HOST/REPO@sha256:…`, the form flux prints after a push.
    public func pinned(to digest: String) -> String { "\(repositoryName)@\(digest)" }

    public func withTag(_ tag: String) -> OCIReference {
        var copy = self
        copy.tag = tag
        copy.digest = nil
        return copy
    }

    public func withDigest(_ digest: String) -> OCIReference {
        var copy = self
        copy.digest = digest
        return copy
    }

    /// `HOST/REPO:TAG`, `HOST/REPO@DIGEST` or `HOST/REPO:TAG@DIGEST`.
    public var description: String {
        var text = repositoryName
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// Whether the registry is this machine, where plain HTTP is tolerated as oras and docker do.
    public var isLoopback: Bool { Self.isLoopbackHost(apiHost) }

    static func isLoopbackHost(_ hostAndPort: String) -> Bool {
        var host = hostAndPort
        if host.hasPrefix("[") , let close = host.firstIndex(of: "]") {
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":"), host.filter({ $0 == ":" }).count == 1 {
            host = String(host[..<colon])
        }
        host = host.lowercased()
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    static func looksLikeDomain(_ component: String) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost" || component.hasPrefix("[")
            || component != component.lowercased()
    }

    public static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.first, tag.count <= 128 else { return false }
        func wordCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        return wordCharacter(first) && tag.dropFirst().allSatisfy { wordCharacter($0) || $0 == "." || $0 == "-" }
    }

    /// Distribution's name grammar: path components of [a-z0-9] runs joined by `.`, `_`, `__` or `-+`.
    static func isValidRepository(_ name: String) -> Bool {
        name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { component in
            guard !component.isEmpty else { return false }
            let chars = Array(component)
            func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
            guard alnum(chars.first!), alnum(chars.last!) else { return false }
            var index = 0
            while index < chars.count {
                if alnum(chars[index]) { index += 1; continue }
                // A separator run: ".", "_", "__" or one or more "-".
                var end = index
                while end < chars.count && !alnum(chars[end]) { end += 1 }
                let separator = String(chars[index..<end])
                let ok = separator == "." || separator == "_" || separator == "__" || separator.allSatisfy { $0 == "-" }
                if !ok { return false }
                index = end
            }
            return true
        }
    }
}
