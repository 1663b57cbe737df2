import ArgumentParser

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Let the controllers reconcile suspended Flux objects again.",
        discussion: """
        EXAMPLES:
          kubectl gitops resume ks podinfo
        """,
        subcommands: [ResumeSourceCommand.self, ResumeKustomizationCommand.self])
}

struct ResumeSourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Let the controllers reconcile suspended Flux sources again.",
        discussion: """
        EXAMPLES:
          kubectl gitops resume source oci podinfo
        """,
        subcommands: [ResumeSourceOCICommand.self],
        aliases: ["sources"])
}
