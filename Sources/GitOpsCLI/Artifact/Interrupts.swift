import Foundation

/// Ctrl-C during a push, pull or build: the work is cancelled (libcurl transfers stop at once), the caller cleans
/// up and exits 130. The handler only sets a flag (async-signal-safe); a watcher task turns the flag into a
/// cancellation, because the Dispatch signal source is unreliable on Linux when other threads leave SIGINT unblocked.
enum InterruptGuard {
    /// Runs `operation`; throws `ArtifactInterrupted` when SIGINT arrived before it finished.
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        interruptReceived = 0
        let previous = signal(SIGINT) { _ in interruptReceived = 1 }
        defer { signal(SIGINT, previous) }
        let work = Task { try await operation() }
        let watcher = Task {
            while !Task.isCancelled {
                if interruptReceived != 0 {
                    work.cancel()
                    return
                }
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        defer { watcher.cancel() }
        do {
            let value = try await work.value
            if interruptReceived != 0 { throw ArtifactInterrupted() }
            return value
        } catch {
            if interruptReceived != 0 { throw ArtifactInterrupted() }
            throw error
        }
    }

    /// For tests: behave as if Ctrl-C had been pressed.
    static func simulateInterrupt() { interruptReceived = 1 }
}

/// Set by the SIGINT handler; a plain word write is all a signal handler may do.
nonisolated(unsafe) private var interruptReceived: sig_atomic_t = 0

/// Runs blocking work (building, extracting, comparing) on its own thread so the caller's task stays cancellable:
/// on cancellation the caller gets `CancellationError` at once and the abandoned thread finishes into a scratch
/// directory that the caller removes.
func runBlocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    let state = BlockingState<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            state.install(continuation)
            let thread = Thread {
                let result = Result { try work() }
                state.finish(result)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    } onCancel: {
        state.finish(.failure(CancellationError()))
    }
}

/// Resumes the continuation exactly once, whoever comes first: the worker or a cancellation.
private final class BlockingState<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?
    private var early: Result<T, Error>?
    private var done = false

    func install(_ continuation: CheckedContinuation<T, Error>) {
        lock.lock()
        if let early {
            done = true
            self.early = nil
            lock.unlock()
            continuation.resume(with: early)
            return
        }
        self.continuation = continuation
        lock.unlock()
    }

    func finish(_ result: Result<T, Error>) {
        lock.lock()
        guard !done else { lock.unlock(); return }
        guard let continuation else {
            if early == nil { early = result }
            lock.unlock()
            return
        }
        done = true
        self.continuation = nil
        lock.unlock()
        continuation.resume(with: result)
    }
}
