import ArgumentParser
import Flux

struct ExportKustomizationCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "kustomization",
        abstract: "Export Kustomization objects as YAML.",
        discussion: """
        YAML documents separated by ---, keys sorted; apply them with kubectl apply -f.

        EXAMPLES:
          kubectl gitops export ks --all > kustomizations.yaml
        """,
        aliases: ["ks", "kustomizations"])

    @OptionGroup var targets: TargetNames
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxExporter.run(.kustomization, names: targets, kube: kube, context: context)
    }
}
