import ArgumentParser
import Foundation

extension CompletionShell: ExpressibleByArgument {}

/// `completion bash|zsh|fish|install`: scripts for `kubectl-gitops` itself, and the kubectl shim.
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Shell completion for kubectl gitops and kubectl-gitops.",
        discussion: """
        kubectl (1.26 and later) completes `kubectl gitops …` by running kubectl_complete-gitops from PATH; krew does \
        not install that file, `completion install` does. The bash, zsh and fish scripts complete `kubectl-gitops …` \
        typed directly. Both ask the plugin, so names from the cluster complete too (within one second, or the \
        seconds in KUBECTL_GITOPS_COMPLETION_TIMEOUT).

        EXAMPLES:
          kubectl gitops completion install
          source <(kubectl-gitops completion bash)
          kubectl-gitops completion zsh > "${fpath[1]}/_kubectl-gitops"
          kubectl-gitops completion fish | source
        """,
        subcommands: [CompletionBashCommand.self, CompletionZshCommand.self, CompletionFishCommand.self, CompletionInstallCommand.self])
}

struct CompletionBashCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "bash",
        abstract: "Print the bash completion script.",
        discussion: """
        Needs bash 4.4 or later. Load it in the current shell, or install it where bash-completion finds it.

        EXAMPLES:
          source <(kubectl-gitops completion bash)
          kubectl-gitops completion bash > ~/.local/share/bash-completion/completions/kubectl-gitops
        """)

    func run(_ context: CommandContext) async throws {
        context.console.write(CompletionShell.bash.script)
    }
}

struct CompletionZshCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "zsh",
        abstract: "Print the zsh completion script.",
        discussion: """
        Save it as _kubectl-gitops in a directory of $fpath (before compinit runs), or source it after compinit.

        EXAMPLES:
          kubectl-gitops completion zsh > ~/.zsh/completions/_kubectl-gitops
          source <(kubectl-gitops completion zsh)
        """)

    func run(_ context: CommandContext) async throws {
        context.console.write(CompletionShell.zsh.script)
    }
}

struct CompletionFishCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "fish",
        abstract: "Print the fish completion script.",
        discussion: """
        EXAMPLES:
          kubectl-gitops completion fish > ~/.config/fish/completions/kubectl-gitops.fish
          kubectl-gitops completion fish | source
        """)

    func run(_ context: CommandContext) async throws {
        context.console.write(CompletionShell.fish.script)
    }
}

struct CompletionInstallCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install kubectl_complete-gitops and the completion script for your shell.",
        discussion: """
        Writes kubectl_complete-gitops, the file kubectl runs to complete `kubectl gitops …`, into --bin-dir: by \
        default the directory kubectl-gitops runs from (for krew, ~/.krew/bin), else ~/.local/bin. Then writes the \
        script for --shell (default: from $SHELL):
          bash  $XDG_DATA_HOME/bash-completion/completions/kubectl-gitops (default ~/.local/share/…)
          zsh   ~/.zsh/completions/_kubectl-gitops (add that directory to $fpath before compinit)
          fish  $XDG_CONFIG_HOME/fish/completions/kubectl-gitops.fish (default ~/.config/…)
        kubectl's own completion must be enabled too (`source <(kubectl completion bash)` or the zsh/fish equivalent).

        EXAMPLES:
          kubectl gitops completion install
          kubectl gitops completion install --shell zsh --bin-dir ~/bin
        """)

    @Option(help: "The shell to install the script for (default: from $SHELL).")
    var shell: CompletionShell?

    @Option(name: .customLong("bin-dir"), help: ArgumentHelp("Where to write kubectl_complete-gitops; must be on PATH.", valueName: "dir"))
    var binDirectory: String?

    func run(_ context: CommandContext) async throws {
        let environment = context.environment
        guard let home = environment["HOME"], !home.isEmpty else {
            throw CommandError("cannot install completion: HOME is not set")
        }
        let chosenShell = try shell ?? CompletionInstallCommand.shell(from: environment["SHELL"])
        let binDirectory = absolute(self.binDirectory ?? CompletionInstallCommand.defaultBinDirectory(home: home), context: context)
        let shimPath = binDirectory + "/" + ShellScripts.shimFileName
        try CompletionInstallCommand.write(ShellScripts.kubectlShim, to: shimPath, executable: true)
        context.console.success("wrote \(shimPath) (kubectl gitops <TAB>)")

        let scriptPath = CompletionInstallCommand.scriptPath(for: chosenShell, environment: environment, home: home)
        try CompletionInstallCommand.write(chosenShell.script, to: scriptPath, executable: false)
        context.console.success("wrote \(scriptPath) (kubectl-gitops <TAB> in \(chosenShell.rawValue))")

        let path = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        if !path.contains(binDirectory) {
            context.console.note("note: \(binDirectory) is not on PATH; add it so kubectl finds \(ShellScripts.shimFileName)")
        }
        if chosenShell == .zsh {
            context.console.note("note: add `fpath=(\((scriptPath as NSString).deletingLastPathComponent) $fpath)` before compinit in ~/.zshrc")
        }
        context.console.note("kubectl's own completion must be enabled as well: kubectl completion \(chosenShell.rawValue) --help")
    }

    static func shell(from shellPath: String?) throws -> CompletionShell {
        let name = (shellPath ?? "").split(separator: "/").last.map(String.init) ?? ""
        guard let shell = CompletionShell(rawValue: name) else {
            throw CommandError("cannot tell the shell from SHELL=\(shellPath ?? "") : pass --shell bash, zsh or fish")
        }
        return shell
    }

    static func scriptPath(for shell: CompletionShell, environment: [String: String], home: String) -> String {
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        switch shell {
        case .bash: return (nonEmpty("XDG_DATA_HOME") ?? home + "/.local/share") + "/bash-completion/completions/kubectl-gitops"
        case .zsh: return home + "/.zsh/completions/_kubectl-gitops"
        case .fish: return (nonEmpty("XDG_CONFIG_HOME") ?? home + "/.config") + "/fish/completions/kubectl-gitops.fish"
        }
    }

    /// The directory the plugin runs from (kubectl passes its full path) when writable, else ~/.local/bin.
    static func defaultBinDirectory(home: String) -> String {
        let executable = CommandLine.arguments.first ?? ""
        if executable.contains("/"), (executable as NSString).lastPathComponent.hasPrefix("kubectl-gitops") {
            let directory = (executable as NSString).deletingLastPathComponent
            if FileManager.default.isWritableFile(atPath: directory) { return directory }
        }
        return home + "/.local/bin"
    }

    private func absolute(_ path: String, context: CommandContext) -> String {
        if path.hasPrefix("~/"), let home = context.environment["HOME"] { return home + path.dropFirst() }
        return path.hasPrefix("/") ? path : context.workingDirectory + "/" + path
    }

    private static func write(_ text: String, to path: String, executable: Bool) throws {
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try files.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
        } catch {
            throw CommandError("cannot write \(path): \(error.localizedDescription); pass another --bin-dir or fix the permissions")
        }
    }
}
