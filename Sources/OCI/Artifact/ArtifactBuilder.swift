import Foundation

/// The compressed layer written by `ArtifactBuilder.build`.
public struct BuiltLayer: Sendable, Equatable {
    /// `sha256:<hex>` of the gzip bytes: the layer digest.
    public var compressedDigest: String
    public var compressedSize: UInt64
    /// `sha256:<hex>` of the uncompressed tar: the config's `diff_id`.
    public var uncompressedDigest: String
    public var uncompressedSize: UInt64
    /// Where the gzip bytes were written.
    public var path: String
}

/// Digest of the uncompressed tarball only (for `--skip-unchanged`).
public struct TarDigest: Sendable, Equatable {
    public var digest: String
    public var size: UInt64
}

/// Builds a Flux artifact layer (tar + gzip) in one streaming pass: the tar is produced in fixed chunks, compressed
/// in parallel as concatenated gzip members, written in order and hashed on both sides. Memory stays at a few
/// chunks whatever the payload size.
public enum ArtifactBuilder {
    /// Where `build` writes before renaming into `destinationPath` (a streaming upload reads it as it grows).
    public static func temporaryPath(for destinationPath: String) -> String { destinationPath + ".tmp" }

    /// Writes the layer to `destinationPath` (via `temporaryPath(for:)`, renamed at the end, mode 0640), so no
    /// half-written file is ever left at `destinationPath`.
    public static func build(source: ArtifactSource, options: ArtifactBuildOptions = ArtifactBuildOptions(),
                             destinationPath: String) throws -> BuiltLayer {
        let walker = ArtifactWalker(source: source, options: options)
        let temporaryPath = temporaryPath(for: destinationPath)
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw ArtifactError.systemError(.unwritable, "cannot create", temporaryPath) }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        do {
            fchmod(descriptor, 0o640) // whatever the umask
            let compressedHasher = SHA256Hasher()
            var compressedSize: UInt64 = 0
            let chunker = Box<TarChunker?>(nil)
            let gzip = ParallelGzip(level: options.compressionLevel, threads: options.threads, chunkSize: ArtifactBuildOptions.chunkSize)
            try gzip.run(produce: { emit in
                let tarChunker = TarChunker(chunkSize: ArtifactBuildOptions.chunkSize, emit: emit)
                chunker.value = tarChunker
                try TarStreamWriter.write(walker, to: tarChunker)
            }, consume: { member in
                compressedHasher.update(member)
                compressedSize += UInt64(member.count)
                try writeAll(descriptor, member, path: temporaryPath)
            })
            closed = true
            guard close(descriptor) == 0 else { throw ArtifactError.systemError(.unwritable, "cannot write", temporaryPath) }
            guard rename(temporaryPath, destinationPath) == 0 else {
                throw ArtifactError.systemError(.unwritable, "cannot rename '\(temporaryPath)' to", destinationPath)
            }
            let tar = chunker.value!
            return BuiltLayer(compressedDigest: compressedHasher.finalizeDigest(), compressedSize: compressedSize,
                              uncompressedDigest: tar.hasher!.finalizeDigest(), uncompressedSize: tar.totalSize,
                              path: destinationPath)
        } catch {
            unlink(temporaryPath)
            throw error
        }
    }

    /// sha256 and size of the uncompressed tarball, without compressing anything. Files are read on one thread
    /// while the chunks read before are hashed on this one.
    public static func tarDigest(source: ArtifactSource, options: ArtifactBuildOptions = ArtifactBuildOptions()) throws -> TarDigest {
        let walker = ArtifactWalker(source: source, options: options)
        let hasher = SHA256Hasher()
        var size: UInt64 = 0
        try ChunkRelay(chunkSize: ArtifactBuildOptions.chunkSize).run(produce: { emit in
            try TarStreamWriter.write(walker, to: TarChunker(chunkSize: ArtifactBuildOptions.chunkSize, hashes: false, emit: emit))
        }, consume: { bytes in
            hasher.update(bytes)
            size += UInt64(bytes.count)
        })
        return TarDigest(digest: hasher.finalizeDigest(), size: size)
    }

    /// Streams the uncompressed tarball to `consume` in chunks (used by tests and diagnostics).
    public static func writeTar(source: ArtifactSource, options: ArtifactBuildOptions = ArtifactBuildOptions(),
                                consume: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        let chunker = TarChunker(chunkSize: ArtifactBuildOptions.chunkSize) { chunk in
            try consume(chunk.bytes)
            return chunk
        }
        try TarStreamWriter.write(ArtifactWalker(source: source, options: options), to: chunker)
    }

    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw ArtifactError.systemError(.unwritable, "cannot write", path)
            }
            offset += written
        }
    }
}

/// A mutable reference shared between the producer thread and the caller, which reads it only after the join.
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
