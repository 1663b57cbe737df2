import Foundation
import GitOpsCLI
import TestSupport

/// What one in-process run of the command line produced.
struct CLIResult {
    var code: Int32
    var stdout: String
    var stderr: String
}

/// Runs the real command tree in-process with the real libcurl transport, a captured console and an environment
/// that contains only what the test gives (HOME points at an empty folder, so no ~/.kube/config leaks in).
func runCLI(_ arguments: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
            stdin: Data = Data(), stdinIsTerminal: Bool = false, answers: [String] = []) async -> CLIResult {
    let (console, out, err) = Console.capturing()
    var env = ["HOME": CLITestPaths.emptyHome, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
    env.merge(environment) { _, given in given }
    let answerQueue = AnswerQueue(answers)
    let context = CommandContext(
        environment: env,
        workingDirectory: workingDirectory ?? FileManager.default.currentDirectoryPath,
        console: console,
        transportFactory: CommandContext.live().transportFactory,
        stdinIsTerminal: stdinIsTerminal,
        readStandardInput: { stdin },
        readLine: { answerQueue.next() })
    let code = await CLI.run(arguments: arguments, context: context)
    return CLIResult(code: code, stdout: out.text, stderr: err.text)
}

final class AnswerQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String]
    init(_ answers: [String]) { self.answers = answers }
    func next() -> String? {
        lock.lock()
        defer { lock.unlock() }
        return answers.isEmpty ? nil : answers.removeFirst()
    }
}

enum CLITestPaths {
    static let emptyHome: String = {
        let path = NSTemporaryDirectory() + "kubectl-gitops-home-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// A fresh temporary folder for one test.
    static func temporaryDirectory(_ label: String = "test") -> String {
        let path = NSTemporaryDirectory() + "kubectl-gitops-\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// One test API server shared by the read-mostly tests of this process (tests that inject faults start their own).
enum SharedKubeServer {
    // Started once, off the cooperative pool, by whichever test asks first.
    private static let starting = Task { try await KubeTestServer.start() }

    static func server() async throws -> KubeTestServer { try await starting.value }

    static func environment() async throws -> [String: String] { ["KUBECONFIG": try await server().kubeconfigPath] }
}
