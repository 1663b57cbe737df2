import Foundation
import Semver

/// What a flag that was not passed means. `cli` uses the CLI defaults (`--interval 1m`); `zeroValues`
/// reproduces flux's test harness, which resets every flag to its zero value (`interval: 0s`).
public enum FlagDefaults: Sendable {
    case cli
    case zeroValues
}

/// Raw values of `create source oci` flags; nil (or empty) means the flag was not given.
public struct OCIRepositoryOptions: Sendable {
    public var name: String
    public var namespace: String = defaultFluxNamespace
    public var url: String?
    public var tag: String?
    public var tagSemver: String?
    public var semverFilter: String?
    public var digest: String?
    public var interval: String?
    public var secretRef: String?
    public var certRef: String?
    public var proxySecretRef: String?
    public var serviceAccount: String?
    public var provider: String?
    public var insecure: Bool = false
    public var ignorePaths: [String] = []
    public var layerSelector: String?
    public var fetchTimeout: String?
    public var labels: [String] = []
    public var verifyProvider: String?
    public var verifySecretRef: String?
    public var verifyIssuer: String?
    public var verifySubject: String?
    public var apiVersion: FluxAPIVersion = .v1
    public var flagDefaults: FlagDefaults = .cli

    public init(name: String, url: String? = nil) {
        self.name = name
        self.url = url
    }

