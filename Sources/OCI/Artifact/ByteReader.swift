import CZlib
import Foundation

/// A pull-based byte stream (same shape as `HTTPBodyReader`, so a blob download can feed it directly).
public protocol ArtifactByteReader: AnyObject {
    /// Fills up to `buffer.count` bytes and returns how many; 0 means the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a file through a file descriptor.
public final class FileByteReader: ArtifactByteReader {
    private let descriptor: Int32
    private let path: String

    public init(path: String) throws {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        self.path = path
        guard descriptor >= 0 else { throw ArtifactError.systemError(.unreadable, "cannot open", path) }
    }

    deinit { close(descriptor) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw ArtifactError.systemError(.unreadable, "cannot read", path) }
        }
    }
}

/// Reads an in-memory buffer.
public final class DataByteReader: ArtifactByteReader {
    private let data: Data
    private var offset: Int

    public init(_ data: Data) {
        self.data = data
        offset = data.startIndex
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, data.endIndex - offset)
        if count > 0 {
            data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: offset..<offset + count)
            offset += count
        }
        return count
    }
}

/// Inflates a gzip stream made of one or more members (ours, Go's, `gzip`, `pigz`) with zlib, in bounded buffers.
public final class GzipDecompressingReader: ArtifactByteReader {
    private let source: ArtifactByteReader
    private var stream = z_stream()
    private let input: UnsafeMutableRawPointer
    private let inputCapacity = 64 << 10
    private var sourceEnded = false
    private var finished = false
    private var sawAnyMember = false

    public init(_ source: ArtifactByteReader) throws {
        self.source = source
        input = UnsafeMutableRawPointer.allocate(byteCount: inputCapacity, alignment: 16)
        // 16 + MAX_WBITS: expect a gzip wrapper.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            input.deallocate()
            throw ArtifactError(.invalidArchive, "zlib could not start inflating")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !sourceEnded {
                let count = try source.read(into: UnsafeMutableRawBufferPointer(start: input, count: inputCapacity))
                if count == 0 {
                    sourceEnded = true
                } else {
                    stream.next_in = input.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = UInt32(count)
                }
            }
            let outputBefore = stream.avail_out
            let result = inflate(&stream, Z_NO_FLUSH)
            switch result {
            case Z_OK, Z_BUF_ERROR:
                if stream.avail_in == 0 && sourceEnded && stream.avail_out == outputBefore {
                    if !sawAnyMember && stream.total_in == 0 {
                        throw ArtifactError(.invalidArchive, "the layer is empty, not a gzip stream")
                    }
                    throw ArtifactError(.invalidArchive, "the gzip stream is truncated; download the layer again")
                }
            case Z_STREAM_END:
                sawAnyMember = true
                // Another member may follow; skip trailing zero padding some writers add.
                if stream.avail_in == 0 && !sourceEnded {
                    let count = try source.read(into: UnsafeMutableRawBufferPointer(start: input, count: inputCapacity))
                    if count == 0 { sourceEnded = true } else {
                        stream.next_in = input.assumingMemoryBound(to: Bytef.self)
                        stream.avail_in = UInt32(count)
                    }
                }
                if stream.avail_in == 0 && sourceEnded {
                    finished = true
                    return buffer.count - Int(stream.avail_out)
                }
                inflateReset(&stream)
                stream.total_in = 0
            default:
                let detail = stream.msg.map { String(cString: $0) } ?? "error \(result)"
                throw ArtifactError(.invalidArchive, "the layer is not valid gzip: \(detail)")
            }
        }
        return buffer.count
    }
}
