import ArgumentParser
import Flux

struct DeleteKustomizationCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "kustomization",
        abstract: "Delete Kustomization objects.",
        discussion: """
        Asks for confirmation on a terminal; without one, --yes is required.

        EXAMPLES:
          kubectl gitops delete ks podinfo --yes
        """,
        aliases: ["ks", "kustomizations"])

    @Argument(help: "Names of the objects to delete.")
    var names: [String] = []

    @OptionGroup var confirmation: ConfirmationOptions
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxDeleter.run(.kustomization, names: names, confirmation: confirmation, kube: kube, context: context)
    }
}
