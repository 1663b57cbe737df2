import ArgumentParser
import Flux

struct ExportSourceOCICommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Export OCIRepository objects as YAML.",
        discussion: """
        YAML documents separated by ---, keys sorted; apply them with kubectl apply -f.

        EXAMPLES:
          kubectl gitops export source oci --all > kustomizations.yaml
        """)

    @OptionGroup var targets: TargetNames
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxExporter.run(.ociRepository, names: targets, kube: kube, context: context)
    }
}
