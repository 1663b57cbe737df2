import Foundation
import HTTPTransport
import Testing
import TestSupport
@testable import GitOpsCLI

@Test func makeInstallPutsEveryFileWhereShellsAndManLookForIt() async throws {
    let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("prefix-\(UUID().uuidString)")
    let binary = FileManager.default.temporaryDirectory.appendingPathComponent("fake-binary-\(UUID().uuidString)")
    defer {
        try? FileManager.default.removeItem(at: prefix)
        try? FileManager.default.removeItem(at: binary)
    }
    try Data("#!/bin/sh\necho fake\n".utf8).write(to: binary)
    let made = try await runExternal("/usr/bin/make", ["-s", "install", "PREFIX=\(prefix.path)", "BINARY=\(binary.path)"],
                                    directory: RepositoryPaths.packageRoot)
    #expect(made.status == 0, "make install: \(made.stderr)")
    let expected: [(String, Bool)] = [
        ("bin/kubectl-gitops", true),
        ("bin/kubectl_complete-gitops", true),
        ("share/bash-completion/completions/kubectl-gitops", false),
        ("share/zsh/site-functions/_kubectl-gitops", false),
        ("share/fish/vendor_completions.d/kubectl-gitops.fish", false),
    ]
    for (path, executable) in expected {
        let full = prefix.appendingPathComponent(path).path
        #expect(FileManager.default.fileExists(atPath: full), "\(path) is installed")
        #expect(FileManager.default.isExecutableFile(atPath: full) == executable, "\(path) executable: \(executable)")
    }
    let bash = try String(contentsOfFile: prefix.appendingPathComponent("share/bash-completion/completions/kubectl-gitops").path, encoding: .utf8)
    #expect(bash == CompletionShell.bash.script)
    let pages = try FileManager.default.contentsOfDirectory(atPath: prefix.appendingPathComponent("share/man/man1").path).sorted()
    #expect(pages == ManPages.render(CommandTree.root).map(\.fileName).sorted())
}

@Test func zshScriptOffersWhatTheBinaryAnswers() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zsh-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let binary = try #require([
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kubectl-gitops").path,
        RepositoryPaths.packageRoot.appendingPathComponent(".build/debug/kubectl-gitops").path,
    ].first { FileManager.default.isExecutableFile(atPath: $0) })
    try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("kubectl-gitops").path, withDestinationPath: binary)
    let script = RepositoryPaths.packageRoot.appendingPathComponent("completions/_kubectl-gitops").path
    // compsys stand-ins that print what the completion function hands them.
    let harness = """
    compdef() { print -r -- "compdef $*"; }
    _describe() { print -r -- "describe $4 ${*[5,-1]}"; print -rl -- "${(@P)4}"; }
    _files() { print -r -- "_files $*"; }
    _path_files() { print -r -- "_path_files $*"; }
    source "$1"
    words=(kubectl-gitops ver); CURRENT=2; _kubectl-gitops; print -- ::
    words=(kubectl-gitops version -o ''); CURRENT=4; _kubectl-gitops; print -- ::
    words=(kubectl-gitops version --kubeconfig ''); CURRENT=4; _kubectl-gitops
    """
    let environment = ["PATH": "\(directory.path):/usr/bin:/bin", "HOME": directory.path, "KUBECONFIG": directory.path + "/none"]
    let result = try await runExternal("/usr/bin/zsh", ["-f", "-c", harness, "harness", script], environment: environment, directory: directory)
    #expect(result.status == 0, "\(result.stderr)")
    let parts = result.stdout.components(separatedBy: "::\n")
    #expect(parts.count == 3)
    guard parts.count == 3 else { return }
    #expect(parts[0] == "compdef _kubectl-gitops kubectl-gitops\ndescribe candidates \nversion:Print the client and server versions.\n")
    #expect(parts[1] == "describe candidates \njson\nyaml\n")
    #expect(parts[2] == "_files \n", "default directive: file names")
}
