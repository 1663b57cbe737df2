import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Hands out an in-memory body piece by piece, so all bodies take the same path (uploads, tar readers).
public final class DataBodyReader: HTTPBodyReader {
    private let data: Data
    private var offset: Int

    public init(_ data: Data) {
        self.data = data
        offset = data.startIndex
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, data.endIndex - offset)
        guard count > 0 else { return 0 }
        data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<offset + count)
        offset += count
        return count
    }
}

/// Reads a file as it is consumed (an upload, a tar reader); the whole file is never in memory.
public final class FileBodyReader: HTTPBodyReader {
    public let path: String
    public let size: Int64
    private let descriptor: Int32

    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FileBodyError(path: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw FileBodyError(path: path, reason: reason)
        }
        size = Int64(status.st_size)
    }

    deinit { close(descriptor) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw FileBodyError(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

public struct FileBodyError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot read \(path): \(reason)" }
}
