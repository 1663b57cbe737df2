import Foundation
import HTTPTransport

/// Bytes so far out of a total, for a progress bar.
public struct RegistryProgress: Sendable, Equatable {
    public var digest: String
    public var bytes: Int64
    public var total: Int64?
    public init(digest: String, bytes: Int64, total: Int64?) {
        self.digest = digest
        self.bytes = bytes
        self.total = total
    }
}

public typealias RegistryProgressHandler = @Sendable (RegistryProgress) -> Void

/// Where a blob's bytes come from; every form can be read again from the start (uploads restart on retry).
public enum RegistryBlobSource: Sendable {
    case data(Data)
    case file(path: String)
    case reader(length: Int64, makeReader: @Sendable () throws -> any HTTPBodyReader)
}

/// Reads a file with stdio in the transport's buffer sizes, so a blob is never held in memory.
final class RegistryFileReader: HTTPBodyReader {
    private let file: UnsafeMutablePointer<FILE>

    init(path: String) throws {
        guard let file = fopen(path, "rb") else {
            throw RegistryError(kind: .localIO, message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
    }

    deinit { fclose(file) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let count = fread(base, 1, buffer.count, file)
        if count == 0 && ferror(file) != 0 {
            throw RegistryError(kind: .localIO, message: "read failed: \(String(cString: strerror(errno)))")
        }
        return count
    }
}

final class RegistryDataReader: HTTPBodyReader {
    private let data: Data
    private var offset = 0

    init(_ data: Data) { self.data = data }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, data.count - offset)
        guard count > 0 else { return 0 }
        data.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// Passes bytes through and reports progress, throttled so a bar is not redrawn for every 16 KiB.
final class RegistryCountingReader: HTTPBodyReader {
    private let inner: any HTTPBodyReader
    private let digest: String
    private let total: Int64?
    private let progress: RegistryProgressHandler?
    private var bytes: Int64 = 0
    private var lastReported: Int64 = -1
    private static let reportEvery: Int64 = 256 * 1024

    init(_ inner: any HTTPBodyReader, digest: String, total: Int64?, progress: RegistryProgressHandler?) {
        self.inner = inner
        self.digest = digest
        self.total = total
        self.progress = progress
        progress?(RegistryProgress(digest: digest, bytes: 0, total: total))
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try inner.read(into: buffer)
        bytes += Int64(count)
        if count == 0 || bytes - lastReported >= Self.reportEvery {
            lastReported = bytes
            progress?(RegistryProgress(digest: digest, bytes: bytes, total: total))
        }
        return count
    }
}
