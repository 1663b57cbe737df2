import ArgumentParser
import Flux
import Foundation
import JSON
import OCI

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List artifacts in an OCI registry.",
        discussion: """
        EXAMPLES:
          kubectl gitops list artifacts oci://ghcr.io/org/app --filter-semver ">=1.0.0"
        """,
        subcommands: [ListArtifactsCommand.self])
}

/// `-o` of list.
enum ListOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml
}

struct ListArtifactsCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts",
        abstract: "List the tags of a repository with each artifact's digest, source, revision and created time.",
        discussion: """
        Tags ending in .sig, .att or .sbom are left out. Without filters tags are sorted descending; with \
        --filter-semver, newest version first.

        EXAMPLES:
          kubectl gitops list artifacts oci://ghcr.io/org/app
          kubectl gitops list artifacts oci://ghcr.io/org/app --filter-semver 1.x -o json
          kubectl gitops list artifacts oci://ghcr.io/org/app --filter-regex "^staging-"
        """,
        aliases: ["artifact"])

    @Argument(help: ArgumentHelp("The repository: oci://HOST[:PORT]/REPO.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Only tags that are versions in this semver range, e.g. \">=1.0.0 <2.0.0\".", valueName: "range"))
    var filterSemver: String?

    @Option(help: ArgumentHelp("Only tags matching this regular expression.", valueName: "regex"))
    var filterRegex: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output format.", valueName: "format"))
    var output: ListOutputFormat = .table

    @OptionGroup(title: "Registry flags") var registry: RegistryOptions

    func run(_ context: CommandContext) async throws {
        let console = context.console
        do {
            let reference = try ArtifactCommandSupport.reference(url, what: "repository")
            if let filterRegex, (try? NSRegularExpression(pattern: filterRegex)) == nil {
                throw ArtifactUsageError("invalid --filter-regex \"\(filterRegex)\": not a regular expression")
            }
            let client = try registry.client(for: reference, context: context)
            let rows: [RegistryArtifactSummary]
            do {
                rows = try await InterruptGuard.run { [filterSemver, filterRegex] in
                    try await client.listArtifacts(reference, semver: filterSemver, regex: filterRegex)
                }
            } catch let error as RegistryError where error.kind == .invalidReference {
                // The range is parsed before any request.
                throw ArtifactUsageError(error.message.replacingOccurrences(of: "invalid semver range", with: "invalid --filter-semver"))
            }
            console.write(Self.render(rows, repository: reference, format: output))
        } catch {
            throw ArtifactCommandSupport.report(error, console: console)
        }
    }

    static func render(_ rows: [RegistryArtifactSummary], repository: OCIReference, format: ListOutputFormat) -> String {
        switch format {
        case .table:
            let cells = rows.map { row in
                ["\(repository.repositoryName):\(row.tag)", row.digest, row.source ?? "", row.revision ?? "", row.created ?? ""]
            }
            return FluxTable.renderCells(header: ["ARTIFACT", "DIGEST", "SOURCE", "REVISION", "CREATED"], rows: cells)
        case .json:
            if rows.isEmpty { return "[]\n" }
            let objects = rows.map { ArtifactCommandSupport.orderedJSON(fields($0, repository: repository), level: 1) }
            return "[\n  " + objects.joined(separator: ",\n  ") + "\n]\n"
        case .yaml:
            let list = JSONValue.array(rows.map { row in
                .object(fields(row, repository: repository).map { (key: $0.0, value: JSONValue.string($0.1)) })
            })
            return KubeYAML.encode(list)
        }
    }

    /// One artifact as data: where it is, then what its annotations say (absent annotations are empty strings).
    static func fields(_ row: RegistryArtifactSummary, repository: OCIReference) -> [(String, String)] {
        [("url", "oci://\(repository.repositoryName):\(row.tag)"), ("repository", repository.repositoryName), ("tag", row.tag),
         ("digest", row.digest), ("source", row.source ?? ""), ("revision", row.revision ?? ""), ("created", row.created ?? "")]
    }
}
