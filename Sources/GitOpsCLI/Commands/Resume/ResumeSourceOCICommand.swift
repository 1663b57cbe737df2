import ArgumentParser
import Flux

struct ResumeSourceOCICommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Resume reconciliation of OCIRepository objects.",
        discussion: """
        With exactly one name it waits until the object is Ready again; --wait / --wait=false override.

        EXAMPLES:
          kubectl gitops resume source oci podinfo
        """)

    @OptionGroup var targets: TargetNames

    @Flag(inversion: .prefixedNo, help: "Wait for Ready after resuming (default: only when exactly one name is given).")
    var wait: Bool?

    @Option(help: "How long to wait for Ready (Go duration).")
    var timeout: String = "5m"

    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxSuspension.resume(.ociRepository, names: targets, wait: wait, timeout: timeout, kube: kube, context: context)
    }
}
