import ArgumentParser
import Flux

struct GetAllCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Show every OCIRepository and Kustomization, one table per kind.",
        discussion: """
        EXAMPLES:
          kubectl gitops get all -A
        """)

    @OptionGroup var get: GetOptions
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxGetter(options: get, context: context).run(kinds: [.ociRepository, .kustomization], name: nil, kube: kube)
    }
}
