import Foundation

/// What the threads of a chunk pipeline share: one condition, the first failure, and whether the producer is done.
/// `ParallelGzip` and `ChunkRelay` build on it.
class ChunkPipeline: @unchecked Sendable {
    let condition = NSCondition()
    var failure: Error?
    var producerFinished = false

    struct Cancelled: Error {}

    /// Records the first failure and wakes every waiting thread, which then stops.
    func fail(_ error: Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `produce` on a thread of its own (4 MiB of stack for the walker), with `emit` for its full chunks; `group`
    /// is left when it has finished or failed.
    func startProducer(in group: DispatchGroup, _ produce: @escaping (@escaping TarChunker.Emit) throws -> Void,
                       emit: @escaping TarChunker.Emit) {
        group.enter()
        let producer = Thread { [self] in
            do {
                try produce(emit)
                condition.lock()
                producerFinished = true
                condition.broadcast()
                condition.unlock()
            } catch {
                fail(error)
            }
            group.leave()
        }
        producer.stackSize = 4 << 20
        producer.start()
    }

    /// Runs `consume`, the caller's side; on its error the other threads are stopped and waited for first.
    func finish(_ group: DispatchGroup, consume: () throws -> Void) throws {
        do {
            try consume()
        } catch {
            fail(error)
            group.wait()
            throw error
        }
        group.wait()
    }
}
