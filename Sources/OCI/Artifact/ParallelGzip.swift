import CDeflate
import Foundation

/// Compresses a stream of chunks as independent gzip members on several threads and hands the members back in
/// order. At most `maxInFlight` (threads + 2: spares so a worker that finishes early is not idle while the writer
/// waits for an earlier chunk; without them a 2-core build is ~10% slower) chunks are between the producer and the
/// writer, and their buffers are recycled
/// (`maxInFlight + 1` input and `maxInFlight` output buffers in all), so memory is a few MiB whatever the input
/// size and malloc never churns. The output bytes depend only on the chunk boundaries and the level, never on the thread
/// count or scheduling.
final class ParallelGzip: ChunkPipeline, @unchecked Sendable {
    private let level: Int32
    private let threads: Int
    private let maxInFlight: Int
    private let chunkSize: Int

    private var jobs: [(index: Int, chunk: ChunkBuffer)] = []
    private var results: [Int: ChunkBuffer] = [:]
    private var inFlight = 0
    private var producedCount = 0
    private var freeInputs: [ChunkBuffer] = []
    private var freeOutputs: [ChunkBuffer] = []

    init(level: Int, threads: Int, chunkSize: Int) {
        self.level = Int32(max(0, min(12, level)))
        self.threads = max(1, threads)
        self.maxInFlight = self.threads + 2
        self.chunkSize = chunkSize
    }

    /// Runs `produce` on its own thread (it gets an emit function for full chunks), compresses on `threads` threads
    /// and calls `consume` with each gzip member in order on the calling thread.
    func run(produce: @escaping (@escaping TarChunker.Emit) throws -> Void,
             consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            let worker = Thread { [self] in
                compressLoop()
                group.leave()
            }
            worker.stackSize = 1 << 20
            worker.start()
        }
        startProducer(in: group, produce, emit: { chunk in try self.submit(chunk) })

        var next = 0
        try finish(group) {
            while true {
                condition.lock()
                while results[next] == nil && failure == nil && !(producerFinished && next == producedCount) {
                    condition.wait()
                }
                if let error = failure {
                    condition.unlock()
                    throw error
                }
                guard let member = results.removeValue(forKey: next) else {
                    condition.unlock()
                    break // everything produced has been consumed
                }
                condition.unlock()
                try consume(member.bytes)
                condition.lock()
                freeOutputs.append(member)
                inFlight -= 1 // only now, so in-flight chunks never outnumber output buffers
                condition.broadcast()
                condition.unlock()
                next += 1
            }
        }
    }

    /// Called by the producer with a full chunk; blocks while too many chunks are in flight.
    private func submit(_ chunk: ChunkBuffer) throws -> ChunkBuffer {
        condition.lock()
        while inFlight >= maxInFlight && failure == nil { condition.wait() }
        if failure != nil {
            condition.unlock()
            throw Cancelled()
        }
        jobs.append((producedCount, chunk))
        producedCount += 1
        inFlight += 1
        condition.broadcast()
        // Every input buffer beyond the in-flight ones is free, so this never has to wait.
        let fresh = freeInputs.popLast() ?? ChunkBuffer(capacity: chunkSize)
        condition.unlock()
        return fresh
    }

    private func compressLoop() {
        guard let compressor = libdeflate_alloc_compressor(level) else {
            fail(ArtifactError(.unwritable, "libdeflate could not allocate a compressor at level \(level)"))
            return
        }
        defer { libdeflate_free_compressor(compressor) }
        // Level 1 to probe whether a chunk compresses at all, level 0 (stored) for chunks that do not.
        guard let probe = libdeflate_alloc_compressor(1), let store = libdeflate_alloc_compressor(0) else {
            fail(ArtifactError(.unwritable, "libdeflate could not allocate its probe compressors"))
            return
        }
        defer {
            libdeflate_free_compressor(probe)
            libdeflate_free_compressor(store)
        }
        let bound = max(GzipMember.bound(compressor, inputSize: chunkSize), GzipMember.bound(store, inputSize: chunkSize))
        let probeScratch = UnsafeMutableRawPointer.allocate(byteCount: GzipMember.probeScratchSize, alignment: 16)
        defer { probeScratch.deallocate() }
        while true {
            condition.lock()
            while jobs.isEmpty && !producerFinished && failure == nil { condition.wait() }
            if failure != nil || jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            // In-flight chunks never outnumber output buffers, so one is free or may be made.
            let member = freeOutputs.popLast() ?? ChunkBuffer(capacity: bound)
            condition.unlock()

            // Compressed straight into the buffer handed to the writer: no scratch copy.
            let incompressible = GzipMember.looksIncompressible(job.chunk.bytes, probe: probe, scratch: probeScratch)
            member.count = GzipMember.encode(incompressible ? store : compressor, input: job.chunk.bytes, into: member)

            condition.lock()
            freeInputs.append(job.chunk)
            results[job.index] = member
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// One complete gzip member: a fixed header like Go's (no name, MTIME 0, XFL 0, OS 255), raw deflate, CRC-32, size.
enum GzipMember {
    static let header: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]

    static func bound(_ compressor: OpaquePointer, inputSize: Int) -> Int {
        header.count + libdeflate_deflate_compress_bound(compressor, inputSize) + 8
    }

    static let probeWindow = 4096
    static let probeScratchSize = 8192

    /// Whether every one of a few windows spread over the chunk stays at ≥ 97% of its size at level 1: random or
    /// already-compressed data, which level 6 would spend time on for nothing. Decided from the bytes alone, so
    /// the output never depends on threads or timing.
    static func looksIncompressible(_ input: UnsafeRawBufferPointer, probe: OpaquePointer, scratch: UnsafeMutableRawPointer) -> Bool {
        guard input.count >= probeWindow * 4 else { return false }
        let step = (input.count - probeWindow) / 3
        for window in 0..<4 {
            let start = input.baseAddress! + window * step
            let size = libdeflate_deflate_compress(probe, start, probeWindow, scratch, probeScratchSize)
            // 0 means it did not fit, i.e. it grew: incompressible.
            if size > 0 && size * 100 < probeWindow * 97 { return false }
        }
        return true
    }

    /// Writes the member into `output` (sized by `bound`) and returns its length.
    static func encode(_ compressor: OpaquePointer, input: UnsafeRawBufferPointer, into output: ChunkBuffer) -> Int {
        header.withUnsafeBytes { output.storage.copyMemory(from: $0.baseAddress!, byteCount: header.count) }
        var offset = header.count
        let room = output.capacity - offset - 8
        let compressed = libdeflate_deflate_compress(compressor, input.baseAddress, input.count, output.storage + offset, room)
        precondition(compressed > 0, "libdeflate output exceeded its own bound")
        offset += compressed
        let crc = libdeflate_crc32(0, input.baseAddress, input.count)
        for value in [crc, UInt32(truncatingIfNeeded: input.count)] {
            for shift in stride(from: 0, to: 32, by: 8) {
                output.storage.storeBytes(of: UInt8(truncatingIfNeeded: value >> UInt32(shift)), toByteOffset: offset, as: UInt8.self)
                offset += 1
            }
        }
        return offset
    }
}
