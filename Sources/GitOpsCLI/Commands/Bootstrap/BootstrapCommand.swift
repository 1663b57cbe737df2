import ArgumentParser

struct BootstrapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Create a source and the Kustomization that applies it, in one call.",
        discussion: """
        EXAMPLES:
          kubectl gitops bootstrap oci podinfo --url oci://registry.internal/podinfo --tag staging --target-namespace apps
        """,
        subcommands: [BootstrapOCICommand.self])
}
