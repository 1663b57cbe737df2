import ArgumentParser
import Flux

struct GetKustomizationsCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "kustomizations",
        abstract: "Show Kustomizations: applied revision, suspended, ready, message, age.",
        discussion: """
        EXAMPLES:
          kubectl gitops get ks -A --status-selector ready=false
        """,
        aliases: ["kustomization", "ks"])

    @Argument(help: "Show only this Kustomization.")
    var name: String?

    @OptionGroup var get: GetOptions
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await FluxGetter(options: get, context: context).run(kinds: [.kustomization], name: name, kube: kube)
    }
}
