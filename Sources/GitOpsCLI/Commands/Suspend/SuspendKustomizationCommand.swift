import ArgumentParser
import Flux

struct SuspendKustomizationCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "kustomization",
        abstract: "Suspend reconciliation of Kustomization objects.",
        discussion: """
        A name that does not exist is reported and skipped.

        EXAMPLES:
          kubectl gitops suspend ks podinfo
        """,
        aliases: ["ks", "kustomizations"])

    @OptionGroup var targets: TargetNames
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxSuspension.suspend(.kustomization, names: targets, kube: kube, context: context)
    }
}
