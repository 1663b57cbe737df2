import ArgumentParser
import Foundation
import OCI

struct TagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Tag artifacts in an OCI registry.",
        discussion: """
        EXAMPLES:
          kubectl gitops tag artifact oci://ghcr.io/org/app:v1.2.0 --tag latest
        """,
        subcommands: [TagArtifactCommand.self])
}

struct TagArtifactCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact",
        abstract: "Point more tags at an existing artifact (its manifest is re-put under each tag, unchanged).",
        discussion: """
        EXAMPLES:
          kubectl gitops tag artifact oci://ghcr.io/org/app:v1.2.0 --tag latest
          kubectl gitops tag artifact oci://ghcr.io/org/app:v1.2.0 --tag stable,production
        """)

    @Argument(help: ArgumentHelp("The artifact to tag: oci://HOST[:PORT]/REPO:TAG (or @DIGEST).", valueName: "url"))
    var url: String?

    @Option(name: .customLong("tag"), parsing: .singleValue, help: ArgumentHelp("New tag (repeatable, or a comma list).", valueName: "tag"))
    var tags: [String] = []

    @OptionGroup(title: "Registry flags") var registry: RegistryOptions

    func run(_ context: CommandContext) async throws {
        let console = context.console
        do {
            let reference = try ArtifactCommandSupport.reference(url)
            let newTags = tags.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
            guard !newTags.isEmpty else { throw ArtifactUsageError("--tag is required, e.g. --tag=latest") }
            for tag in newTags where !OCIReference.isValidTag(tag) {
                throw ArtifactUsageError("invalid --tag \"\(tag)\": a tag must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")
            }
            let client = try registry.client(for: reference, context: context)
            console.action("tagging artifact")
            _ = try await InterruptGuard.run { try await client.tag(reference, as: newTags) }
            for tag in newTags { console.success("artifact tagged as \(reference.withTag(tag))") }
        } catch {
            throw ArtifactCommandSupport.report(error, console: console)
        }
    }
}
