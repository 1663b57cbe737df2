import CZlib
import Foundation
import HTTPTransport

/// A pull-based byte stream: the transport's body reader, so files, buffers and blob downloads share one shape.
public typealias ArtifactByteReader = HTTPBodyReader

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
