import Foundation
import Semver

public struct RegistryPushResult: Sendable, Equatable {
    /// Digest of the manifest the tag now points to.
    public var digest: String
    /// True when `skipUnchanged` found the same content under the tag and nothing was written.
    public var skipped: Bool
}

/// What `contentMatch` found under a tag.
public enum RegistryContentMatch: Sendable, Equatable {
    /// The tag holds the same content; its manifest digest.
    case same(digest: String)
    /// The tag is missing or holds other content.
    case different
    /// The remote config does not say; compare layer digests instead.
    case undetermined
}

struct ImageConfigDiffIDs: Decodable {
    struct RootFS: Decodable { var diff_ids: [String]? }
    var rootfs: RootFS?
}

public struct RegistryPullResult: Sendable, Equatable {
    public var manifestDigest: String
    public var layer: RegistryDescriptor
    public var annotations: [String: String]
}

/// One row of `list artifacts`.
public struct RegistryArtifactSummary: Sendable, Equatable {
    public var tag: String
    public var digest: String
    public var source: String?
    public var revision: String?
    public var created: String?
}

extension RegistryClient {
    static let sourceAnnotation = "org.opencontainers.image.source"
    static let revisionAnnotation = "org.opencontainers.image.revision"
    static let createdAnnotation = "org.opencontainers.image.created"

    /// Pushes config and layer (HEAD → skip when present, else upload and commit), then the manifest last, so the
    /// tag only moves once every blob is committed. With `skipUnchanged`, a tag whose content (config
    /// `rootfs.diff_ids`, else layer digest) equals ours is left alone.
    public func push(
        layerFile: String,
        layerDigest: String,
        layerSize: Int64,
        config: Data,
        manifest: Data,
        to reference: OCIReference,
        skipUnchanged: Bool = false
    ) async throws -> RegistryPushResult {
        let action = "push to \(reference.repositoryName)"
        do {
            transport.requestScopes(["repository:\(reference.repository):pull,push"], forHost: reference.apiHost)
            let manifestContent: RegistryManifest.Content
            do {
                manifestContent = try JSONDecoder().decode(RegistryManifest.Content.self, from: manifest)
            } catch {
                throw RegistryError(kind: .server, message: "the manifest to push is not JSON")
            }
            let configDigest = SHA256Hasher.digest(of: config)
            guard manifestContent.config?.digest == configDigest else {
                throw RegistryError(kind: .digestMismatch, message: "the manifest's config digest is not the digest of the config bytes (\(configDigest))")
            }
            guard manifestContent.layers?.contains(where: { $0.digest == layerDigest }) == true else {
                throw RegistryError(kind: .digestMismatch, message: "the manifest does not list the layer \(layerDigest)")
            }

            if skipUnchanged, let existing = try await unchangedDigest(at: reference, config: config, layerDigest: layerDigest) {
                return RegistryPushResult(digest: existing, skipped: true)
            }

            if try await !blobExists(configDigest, in: reference) {
                try await uploadBlob(.data(config), digest: configDigest, size: Int64(config.count), to: reference)
            }
            if try await !blobExists(layerDigest, in: reference) {
                try await uploadBlob(.file(path: layerFile), digest: layerDigest, size: layerSize, to: reference)
            }
            let mediaType = manifestContent.mediaType ?? Self.manifestAcceptTypes[0]
            let digest = try await putManifest(manifest, mediaType: mediaType, to: reference)
            return RegistryPushResult(digest: digest, skipped: false)
        } catch let error as RegistryError {
            throw error.within(action: action)
        }
    }

    /// Whether the tag already holds an artifact whose uncompressed tar digest is the one `diffID` computes (its
    /// config's `rootfs.diff_ids`), answered before any layer is compressed. `diffID` runs while the remote manifest
    /// and config are fetched, and its errors come first. `.undetermined` when the remote config records no diff_ids
    /// (flux 2.9 writes an empty config): then only the layer digest can tell, through `push(skipUnchanged:)`.
    public func contentMatch(at reference: OCIReference, diffID: @escaping @Sendable () async throws -> String) async throws -> RegistryContentMatch {
        async let localDiffID = diffID()
        let remote: (digest: String, diffIDs: [String])?
        do {
            remote = try await remoteDiffIDs(at: reference)
        } catch {
            _ = try await localDiffID
            throw error
        }
        let local = try await localDiffID
        guard let remote else { return .different }
        if remote.diffIDs.isEmpty { return .undetermined }
        return remote.diffIDs == [local] ? .same(digest: remote.digest) : .different
    }

    /// The manifest digest under the tag and its config's diff_ids (empty when the config records none); nil when
    /// the tag does not exist.
    private func remoteDiffIDs(at reference: OCIReference) async throws -> (digest: String, diffIDs: [String])? {
        do {
            // The push that usually follows needs push scope: ask once for both.
            transport.requestScopes(["repository:\(reference.repository):pull,push"], forHost: reference.apiHost)
            guard let remote = try await getManifest(reference) else { return nil }
            guard let remoteConfig = try remote.decoded().config else { return (remote.digest, []) }
            let remoteBytes = try await fetchBlob(remoteConfig.digest, from: reference)
            return (remote.digest, (try? JSONDecoder().decode(ImageConfigDiffIDs.self, from: remoteBytes))?.rootfs?.diff_ids ?? [])
        } catch let error as RegistryError {
            throw error.within(action: "compare with \(reference)")
        }
    }

