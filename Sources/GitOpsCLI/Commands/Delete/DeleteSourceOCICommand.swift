import ArgumentParser
import Flux

struct DeleteSourceOCICommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Delete OCIRepository objects.",
        discussion: """
        Asks for confirmation on a terminal; without one, --yes is required.

        EXAMPLES:
          kubectl gitops delete source oci podinfo --yes
        """)

    @Argument(help: "Names of the objects to delete.")
    var names: [String] = []

    @OptionGroup var confirmation: ConfirmationOptions
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxDeleter.run(.ociRepository, names: names, confirmation: confirmation, kube: kube, context: context)
    }
}
