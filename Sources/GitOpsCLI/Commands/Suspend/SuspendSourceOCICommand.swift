import ArgumentParser
import Flux

struct SuspendSourceOCICommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Suspend reconciliation of OCIRepository objects.",
        discussion: """
        A name that does not exist is reported and skipped.

        EXAMPLES:
          kubectl gitops suspend source oci podinfo
        """)

    @OptionGroup var targets: TargetNames
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxSuspension.suspend(.ociRepository, names: targets, kube: kube, context: context)
    }
}
