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
