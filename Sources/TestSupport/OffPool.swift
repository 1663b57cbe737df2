import Foundation

/// Runs blocking work (starting a server, running a program, a control call through curl) on a thread of its own and
/// awaits it. On 2 cores Swift's cooperative pool has two threads: a test that blocked one would stall every other
/// test's tasks and timers.
public func offPool<T>(_ body: @escaping () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}