    /// The digest under the tag when its content matches ours; nil when the tag is missing or differs.
    private func unchangedDigest(at reference: OCIReference, config: Data, layerDigest: String) async throws -> String? {
        guard let remote = try await getManifest(reference) else { return nil }
        let content = try remote.decoded()
        struct ImageConfig: Decodable {
            struct RootFS: Decodable { var diff_ids: [String]? }
            var rootfs: RootFS?
        }
        let ourDiffIDs = (try? JSONDecoder().decode(ImageConfig.self, from: config))?.rootfs?.diff_ids ?? []
        if !ourDiffIDs.isEmpty, let remoteConfig = content.config {
            let remoteBytes = try await fetchBlob(remoteConfig.digest, from: reference)
            let remoteDiffIDs = (try? JSONDecoder().decode(ImageConfig.self, from: remoteBytes))?.rootfs?.diff_ids ?? []
            if !remoteDiffIDs.isEmpty { return remoteDiffIDs == ourDiffIDs ? remote.digest : nil }
        }
        return content.layers?.first?.digest == layerDigest ? remote.digest : nil
    }

    /// Gets the manifest, picks layer[0] (or the first layer of `layerMediaType`) and streams it to `file`, verified.
    public func pull(_ reference: OCIReference, to file: String, layerMediaType: String? = nil) async throws -> RegistryPullResult {
        let action = "pull from \(reference.repositoryName)"
        do {
            guard let manifest = try await getManifest(reference) else {
                throw RegistryError(kind: .notFound, operation: "GET manifest \(reference.manifestReference)", status: 404, code: "MANIFEST_UNKNOWN",
                                    message: "no artifact at \(reference)")
            }
            let content = try manifest.decoded()
            let layers = content.layers ?? []
            let chosen = layerMediaType.map { type in layers.first { $0.mediaType == type } } ?? layers.first
            guard let layer = chosen else {
                throw RegistryError(kind: .notFound, message: layerMediaType.map { "the artifact has no layer of media type \($0)" } ?? "the artifact has no layers")
            }
            try await downloadBlob(layer, from: reference, to: file)
            return RegistryPullResult(manifestDigest: manifest.digest, layer: layer, annotations: content.annotations ?? [:])
        } catch let error as RegistryError {
            throw error.within(action: action)
        }
    }

    /// Puts the reference's manifest under each of `tags`; returns its digest.
    @discardableResult
    public func tag(_ reference: OCIReference, as tags: [String]) async throws -> String {
        let action = "tag \(reference)"
        do {
            for tag in tags where !OCIReference.isValidTag(tag) {
                throw RegistryError(kind: .invalidReference, message: "tag \"\(tag)\" must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")
            }
            transport.requestScopes(["repository:\(reference.repository):pull,push"], forHost: reference.apiHost)
            guard let manifest = try await getManifest(reference) else {
                throw RegistryError(kind: .notFound, operation: "GET manifest \(reference.manifestReference)", status: 404, code: "MANIFEST_UNKNOWN",
                                    message: "no artifact at \(reference)")
            }
            for tag in tags {
                try await putManifest(manifest.bytes, mediaType: manifest.mediaType, to: reference.withTag(tag))
            }
            return manifest.digest
        } catch let error as RegistryError {
            throw error.within(action: action)
        }
    }

    /// Tags (minus signature/attestation/SBOM tags) with their digest and source/revision/created annotations.
    /// `semver` keeps tags in the range and sorts them newest first; `regex` keeps matching tags; otherwise
    /// tags are sorted descending as strings, like flux.
    public func listArtifacts(_ reference: OCIReference, semver: String? = nil, regex: String? = nil, pageSize: Int? = nil) async throws -> [RegistryArtifactSummary] {
        let action = "list artifacts in \(reference.repositoryName)"
        do {
            let range: SemverRange?
            do {
                range = try semver.map { try SemverRange(parsing: $0) }
            } catch let error as SemverError {
                throw RegistryError(kind: .invalidReference, message: "invalid --filter-semver \"\(semver ?? "")\": \(error.description)")
            }
            var pattern: NSRegularExpression?
            if let regex {
                do { pattern = try NSRegularExpression(pattern: regex) } catch {
                    throw RegistryError(kind: .invalidReference, message: "invalid --filter-regex \"\(regex)\": not a regular expression")
                }
            }
            var tags = try await listTags(reference, pageSize: pageSize).filter { tag in
                ![".sig", ".att", ".sbom"].contains { tag.hasSuffix($0) }
            }
            if let pattern {
                tags = tags.filter { pattern.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
            }
            if let range {
                tags = tags.compactMap { tag in SemverVersion(tag).flatMap { range.contains($0) ? (tag, $0) : nil } }
                    .sorted { $0.1 > $1.1 }.map(\.0)
            } else {
                tags.sort(by: >)
            }
            var rows: [RegistryArtifactSummary] = []
            for tag in tags {
                guard let manifest = try await getManifest(reference.withTag(tag)) else { continue }
                let annotations = (try? manifest.decoded())?.annotations ?? [:]
                rows.append(RegistryArtifactSummary(tag: tag, digest: manifest.digest, source: annotations[Self.sourceAnnotation],
                                                    revision: annotations[Self.revisionAnnotation], created: annotations[Self.createdAnnotation]))
            }
            return rows
        } catch let error as RegistryError {
            throw error.within(action: action)
        }
    }
}
