import Foundation

/// A fixed-capacity byte buffer handed between pipeline threads; owned by one thread at a time.
final class ChunkBuffer: @unchecked Sendable {
    let storage: UnsafeMutableRawPointer
    let capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }
}

/// Cuts the tar stream into fixed-size chunks while hashing it; file content is read straight into the chunk.
final class TarChunker {
    typealias Emit = (ChunkBuffer) throws -> ChunkBuffer

    private var chunk: ChunkBuffer
    private let emit: Emit
    /// nil when the consumer of the chunks hashes them itself.
    let hasher: SHA256Hasher?
    private(set) var totalSize: UInt64 = 0

    init(chunkSize: Int, hashes: Bool = true, emit: @escaping Emit) {
        chunk = ChunkBuffer(capacity: chunkSize)
        hasher = hashes ? SHA256Hasher() : nil
        self.emit = emit
    }

    func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = min(bytes.count - offset, chunk.capacity - chunk.count)
            (chunk.storage + chunk.count).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            chunk.count += count
            offset += count
            if chunk.count == chunk.capacity { try flush() }
        }
    }

    func appendZeros(_ count: Int) throws {
        var remaining = count
        while remaining > 0 {
            let step = min(remaining, chunk.capacity - chunk.count)
            (chunk.storage + chunk.count).initializeMemory(as: UInt8.self, repeating: 0, count: step)
            chunk.count += step
            remaining -= step
            if chunk.count == chunk.capacity { try flush() }
        }
    }

    /// Copies exactly `size` bytes of the file at `path`; a file that shrank or grew meanwhile is an error.
    func appendFile(path: String, size: UInt64) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArtifactError.systemError(.unreadable, "cannot open", path) }
        defer { close(descriptor) }
        var remaining = size
        while remaining > 0 {
            let want = Int(min(remaining, UInt64(chunk.capacity - chunk.count)))
            let got = read(descriptor, chunk.storage + chunk.count, want)
            if got < 0 {
                if errno == EINTR { continue }
                throw ArtifactError.systemError(.unreadable, "cannot read", path)
            }
            if got == 0 {
                throw ArtifactError(.unreadable, "file '\(path)' shrank while it was being archived; retry when it is no longer being written")
            }
            chunk.count += got
            remaining -= UInt64(got)
            if chunk.count == chunk.capacity { try flush() }
        }
        var probe: UInt8 = 0
        if read(descriptor, &probe, 1) > 0 {
            throw ArtifactError(.unreadable, "file '\(path)' grew while it was being archived; retry when it is no longer being written")
        }
    }

    /// Emits the last, partial chunk.
    func finish() throws {
        if chunk.count > 0 { try flush() }
    }

    private func flush() throws {
        hasher?.update(chunk.bytes)
        totalSize += UInt64(chunk.count)
        chunk = try emit(chunk)
        chunk.count = 0
    }
}

enum TarStreamWriter {
    /// Writes the whole tarball of `walker`'s entries, ending with the two zero blocks Go writes.
    static func write(_ walker: ArtifactWalker, to chunker: TarChunker) throws {
        try walker.walk { entry in
            switch entry.kind {
            case .directory:
                try chunker.append(TarHeader.encode(name: entry.name, typeflag: TarHeader.typeDirectory, mode: entry.mode, size: 0))
            case .file:
                try chunker.append(TarHeader.encode(name: entry.name, typeflag: TarHeader.typeRegular, mode: entry.mode, size: entry.size))
                switch entry.content {
                case .disk(let path): try chunker.appendFile(path: path, size: entry.size)
                case .memory(let data): try data.withUnsafeBytes { try chunker.append($0) }
                case .none: break
                }
                try chunker.appendZeros(TarHeader.padding(for: entry.size))
            }
        }
        try chunker.appendZeros(2 * TarHeader.blockSize)
        try chunker.finish()
    }
}
