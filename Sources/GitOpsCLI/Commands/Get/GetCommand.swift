import ArgumentParser

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show Flux objects and their readiness.",
        discussion: """
        EXAMPLES:
          kubectl gitops get ks -A --status-selector ready=false
        """,
        subcommands: [GetSourcesCommand.self, GetKustomizationsCommand.self, GetAllCommand.self])
}

struct GetSourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources",
        abstract: "Show Flux sources.",
        discussion: """
        EXAMPLES:
          kubectl gitops get sources oci -A
        """,
        subcommands: [GetSourcesOCICommand.self],
        aliases: ["source"])
}
