import Foundation

/// Hands the chunks a producer thread fills to the calling thread, in order, through `depth` recycled buffers: reading
/// files (the producer) and hashing them (the caller) then overlap instead of taking turns on one core.
final class ChunkRelay: ChunkPipeline, @unchecked Sendable {
    private let depth: Int
    private let chunkSize: Int
    private var ready: [ChunkBuffer] = []
    private var spare: [ChunkBuffer] = []
    private var allocated = 1 // the chunker's first buffer

    init(chunkSize: Int, depth: Int = 3) {
        self.chunkSize = chunkSize
        self.depth = max(2, depth)
    }

    /// Runs `produce` on its own thread with an emit function for full chunks, and `consume` on the calling thread
    /// with each chunk's bytes in order. The first error, from either side, stops both and is rethrown.
    func run(produce: @escaping (@escaping TarChunker.Emit) throws -> Void, consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        let group = DispatchGroup()
        startProducer(in: group, produce, emit: { chunk in try self.hand(chunk) })
        try finish(group) {
            while true {
                condition.lock()
                while ready.isEmpty && failure == nil && !producerFinished { condition.wait() }
                if let failure {
                    condition.unlock()
                    throw failure
                }
                guard !ready.isEmpty else {
                    condition.unlock()
                    break // everything produced has been consumed
                }
                let chunk = ready.removeFirst()
                condition.unlock()
                try consume(chunk.bytes)
                condition.lock()
                spare.append(chunk)
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// Queues a full chunk and returns an empty one to fill, waiting while all `depth` buffers are queued.
    private func hand(_ chunk: ChunkBuffer) throws -> ChunkBuffer {
        condition.lock()
        defer { condition.unlock() }
        ready.append(chunk)
        condition.broadcast()
        if spare.isEmpty && allocated < depth {
            allocated += 1
            return ChunkBuffer(capacity: chunkSize)
        }
        while spare.isEmpty && failure == nil { condition.wait() }
        if failure != nil { throw Cancelled() }
        return spare.removeLast()
    }
}
