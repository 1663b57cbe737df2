import Foundation

/// Where text goes: a file descriptor in the live tool, a buffer in tests.
public protocol TextSink: AnyObject, Sendable {
    func write(_ text: String)
}

public final class FileDescriptorSink: TextSink, @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    public init(_ handle: FileHandle) {
        self.handle = handle
    }

    public func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        handle.write(Data(text.utf8))
    }
}

public final class BufferSink: TextSink, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""

    public init() {}

    public func write(_ text: String) {
        lock.lock()
        buffer += text
        lock.unlock()
    }

    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        return buffer
    }
}

/// The only writer of the tool: data to stdout; progress, status and errors to stderr, flux-style symbols.
public final class Console: @unchecked Sendable {
    public let stdout: any TextSink
    public let stderr: any TextSink
    public let stdoutIsTerminal: Bool
    public let stderrIsTerminal: Bool
    /// Colour only on a terminal and never with NO_COLOR set.
    public let colorEnabled: Bool

    public init(stdout: any TextSink, stderr: any TextSink, stdoutIsTerminal: Bool = false, stderrIsTerminal: Bool = false, colorEnabled: Bool = false) {
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutIsTerminal = stdoutIsTerminal
        self.stderrIsTerminal = stderrIsTerminal
        self.colorEnabled = colorEnabled
    }

    public static func live(environment: [String: String]) -> Console {
        let stderrTTY = isatty(STDERR_FILENO) == 1
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
        return Console(
            stdout: FileDescriptorSink(FileHandle.standardOutput),
            stderr: FileDescriptorSink(FileHandle.standardError),
            stdoutIsTerminal: isatty(STDOUT_FILENO) == 1,
            stderrIsTerminal: stderrTTY,
            colorEnabled: stderrTTY && !noColor)
    }

    /// A console that records both streams, for tests.
    public static func capturing() -> (console: Console, stdout: BufferSink, stderr: BufferSink) {
        let out = BufferSink()
        let err = BufferSink()
        return (Console(stdout: out, stderr: err), out, err)
    }

    // MARK: Data

    public func print(_ text: String) {
        stdout.write(text.hasSuffix("\n") ? text : text + "\n")
    }

    public func write(_ text: String) {
        stdout.write(text)
    }

    // MARK: Status lines (stderr)

    public func action(_ message: String) { status("►", message, color: nil) }
    public func generate(_ message: String) { status("✚", message, color: nil) }
    public func waiting(_ message: String) { status("◎", message, color: nil) }
    public func success(_ message: String) { status("✔", message, color: "32") }
    public func failure(_ message: String) { status("✗", message, color: "31") }
    public func warning(_ message: String) { status("⚠️", message, color: "33") }

    /// A line on stderr without a symbol (kubectl-style `Warning: …`, `error: …`).
    public func note(_ message: String) {
        stderr.write(message.hasSuffix("\n") ? message : message + "\n")
    }

    private func status(_ symbol: String, _ message: String, color: String?) {
        let prefix = (colorEnabled && color != nil) ? "\u{1B}[\(color!)m\(symbol)\u{1B}[0m" : symbol
        stderr.write("\(prefix) \(message)\n")
    }
}
