import ArgumentParser

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete Flux objects.",
        discussion: """
        EXAMPLES:
          kubectl gitops delete ks podinfo --yes
        """,
        subcommands: [DeleteSourceCommand.self, DeleteKustomizationCommand.self])
}

struct DeleteSourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Delete Flux sources.",
        discussion: """
        EXAMPLES:
          kubectl gitops delete source oci podinfo --yes
        """,
        subcommands: [DeleteSourceOCICommand.self],
        aliases: ["sources"])
}
