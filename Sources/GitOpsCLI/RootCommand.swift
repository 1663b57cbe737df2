import ArgumentParser
import HTTPTransport

public struct RootCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kubectl-gitops",
        abstract: "OCI-based GitOps with Flux, as a kubectl plugin.",
        version: KubectlGitOpsVersion.current,
        subcommands: [CreateCommand.self, BootstrapCommand.self, GetCommand.self, ExportCommand.self, ReconcileCommand.self,
                      SuspendCommand.self, ResumeCommand.self, DeleteCommand.self]
            + [PushCommand.self, PullCommand.self, TagCommand.self, ListCommand.self, DiffCommand.self, BuildCommand.self]
            + [CheckCommand.self, VersionCommand.self]
            + [CompletionCommand.self, HiddenCompleteCommand.self, HiddenCompleteNoDescCommand.self, HiddenGenerateManCommand.self]
    )

    public init() {}
}
