import Foundation

/// SIGINT, SIGTERM and SIGHUP (Ctrl-C, `timeout`, a cancelled CI job, a pod stop, a closed terminal) cancel the
/// command's task tree: curl transfers abort, blocking work is abandoned, `defer`s remove what was half written, and
/// the process exits 128 + the signal (130, 143, 129). A second signal exits at once. The handler only stores the
/// signal number (async-signal-safe); a watcher task turns it into a cancellation, because the Dispatch signal
/// source is unreliable on Linux when other threads leave the signals unblocked.
public enum TerminationSignals {
    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Runs `command` (which returns an exit code) and returns its code, or 128 + the signal that stopped it.
    public static func run(_ command: @escaping @Sendable () async -> Int32) async -> Int32 {
        receivedSignal = 0
        for number in handled {
            signal(number) { number in
                // Asked twice: the user means now. _exit is async-signal-safe; exit is not.
                if receivedSignal != 0 { _exit(128 + number) }
                receivedSignal = number
            }
        }
        defer { for number in handled { signal(number, SIG_DFL) } }
        return await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await command() }
            group.addTask {
                while !Task.isCancelled {
                    if receivedSignal != 0 { return nil }
                    try? await Task.sleep(nanoseconds: 20_000_000)
                }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let code = first, receivedSignal == 0 { return code }
            // A signal: the command unwinds (its cleanup runs) and the signal decides the exit code. Work that
            // ignores cancellation must not keep the process: give it 3 s.
            group.addTask {
                try? await Task.sleep(nanoseconds: 3_000_000_000)
                return nil
            }
            _ = await group.next()
            return 128 + receivedSignal
        }
    }

    /// The signal that arrived since `run` started, or 0.
    static var received: Int32 { receivedSignal }
}

/// Set by the signal handler; a plain word write is all a signal handler may do.
nonisolated(unsafe) private var receivedSignal: sig_atomic_t = 0

/// Artifact commands: a cancellation that a signal caused is reported as one "interrupted" line.
enum InterruptGuard {
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            let value = try await operation()
            if TerminationSignals.received != 0 { throw ArtifactInterrupted() }
            return value
        } catch {
            if TerminationSignals.received != 0 || Task.isCancelled { throw ArtifactInterrupted() }
            throw error
        }
    }
}

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
