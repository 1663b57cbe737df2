import ArgumentParser
import Foundation
import HTTPTransport
import KubeClient

/// Everything a command may touch outside its own arguments; tests build it with fakes.
public struct CommandContext: Sendable {
    public var environment: [String: String]
    public var workingDirectory: String
    public var console: Console
    /// Builds the transport for one endpoint (API server or registry) from its TLS/proxy options.
    public var transportFactory: KubeAPIClient.TransportFactory
    public var stdinIsTerminal: Bool
    public var readStandardInput: @Sendable () throws -> Data
    /// Reads one answer line from the user (confirmation prompts).
    public var readLine: @Sendable () -> String?
    public var now: @Sendable () -> Date

    public init(environment: [String: String], workingDirectory: String, console: Console,
                transportFactory: @escaping KubeAPIClient.TransportFactory,
                stdinIsTerminal: Bool = false,
                readStandardInput: @escaping @Sendable () throws -> Data = { Data() },
                readLine: @escaping @Sendable () -> String? = { nil },
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.console = console
        self.transportFactory = transportFactory
        self.stdinIsTerminal = stdinIsTerminal
        self.readStandardInput = readStandardInput
        self.readLine = readLine
        self.now = now
    }

    /// The real process: environment, terminal, stdin, libcurl.
    public static func live() -> CommandContext {
        let environment = ProcessInfo.processInfo.environment
        return CommandContext(
            environment: environment,
            workingDirectory: FileManager.default.currentDirectoryPath,
            console: Console.live(environment: environment),
            transportFactory: LiveTransport.factory,
            stdinIsTerminal: isatty(STDIN_FILENO) == 1,
            readStandardInput: { FileHandle.standardInput.readDataToEndOfFile() },
            readLine: { Swift.readLine(strippingNewline: true) })
    }
}

/// A command that runs against an injected context; `run()` builds the live one.
public protocol ContextCommand: AsyncParsableCommand {
    func run(_ context: CommandContext) async throws
}

extension ContextCommand {
    public mutating func run() async throws {
        try await run(CommandContext.live())
    }
}

/// An error that chooses its own exit code (diff-style commands: 1 different, 2 error).
public protocol ExitCodeError: Error {
    var exitCode: Int32 { get }
}

/// An error already reported on the console; only its exit code remains to be used.
public struct AlreadyReported: ExitCodeError, CustomStringConvertible {
    public var exitCode: Int32
    public init(exitCode: Int32 = 1) { self.exitCode = exitCode }
    public var description: String { "" }
}

/// A plain failure with a message written for a person.
public struct CommandError: Error, CustomStringConvertible, ExitCodeError {
    public var message: String
    public var exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
