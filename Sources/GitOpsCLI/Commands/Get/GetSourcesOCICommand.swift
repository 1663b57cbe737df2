import ArgumentParser
import Flux

struct GetSourcesOCICommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Show OCIRepository sources: revision, suspended, ready, message, age.",
        discussion: """
        Digests are cut to 8 hex characters in the table and shown in full with -o wide, json or yaml.

        EXAMPLES:
          kubectl gitops get sources oci podinfo -o wide
        """)

    @Argument(help: "Show only this OCIRepository.")
    var name: String?

    @OptionGroup var get: GetOptions
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxGetter(options: get, context: context).run(kinds: [.ociRepository], name: name, kube: kube)
    }
}
