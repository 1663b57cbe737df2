import Foundation

/// Syntax checks for the values users type, each failing with a `FluxError` that names the flag.
public enum FluxValidation {
    static let labelRule = "must consist of lowercase letters, digits and '-', start and end with a letter or digit, "
        + "and be at most 63 characters (RFC 1123 label)"
    static let subdomainRule = "must consist of lowercase letters, digits, '-' and '.', start and end with a letter or "
        + "digit, and be at most 253 characters (RFC 1123 subdomain)"

    /// RFC 1123 label: `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, at most 63 characters.
    public static func isDNSLabel(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) }
        guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// RFC 1123 subdomain: dot-separated labels, at most 253 characters (Secret and ServiceAccount names).
    public static func isDNSSubdomain(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// Object names created by flux: RFC 1123 labels.
    public static func validateName(_ name: String, flag: String = "name") throws {
        guard isDNSLabel(name) else { throw FluxError.invalidFlag(flag: flag, value: name, reason: labelRule) }
    }

    /// Namespaces: RFC 1123 labels.
    public static func validateNamespace(_ namespace: String, flag: String = "--namespace") throws {
        try validateName(namespace, flag: flag)
    }

    /// Names of Secrets, ServiceAccounts and other referenced objects: RFC 1123 subdomains.
    public static func validateReferenceName(_ name: String, flag: String) throws {
        guard isDNSSubdomain(name) else { throw FluxError.invalidFlag(flag: flag, value: name, reason: subdomainRule) }
    }

    // MARK: Labels

    /// Kubernetes label name part (and value syntax): `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, ≤ 63.
    static func isQualifiedNamePart(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
        }
        guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// Label key `[prefix/]name`, prefix an RFC 1123 subdomain.
    public static func isLabelKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isQualifiedNamePart(key)
        case 2: return isDNSSubdomain(String(parts[0])) && isQualifiedNamePart(String(parts[1]))
        default: return false
        }
    }

    /// Label value: empty, or like a label name part.
    public static func isLabelValue(_ value: String) -> Bool { value.isEmpty || isQualifiedNamePart(value) }

    /// Parses `--label` values: each may be a comma list of `key=value`. Later keys win.
    public static func parseLabels(_ values: [String], flag: String = "--label") throws -> [String: String] {
        var labels: [String: String] = [:]
        for value in values {
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                let pair = String(item)
                guard let equals = pair.firstIndex(of: "=") else {
                    throw FluxError.invalidFlag(flag: flag, value: pair, reason: "must be key=value")
                }
                let key = String(pair[..<equals])
                let labelValue = String(pair[pair.index(after: equals)...])
                guard isLabelKey(key) else {
                    throw FluxError.invalidFlag(flag: flag, value: pair, reason: "invalid label key \(goQuoted(key)): "
                        + "an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', "
                        + "starting and ending with a letter or digit")
                }
                guard isLabelValue(labelValue) else {
                    throw FluxError.invalidFlag(flag: flag, value: pair, reason: "invalid label value \(goQuoted(labelValue)): "
                        + "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")
                }
                labels[key] = labelValue
            }
        }
        return labels
    }

    // MARK: OCI

    /// OCI tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    public static func validateTag(_ tag: String, flag: String = "--tag") throws {
        let bytes = Array(tag.utf8)
        func word(_ byte: UInt8) -> Bool {
            (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "_")
        }
        guard !bytes.isEmpty, bytes.count <= 128, word(bytes[0]),
              bytes.allSatisfy({ word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else {
            throw FluxError.invalidFlag(flag: flag, value: tag, reason: "not a valid OCI tag (at most 128 letters, "
                + "digits, '_', '.' or '-', not starting with '.' or '-')")
        }
    }

    /// OCI digest `algorithm:hex`; sha256 needs 64 and sha512 128 lowercase hex digits.
    public static func validateDigest(_ digest: String, flag: String = "--digest") throws {
        let parts = digest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let expectedLength: [String: Int] = ["sha256": 64, "sha384": 96, "sha512": 128]
        let isHex = { (text: Substring) in text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) } }
        guard parts.count == 2, let length = expectedLength[String(parts[0])],
              parts[1].utf8.count == length, isHex(parts[1]) else {
            throw FluxError.invalidFlag(flag: flag, value: digest, reason: "not a digest (expected sha256: and 64 lowercase hex digits)")
        }
    }

    /// `<media-type>:<extract|copy>` with flux's exact error texts.
    public static func parseLayerSelector(_ text: String) throws -> OCILayerSelector {
        guard let colon = text.lastIndex(of: ":") else {
            throw FluxError.message("invalid --layer-selector \(goQuoted(text)): must be in the format '<media-type>:<operation>'")
        }
        let mediaType = String(text[..<colon])
        let operation = String(text[text.index(after: colon)...])
        guard !mediaType.isEmpty else {
            throw FluxError.message("invalid --layer-selector \(goQuoted(text)): must be in the format '<media-type>:<operation>'")
        }
        guard let parsed = OCILayerSelector.Operation(rawValue: operation) else {
            throw FluxError.message("invalid --layer-selector \(goQuoted(text)): operation must be \"extract\" or \"copy\"")
        }
        return OCILayerSelector(mediaType: mediaType, operation: parsed)
    }

    // MARK: Kustomization

    /// `--path`: relative to the artifact root, written as `./clean/path` (`./` for the root).
    public static func normalizeKustomizationPath(_ text: String, flag: String = "--path") throws -> String {
        guard !text.hasPrefix("/") else {
            throw FluxError.invalidFlag(flag: flag, value: text, reason: "must be relative to the artifact root (e.g. ./deploy)")
        }
        var components: [Substring] = []
        for component in text.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                guard !components.isEmpty else {
                    throw FluxError.invalidFlag(flag: flag, value: text, reason: "must stay inside the artifact (no '..' above the root)")
                }
                components.removeLast()
            default: components.append(component)
            }
        }
        return "./" + components.joined(separator: "/")
    }

    /// `--depends-on NAME` or `NS/NAME`.
    public static func parseDependsOn(_ text: String, flag: String = "--depends-on") throws -> KustomizationDependency {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let reason = "must be NAME or NAMESPACE/NAME of a Kustomization"
        switch parts.count {
        case 1:
            guard isDNSLabel(parts[0]) else { throw FluxError.invalidFlag(flag: flag, value: text, reason: reason) }
            return KustomizationDependency(name: parts[0], namespace: nil)
        case 2:
            guard isDNSLabel(parts[0]), isDNSLabel(parts[1]) else { throw FluxError.invalidFlag(flag: flag, value: text, reason: reason) }
            return KustomizationDependency(name: parts[1], namespace: parts[0])
        default:
            throw FluxError.invalidFlag(flag: flag, value: text, reason: reason)
        }
    }

    /// Kinds `--health-check` understands, with the apiVersion written into the object.
    public static let healthCheckKinds: [(kind: String, apiVersion: String)] = [
        ("Deployment", "apps/v1"), ("DaemonSet", "apps/v1"), ("StatefulSet", "apps/v1"),
        ("HelmRelease", "helm.toolkit.fluxcd.io/v2"), ("Kustomization", "kustomize.toolkit.fluxcd.io/v1"),
        ("OCIRepository", "source.toolkit.fluxcd.io/v1"),
    ]

    /// `--health-check Kind/name.namespace`.
    public static func parseHealthCheck(_ text: String, flag: String = "--health-check") throws -> KustomizationHealthCheck {
        let format = "must be in the format Kind/name.namespace (e.g. Deployment/podinfo.apps)"
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { throw FluxError.invalidFlag(flag: flag, value: text, reason: format) }
        guard let known = healthCheckKinds.first(where: { $0.kind.lowercased() == parts[0].lowercased() }) else {
            let names = healthCheckKinds.map(\.kind).joined(separator: ", ")
            throw FluxError.invalidFlag(flag: flag, value: text, reason: "unsupported kind \(goQuoted(parts[0])) (one of \(names))")
        }
        let nameAndNamespace = parts[1].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard nameAndNamespace.count == 2, isDNSLabel(nameAndNamespace[0]), isDNSLabel(nameAndNamespace[1]) else {
            throw FluxError.invalidFlag(flag: flag, value: text, reason: format)
        }
        return KustomizationHealthCheck(apiVersion: known.apiVersion, kind: known.kind,
                                        name: nameAndNamespace[0], namespace: nameAndNamespace[1])
    }

    /// `--source [Kind/]NAME[.NAMESPACE]`; the kind is case-insensitive.
    public static func parseSourceReference(_ text: String, defaultKind: FluxSourceKind = .ociRepository,
                                            flag: String = "--source") throws -> KustomizationSourceReference {
        guard !text.isEmpty else { throw FluxError.message("source is required") }
        var kind = defaultKind
        var rest = Substring(text)
        if let slash = text.firstIndex(of: "/") {
            let kindText = String(text[..<slash])
            guard let parsed = FluxSourceKind.allCases.first(where: { $0.rawValue.lowercased() == kindText.lowercased() }) else {
                let names = FluxSourceKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw FluxError.invalidFlag(flag: flag, value: text, reason: "unsupported source kind \(goQuoted(kindText)) (one of \(names))")
            }
            kind = parsed
            rest = text[text.index(after: slash)...]
        }
        var name = String(rest)
        var namespace: String?
        if let dot = rest.lastIndex(of: ".") {
            name = String(rest[..<dot])
            namespace = String(rest[rest.index(after: dot)...])
        }
        let format = "must be Kind/NAME[.NAMESPACE] (e.g. OCIRepository/podinfo or OCIRepository/podinfo.flux-system)"
        guard isDNSLabel(name), namespace.map(isDNSLabel) ?? true else {
            throw FluxError.invalidFlag(flag: flag, value: text, reason: format)
        }
        return KustomizationSourceReference(kind: kind, name: name, namespace: namespace)
    }

    /// Go RE2 and ICU differ in details; this catches what fails to compile in either in practice.
    public static func validateRegularExpression(_ pattern: String, flag: String) throws {
        do {
            _ = try NSRegularExpression(pattern: pattern)
        } catch {
            throw FluxError.invalidFlag(flag: flag, value: pattern, reason: "not a valid regular expression")
        }
    }
}
