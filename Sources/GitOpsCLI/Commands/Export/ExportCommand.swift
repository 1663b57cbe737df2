import ArgumentParser

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print Flux objects as YAML to apply elsewhere (no status, no server-set metadata).",
        discussion: """
        EXAMPLES:
          kubectl gitops export ks --all > kustomizations.yaml
        """,
        subcommands: [ExportSourceCommand.self, ExportKustomizationCommand.self])
}

struct ExportSourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Print Flux sources as YAML to apply elsewhere (no status, no server-set metadata).",
        discussion: """
        EXAMPLES:
          kubectl gitops export source oci --all > kustomizations.yaml
        """,
        subcommands: [ExportSourceOCICommand.self],
        aliases: ["sources"])
}