    /// Validates every flag and builds the object; the first problem is thrown, naming its flag.
    public func build() throws -> OCIRepository {
        guard !name.isEmpty else { throw FluxError.message("name is required") }
        try FluxValidation.validateName(name)
        try FluxValidation.validateNamespace(namespace)
        guard let urlText = given(url) else { throw FluxError.message("url is required") }
        let parsedURL = try OCIRepositoryURL(parsing: urlText)

        let refs = [("--tag", given(tag)), ("--tag-semver", given(tagSemver)), ("--digest", given(digest))].filter { $0.1 != nil }
        guard !refs.isEmpty else { throw FluxError.message("--tag, --tag-semver or --digest is required") }
        guard refs.count == 1 else {
            throw FluxError.message("\(refs.map(\.0).joined(separator: " and ")) are mutually exclusive: give only one")
        }
        var ref = OCIRepositoryRef()
        if let tag = given(tag) {
            try FluxValidation.validateTag(tag)
            ref.tag = tag
        }
        if let range = given(tagSemver) {
            do {
                _ = try SemverRange(parsing: range)
            } catch let error as SemverError {
                throw FluxError.invalidFlag(flag: "--tag-semver", value: range, reason: error.description)
            }
            ref.semver = range
        }
        if let filter = given(semverFilter) {
            guard ref.semver != nil else { throw FluxError.message("--semver-filter needs --tag-semver") }
            try FluxValidation.validateRegularExpression(filter, flag: "--semver-filter")
            ref.semverFilter = filter
        }
        if let digest = given(digest) {
            try FluxValidation.validateDigest(digest)
            ref.digest = digest
        }

        let interval = try given(interval).map { try GoDuration.parse($0, flag: "--interval") }
            ?? (flagDefaults == .cli ? .minutes(1) : .zero)
        var spec = OCIRepositorySpec(url: parsedURL.description, interval: interval)
        spec.ref = ref
        if let timeout = given(fetchTimeout) {
            let parsed = try GoDuration.parse(timeout, flag: "--fetch-timeout")
            // The CRD pattern for spec.timeout has no hours, and Go prints 1h as 1h0m0s.
            guard parsed < .hours(1) else {
                throw FluxError.invalidFlag(flag: "--fetch-timeout", value: timeout, reason: "must be less than 1h")
            }
            spec.timeout = parsed
        }
        if let provider = given(provider) {
            guard let parsed = OCIProvider(rawValue: provider) else {
                throw FluxError.invalidFlag(flag: "--provider", value: provider,
                                            reason: "must be one of \(OCIProvider.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            spec.provider = parsed
        }
        if let name = given(secretRef) {
            try FluxValidation.validateReferenceName(name, flag: "--secret-ref")
            spec.secretRef = LocalObjectReference(name: name)
        }
        if let name = given(certRef) {
            try FluxValidation.validateReferenceName(name, flag: "--cert-ref")
            spec.certSecretRef = LocalObjectReference(name: name)
        }
        if let name = given(proxySecretRef) {
            try FluxValidation.validateReferenceName(name, flag: "--proxy-secret-ref")
            spec.proxySecretRef = LocalObjectReference(name: name)
        }
        if let name = given(serviceAccount) {
            try FluxValidation.validateReferenceName(name, flag: "--service-account")
            spec.serviceAccountName = name
        }
        if insecure { spec.insecure = true }
        let ignore = ignorePaths.filter { !$0.isEmpty }
        if !ignore.isEmpty { spec.ignore = ignore.joined(separator: "\n") }
        if let selector = given(layerSelector) {
            spec.layerSelector = try FluxValidation.parseLayerSelector(selector)
        }
        spec.verify = try verification()
        let labelMap = try FluxValidation.parseLabels(labels)
        let metadata = ObjectMeta(name: name, namespace: namespace, labels: labelMap.isEmpty ? nil : labelMap)
        return OCIRepository(metadata: metadata, spec: spec, apiVersion: apiVersion)
    }

    /// flux's rules: a secret or an OIDC identity needs a provider; the identity is one entry with both fields.
    private func verification() throws -> OCIRepositoryVerification? {
        let secret = given(verifySecretRef)
        let issuer = given(verifyIssuer)
        let subject = given(verifySubject)
        guard let providerText = given(verifyProvider) else {
            if secret != nil {
                throw FluxError.message("a verification provider must be specified when a secret is specified")
            }
            if issuer != nil || subject != nil {
                throw FluxError.message("a verification provider must be specified when OIDC issuer/subject is specified")
            }
            return nil
        }
        guard let provider = OCIVerificationProvider(rawValue: providerText) else {
            throw FluxError.invalidFlag(flag: "--verify-provider", value: providerText,
                                        reason: "must be one of \(OCIVerificationProvider.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var verify = OCIRepositoryVerification(provider: provider)
        if let secret {
            try FluxValidation.validateReferenceName(secret, flag: "--verify-secret-ref")
            verify.secretRef = LocalObjectReference(name: secret)
        }
        if issuer != nil || subject != nil {
            if let issuer { try FluxValidation.validateRegularExpression(issuer, flag: "--verify-issuer") }
            if let subject { try FluxValidation.validateRegularExpression(subject, flag: "--verify-subject") }
            verify.matchOIDCIdentity = [OIDCIdentityMatch(issuer: issuer ?? "", subject: subject ?? "")]
        }
        return verify
    }
}

/// Raw values of `create kustomization` flags; nil (or empty) means the flag was not given.
public struct KustomizationOptions: Sendable {
    public var name: String
    public var namespace: String = defaultFluxNamespace
    /// `[Kind/]NAME[.NAMESPACE]`; the kind defaults to `defaultSourceKind`.
    public var source: String?
    public var defaultSourceKind: FluxSourceKind = .ociRepository
    public var path: String?
    public var prune: Bool = false
    public var wait: Bool = false
    public var timeout: String?
    public var retryInterval: String?
    public var targetNamespace: String?
    public var dependsOn: [String] = []
    public var healthChecks: [String] = []
    public var serviceAccount: String?
    public var interval: String?
    public var labels: [String] = []
    public var apiVersion: FluxAPIVersion = .v1
    public var flagDefaults: FlagDefaults = .cli

    public init(name: String, source: String? = nil) {
        self.name = name
        self.source = source
    }

    public func build() throws -> Kustomization {
        guard !name.isEmpty else { throw FluxError.message("name is required") }
        try FluxValidation.validateName(name)
        try FluxValidation.validateNamespace(namespace)
        guard let sourceText = given(source) else { throw FluxError.message("source is required") }
        let sourceRef = try FluxValidation.parseSourceReference(sourceText, defaultKind: defaultSourceKind)
        let interval = try given(interval).map { try GoDuration.parse($0, flag: "--interval") }
            ?? (flagDefaults == .cli ? .minutes(1) : .zero)
        var spec = KustomizationSpec(sourceRef: sourceRef, interval: interval, prune: prune)
        spec.path = try FluxValidation.normalizeKustomizationPath(given(path) ?? "./")
        if wait { spec.wait = true }
        if let timeout = given(timeout) { spec.timeout = try GoDuration.parse(timeout, flag: "--timeout") }
        if let retry = given(retryInterval) { spec.retryInterval = try GoDuration.parse(retry, flag: "--retry-interval") }
        if let target = given(targetNamespace) {
            try FluxValidation.validateNamespace(target, flag: "--target-namespace")
            spec.targetNamespace = target
        }
        let dependencies = try dependsOn.filter { !$0.isEmpty }.map { try FluxValidation.parseDependsOn($0) }
        if !dependencies.isEmpty { spec.dependsOn = dependencies }
        let checks = try healthChecks.filter { !$0.isEmpty }.map { try FluxValidation.parseHealthCheck($0) }
        if !checks.isEmpty { spec.healthChecks = checks }
        if let account = given(serviceAccount) {
            try FluxValidation.validateReferenceName(account, flag: "--service-account")
            spec.serviceAccountName = account
        }
        let labelMap = try FluxValidation.parseLabels(labels)
        let metadata = ObjectMeta(name: name, namespace: namespace, labels: labelMap.isEmpty ? nil : labelMap)
        return Kustomization(metadata: metadata, spec: spec, apiVersion: apiVersion)
    }
}

/// `bootstrap oci NAME`: an OCIRepository and a Kustomization of the same name that applies it and waits.
public struct BootstrapOptions: Sendable {
    public var name: String
    public var namespace: String = defaultFluxNamespace
    public var url: String?
    public var tag: String?
    public var path: String = "./"
    public var targetNamespace: String?
    public var prune: Bool = true
    public var interval: String = "1m"
    public var kustomizationInterval: String = "1h"
    public var retryInterval: String = "30s"
    public var timeout: String = "5m"
    public var labels: [String] = []
    public var sourceAPIVersion: FluxAPIVersion = .v1
    public var kustomizeAPIVersion: FluxAPIVersion = .v1

    public init(name: String, url: String? = nil, tag: String? = nil) {
        self.name = name
        self.url = url
        self.tag = tag
    }

    public func build() throws -> (source: OCIRepository, kustomization: Kustomization) {
        var sourceOptions = OCIRepositoryOptions(name: name, url: url)
        sourceOptions.namespace = namespace
        sourceOptions.tag = tag
        sourceOptions.interval = interval
        sourceOptions.labels = labels
        sourceOptions.apiVersion = sourceAPIVersion
        if given(tag) == nil { throw FluxError.message("--tag is required") }
        let source = try sourceOptions.build()

        var options = KustomizationOptions(name: name, source: "OCIRepository/\(name)")
        options.namespace = namespace
        options.path = path
        options.prune = prune
        options.wait = true
        options.targetNamespace = targetNamespace
        options.labels = labels
        options.apiVersion = kustomizeAPIVersion
        var kustomization = try options.build()
        kustomization.spec.interval = try GoDuration.parse(kustomizationInterval, flag: "--ks-interval")
        kustomization.spec.retryInterval = try GoDuration.parse(retryInterval, flag: "--retry-interval")
        kustomization.spec.timeout = try GoDuration.parse(timeout, flag: "--timeout")
        return (source, kustomization)
    }
}

/// Flux treats an empty flag value as not given.
private func given(_ value: String?) -> String? {
    guard let value, !value.isEmpty else { return nil }
    return value
}
