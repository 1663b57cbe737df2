import FoundationEssentials
import CSystemKit
import Glibc

/// Runs a program to completion with posix_spawn (what Foundation's Process did): stdin from bytes, the terminal or
/// /dev/null; stdout captured; stderr inherited, discarded or captured. Pipes are drained together with poll, so a
/// chatty child never blocks on a full pipe.
public enum Subprocess {
    public enum Input: Sendable {
        case nothing
        case inherit
        case bytes([UInt8])
    }

    public enum ErrorOutput: Sendable {
        case inherit
        case discard
        case capture
    }

    public struct Result: Sendable {
        /// The exit code, or 128 + the signal number when a signal ended the child (as shells report it).
        public var status: Int32
        public var output: [UInt8]
        public var errorOutput: [UInt8]
    }

    public struct LaunchError: Error, CustomStringConvertible {
        public var executable: String
        public var reason: String
        public var description: String { "cannot run \(executable): \(reason)" }
    }

    /// The child was killed (with its process group) because it outlived `timeout` or `shouldStop` said so.
    public struct Stopped: Error, CustomStringConvertible {
        public enum Reason: Sendable { case timedOut(TimeInterval), cancelled }
        public var executable: String
        public var reason: Reason
        public var description: String {
            switch reason {
            case .timedOut(let seconds): "\(executable) did not finish within \(Int(seconds.rounded(.up))) s"
            case .cancelled: "\(executable) was stopped"
            }
        }
    }

    /// `environment` nil inherits ours. `executable` is a path (callers resolve PATH themselves).
    /// - Parameters:
    ///   - timeout: kill the child (and, with `ownProcessGroup`, everything it started) once it has run this long.
    ///   - ownProcessGroup: start the child in a process group of its own, so a kill reaches its children too. Not
    ///     for a child that reads the terminal: only the foreground group may.
    ///   - shouldStop: asked about every 100 ms; true kills the child (the caller's task was cancelled).
    public static func run(executable: String, arguments: [String], environment: [String: String]? = nil,
                           workingDirectory: String? = nil, input: Input = .nothing,
                           errorOutput: ErrorOutput = .inherit, timeout: TimeInterval? = nil,
                           ownProcessGroup: Bool = false, shouldStop: (() -> Bool)? = nil) throws -> Result {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handlers and nothing blocked, whatever we ignore (SIGPIPE).
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var opened: [Int32] = []
        defer { for descriptor in opened { close(descriptor) } }
        func makePipe() throws -> (read: Int32, write: Int32) {
            var ends: [Int32] = [0, 0]
            guard csystemkit_pipe_cloexec(&ends) == 0 else { throw LaunchError(executable: executable, reason: lastError()) }
            opened += ends
            return (ends[0], ends[1])
        }

        var inputPipe: (read: Int32, write: Int32)?
        switch input {
        case .nothing: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .inherit: break
        case .bytes:
            let ends = try makePipe()
            inputPipe = ends
            posix_spawn_file_actions_adddup2(&actions, ends.read, 0)
        }
        let outputPipe = try makePipe()
        posix_spawn_file_actions_adddup2(&actions, outputPipe.write, 1)
        var errorPipe: (read: Int32, write: Int32)?
        switch errorOutput {
        case .inherit: break
        case .discard: posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .capture:
            let ends = try makePipe()
            errorPipe = ends
            posix_spawn_file_actions_adddup2(&actions, ends.write, 2)
        }
        if let workingDirectory { _ = csystemkit_spawn_addchdir(&actions, workingDirectory) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let variables = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for variable in variables ?? [] { free(variable) } }

        var child = pid_t()
        // ETXTBSY: the program was just written and a process forked meanwhile (here or anywhere) still holds the
        // writer's descriptor until it execs; that passes within milliseconds, so wait briefly instead of failing.
        var status: Int32 = 0
        for attempt in 0..<8 {
            status = if let variables {
                posix_spawn(&child, executable, &actions, &attributes, argv, variables)
            } else {
                posix_spawn(&child, executable, &actions, &attributes, argv, environ)
            }
            guard status == ETXTBSY else { break }
            usleep(useconds_t(5_000 << attempt))
        }
        guard status == 0 else { throw LaunchError(executable: executable, reason: String(cString: strerror(status))) }

        // Only our ends stay open here; the child's copies were dup'ed into 0/1/2.
        close(outputPipe.write)
        if let errorPipe { close(errorPipe.write) }
        if let inputPipe { close(inputPipe.read) }
        opened.removeAll { $0 == outputPipe.write || $0 == errorPipe?.write || $0 == inputPipe?.read }

        var pending: [UInt8] = []
        if case let .bytes(bytes) = input { pending = bytes }
        var output: [UInt8] = []
        var errors: [UInt8] = []
        var writeEnd = inputPipe?.write ?? -1
        if writeEnd >= 0 {
            _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
            if pending.isEmpty { closeOpened(&writeEnd, &opened) }
        }
        var readEnds = [outputPipe.read] + (errorPipe.map { [$0.read] } ?? [])
        var buffer = [UInt8](repeating: 0, count: 65536)
        let bounded = timeout != nil || shouldStop != nil
        let deadline = timeout.map { monotonicSeconds() + $0 }
        var stopped: Stopped.Reason?
        while !readEnds.isEmpty || writeEnd >= 0 {
            if let deadline, monotonicSeconds() >= deadline, let timeout {
                stopped = .timedOut(timeout)
            } else if shouldStop?() == true {
                stopped = .cancelled
            }
            if stopped != nil {
                // The whole group: a plugin's own children would otherwise keep the pipes (and the wait) open.
                if ownProcessGroup { kill(-child, SIGKILL) } else { kill(child, SIGKILL) }
                break
            }
            var polled = readEnds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if writeEnd >= 0 { polled.append(pollfd(fd: writeEnd, events: Int16(POLLOUT), revents: 0)) }
            guard poll(&polled, nfds_t(polled.count), bounded ? 100 : -1) >= 0 else {
                if errno == EINTR { continue }
                break
            }
            for entry in polled where entry.revents != 0 {
                if entry.fd == writeEnd {
                    let written = pending.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
                    if written > 0 { pending.removeFirst(written) }
                    // A child that stops reading (EPIPE) simply gets no more input.
                    if pending.isEmpty || (written < 0 && errno != EAGAIN && errno != EINTR) { closeOpened(&writeEnd, &opened) }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == outputPipe.read { output += buffer[0..<count] } else { errors += buffer[0..<count] }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    readEnds.removeAll { $0 == entry.fd }
                }
            }
        }

        var waitStatus: Int32 = 0
        while waitpid(child, &waitStatus, 0) < 0 && errno == EINTR {}
        if let stopped { throw Stopped(executable: executable, reason: stopped) }
        let exitCode: Int32 = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
        return Result(status: exitCode, output: output, errorOutput: errors)
    }

    private static func closeOpened(_ descriptor: inout Int32, _ opened: inout [Int32]) {
        close(descriptor)
        let closed = descriptor
        opened.removeAll { $0 == closed }
        descriptor = -1
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
