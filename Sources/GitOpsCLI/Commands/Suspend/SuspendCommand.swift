import ArgumentParser

struct SuspendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suspend",
        abstract: "Stop the controllers from reconciling Flux objects.",
        discussion: """
        EXAMPLES:
          kubectl gitops suspend ks podinfo
        """,
        subcommands: [SuspendSourceCommand.self, SuspendKustomizationCommand.self])
}

struct SuspendSourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Stop the controllers from reconciling Flux sources.",
        discussion: """
        EXAMPLES:
          kubectl gitops suspend source oci podinfo
        """,
        subcommands: [SuspendSourceOCICommand.self],
        aliases: ["sources"])
}
