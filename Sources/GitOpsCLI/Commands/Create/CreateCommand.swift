import ArgumentParser

struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create or update Flux objects with server-side apply.",
        discussion: """
        EXAMPLES:
          kubectl gitops create source oci podinfo --url oci://ghcr.io/stefanprodan/manifests/podinfo --tag 6.3.5
        """,
        subcommands: [CreateSourceCommand.self, CreateKustomizationCommand.self])
}

struct CreateSourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Create or update Flux sources.",
        discussion: """
        EXAMPLES:
          kubectl gitops create source oci podinfo --url oci://ghcr.io/stefanprodan/manifests/podinfo --tag 6.3.5
        """,
        subcommands: [CreateSourceOCICommand.self])
}
