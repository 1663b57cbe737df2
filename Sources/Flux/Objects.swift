import Foundation
import JSON

/// An object kubectl-gitops generates: encodable, and named by its metadata.
public protocol FluxGeneratedObject: Encodable, Sendable {
    var metadata: ObjectMeta { get }
}

/// The metadata kubectl-gitops writes. Objects read from the API are kept as `JSONValue`.
public struct ObjectMeta: Codable, Equatable, Sendable {
    public var name: String
    public var namespace: String
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(name: String, namespace: String, labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

/// `{name: …}` references to Secrets and ConfigMaps in the object's namespace.
public struct LocalObjectReference: Codable, Equatable, Sendable {
    public var name: String
    public init(name: String) { self.name = name }
}

// MARK: OCIRepository

public struct OCIRepository: Codable, Equatable, Sendable, FluxGeneratedObject {
    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: OCIRepositorySpec

    public init(metadata: ObjectMeta, spec: OCIRepositorySpec, apiVersion: FluxAPIVersion = .v1) {
        self.apiVersion = FluxKind.ociRepository.apiVersion(apiVersion)
        self.kind = FluxKind.ociRepository.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct OCIRepositorySpec: Codable, Equatable, Sendable {
    public var url: String
    public var ref: OCIRepositoryRef?
    public var layerSelector: OCILayerSelector?
    public var provider: OCIProvider?
    public var secretRef: LocalObjectReference?
    public var verify: OCIRepositoryVerification?
    public var serviceAccountName: String?
    public var certSecretRef: LocalObjectReference?
    public var proxySecretRef: LocalObjectReference?
    public var interval: GoDuration
    public var timeout: GoDuration?
    public var ignore: String?
    public var insecure: Bool?
    public var suspend: Bool?

    public init(url: String, interval: GoDuration) {
        self.url = url
        self.interval = interval
    }
}

public struct OCIRepositoryRef: Codable, Equatable, Sendable {
    public var tag: String?
    public var semver: String?
    public var semverFilter: String?
    public var digest: String?
    public init(tag: String? = nil, semver: String? = nil, semverFilter: String? = nil, digest: String? = nil) {
        (self.tag, self.semver, self.semverFilter, self.digest) = (tag, semver, semverFilter, digest)
    }
}

public struct OCILayerSelector: Codable, Equatable, Sendable {
    public enum Operation: String, Codable, CaseIterable, Sendable {
        case extract
        case copy
    }
    public var mediaType: String
    public var operation: Operation
    public init(mediaType: String, operation: Operation) {
        self.mediaType = mediaType
        self.operation = operation
    }
}

public enum OCIProvider: String, Codable, CaseIterable, Sendable {
    case generic, aws, azure, gcp
}

public enum OCIVerificationProvider: String, Codable, CaseIterable, Sendable {
    case cosign, notation
}

public struct OCIRepositoryVerification: Codable, Equatable, Sendable {
    public var provider: OCIVerificationProvider
    public var secretRef: LocalObjectReference?
    public var matchOIDCIdentity: [OIDCIdentityMatch]?
    public init(provider: OCIVerificationProvider, secretRef: LocalObjectReference? = nil, matchOIDCIdentity: [OIDCIdentityMatch]? = nil) {
        (self.provider, self.secretRef, self.matchOIDCIdentity) = (provider, secretRef, matchOIDCIdentity)
    }
}

/// Both fields are always written (flux writes `subject: ""` when only the issuer is given).
public struct OIDCIdentityMatch: Codable, Equatable, Sendable {
    public var issuer: String
    public var subject: String
    public init(issuer: String, subject: String) { (self.issuer, self.subject) = (issuer, subject) }
}

// MARK: Kustomization

public struct Kustomization: Codable, Equatable, Sendable, FluxGeneratedObject {
    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: KustomizationSpec

    public init(metadata: ObjectMeta, spec: KustomizationSpec, apiVersion: FluxAPIVersion = .v1) {
        self.apiVersion = FluxKind.kustomization.apiVersion(apiVersion)
        self.kind = FluxKind.kustomization.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct KustomizationSpec: Codable, Equatable, Sendable {
    public var sourceRef: KustomizationSourceReference
    public var path: String?
    /// Required by the CRD and always written, also when false.
    public var prune: Bool
    public var wait: Bool?
    public var interval: GoDuration
    public var retryInterval: GoDuration?
    public var timeout: GoDuration?
    public var targetNamespace: String?
    public var dependsOn: [KustomizationDependency]?
    public var healthChecks: [KustomizationHealthCheck]?
    public var serviceAccountName: String?
    public var suspend: Bool?

    public init(sourceRef: KustomizationSourceReference, interval: GoDuration, prune: Bool) {
        self.sourceRef = sourceRef
        self.interval = interval
        self.prune = prune
    }
}

public struct KustomizationSourceReference: Codable, Equatable, Sendable {
    public var kind: FluxSourceKind
    public var name: String
    public var namespace: String?
    public init(kind: FluxSourceKind, name: String, namespace: String? = nil) {
        (self.kind, self.name, self.namespace) = (kind, name, namespace)
    }
}

public struct KustomizationDependency: Codable, Equatable, Sendable {
    public var name: String
    public var namespace: String?
    public init(name: String, namespace: String? = nil) { (self.name, self.namespace) = (name, namespace) }
}

public struct KustomizationHealthCheck: Codable, Equatable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var namespace: String
    public init(apiVersion: String, kind: String, name: String, namespace: String) {
        (self.apiVersion, self.kind, self.name, self.namespace) = (apiVersion, kind, name, namespace)
    }
}
