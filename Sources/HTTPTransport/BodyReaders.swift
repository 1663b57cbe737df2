import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Hands out an in-memory body piece by piece, so all bodies take the same upload path.
final class DataBodyReader: HTTPBodyReader {
    private let data: Data
    private var offset = 0

    init(_ data: Data) { self.data = data }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, data.count - offset)
        guard count > 0 else { return 0 }
        data.withUnsafeBytes { source in
            let start = source.baseAddress!.advanced(by: offset)
            buffer.baseAddress!.copyMemory(from: start, byteCount: count)
        }
        offset += count
        return count
    }
}

/// Reads a file as the upload proceeds; the whole file is never in memory.
final class FileBodyReader: HTTPBodyReader {
    let path: String
    let size: Int64
    private let descriptor: Int32

    init(path: String) throws {
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

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw FileBodyError(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

struct FileBodyError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "cannot read the request body file \(path): \(reason)" }
}
