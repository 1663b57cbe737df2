import Foundation
import Testing
import TestSupport
@testable import GitOpsCLI

private let completionsDirectory = RepositoryPaths.packageRoot.appendingPathComponent("completions")

@Test(arguments: CompletionShell.allCases)
func committedScriptMatchesTheCommandOutput(shell: CompletionShell) async throws {
    let committed = try String(contentsOf: completionsDirectory.appendingPathComponent(shell.scriptFileName), encoding: .utf8)
    let (console, stdout, _) = Console.capturing()
    let context = CommandContext(environment: [:], workingDirectory: "/", console: console, transportFactory: { _ in UnansweredTransport() })
    #expect(await CLI.run(arguments: ["completion", shell.rawValue], context: context) == 0)
    #expect(stdout.text == committed, "completions/\(shell.scriptFileName) is out of date; run `make completions`")
}

@Test func shellsAcceptTheScripts() async throws {
    let checks: [(String, CompletionShell)] = [("/bin/bash", .bash), ("/usr/bin/zsh", .zsh), ("/usr/bin/fish", .fish)]
    for (shellPath, shell) in checks {
        let result = try await runExternal(shellPath, ["-n", completionsDirectory.appendingPathComponent(shell.scriptFileName).path])
        #expect(result.status == 0, "\(shellPath) -n: \(result.stderr)")
    }
}

@Test func committedShimExecsTheCompleteCommand() throws {
    let path = completionsDirectory.appendingPathComponent(ShellScripts.shimFileName).path
    #expect(try String(contentsOfFile: path, encoding: .utf8) == ShellScripts.kubectlShim)
    #expect(ShellScripts.kubectlShim.contains("exec kubectl-gitops __complete \"$@\""))
    #expect(FileManager.default.isExecutableFile(atPath: path))
}

@Test(arguments: [("bash", "share/bash-completion/completions/kubectl-gitops"),
                  ("zsh", ".zsh/completions/_kubectl-gitops"),
                  ("fish", "config/fish/completions/kubectl-gitops.fish")])
func installWritesTheShimAndTheScript(shell: String, relativeScript: String) async throws {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: home) }
    let (console, _, stderr) = Console.capturing()
    let environment = ["HOME": home.path, "SHELL": "/usr/bin/\(shell)", "PATH": "/usr/bin",
                       "XDG_DATA_HOME": home.path + "/share", "XDG_CONFIG_HOME": home.path + "/config"]
    let context = CommandContext(environment: environment, workingDirectory: home.path, console: console,
                                 transportFactory: { _ in UnansweredTransport() })
    #expect(await CLI.run(arguments: ["completion", "install", "--bin-dir", "bin"], context: context) == 0)
    let shim = home.appendingPathComponent("bin/kubectl_complete-gitops").path
    #expect(try String(contentsOfFile: shim, encoding: .utf8) == ShellScripts.kubectlShim)
    #expect(FileManager.default.isExecutableFile(atPath: shim))
    let script = try String(contentsOf: home.appendingPathComponent(relativeScript), encoding: .utf8)
    #expect(script == CompletionShell(rawValue: shell)?.script)
    #expect(stderr.text.contains("is not on PATH"))
}

@Test func installNeedsAShellItCanName() async {
    let (console, _, stderr) = Console.capturing()
    let context = CommandContext(environment: ["HOME": "/tmp", "SHELL": "/bin/tcsh"], workingDirectory: "/tmp", console: console,
                                 transportFactory: { _ in UnansweredTransport() })
    #expect(await CLI.run(arguments: ["completion", "install", "--bin-dir", "/tmp/unused-\(UUID().uuidString)"], context: context) == 1)
    #expect(stderr.text.contains("--shell bash, zsh or fish"))
}
