import Foundation

/// The `spec.url` of an OCIRepository: `oci://HOST[:PORT]/REPOSITORY`, without tag or digest.
public struct OCIRepositoryURL: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int?
    public let repository: String

    public var description: String {
        "oci://" + host + (port.map { ":\($0)" } ?? "") + "/" + repository
    }

    public init(parsing text: String, flag: String = "--url") throws {
        func fail(_ reason: String) -> FluxError { FluxError.invalidFlag(flag: flag, value: text, reason: reason) }
        guard text.hasPrefix("oci://") else {
            throw fail("must start with oci:// (e.g. oci://ghcr.io/org/app)")
        }
        let rest = text.dropFirst("oci://".count)
        guard let slash = rest.firstIndex(of: "/") else {
            throw fail("missing the repository after the host (e.g. oci://ghcr.io/org/app)")
        }
        let authority = String(rest[..<slash])
        let path = String(rest[rest.index(after: slash)...])

        var hostPart = authority
        var port: Int?
        if authority.hasPrefix("[") {
            // IPv6 literal: [::1]:5000
            guard let close = authority.firstIndex(of: "]") else { throw fail("unterminated IPv6 address") }
            hostPart = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()) else { throw fail("invalid port") }
                port = value
            }
            let inner = hostPart.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw fail("invalid IPv6 address \(goQuoted(hostPart))")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = String(authority[..<colon])
            let portText = authority[authority.index(after: colon)...]
            guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), let value = Int(portText) else {
                throw fail("invalid port \(goQuoted(String(portText)))")
            }
            port = value
        }
        if let port, !(1...65535).contains(port) { throw fail("port \(port) is out of range 1-65535") }
        if !hostPart.hasPrefix("[") {
            let labels = hostPart.split(separator: ".", omittingEmptySubsequences: false)
            let validLabel = { (label: Substring) -> Bool in
                let bytes = Array(label.utf8)
                guard !bytes.isEmpty, bytes.count <= 63 else { return false }
                func alphanumeric(_ byte: UInt8) -> Bool {
                    (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
                }
                return alphanumeric(bytes.first!) && alphanumeric(bytes.last!)
                    && bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
            }
            guard !hostPart.isEmpty, hostPart.utf8.count <= 253, labels.allSatisfy(validLabel) else {
                throw fail("invalid registry host \(goQuoted(hostPart))")
            }
        }
        guard !path.isEmpty else { throw fail("missing the repository after the host (e.g. oci://ghcr.io/org/app)") }
        if path.contains("@") { throw fail("must not contain a digest; use --digest") }
        if path.contains(":") { throw fail("must not contain a tag; use --tag, --tag-semver or --digest") }
        guard path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(OCIRepositoryURL.isPathComponent) else {
            throw fail("invalid repository \(goQuoted(path)): path components must be lowercase letters and digits "
                + "separated by '.', '_', '__' or '-', joined by '/'")
        }
        self.host = hostPart
        self.port = port
        self.repository = path
    }

    /// Distribution's path component: `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`.
    static func isPathComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        func alphanumeric(_ byte: UInt8) -> Bool { (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) }
        var index = 0
        func alphanumericRun() -> Bool {
            let start = index
            while index < bytes.count, alphanumeric(bytes[index]) { index += 1 }
            return index > start
        }
        guard alphanumericRun() else { return false }
        while index < bytes.count {
            let separatorStart = index
            if bytes[index] == UInt8(ascii: ".") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "_") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "_") { index += 1 }
            } else if bytes[index] == UInt8(ascii: "-") {
                while index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            }
            guard index > separatorStart, alphanumericRun() else { return false }
        }
        return true
    }
}
