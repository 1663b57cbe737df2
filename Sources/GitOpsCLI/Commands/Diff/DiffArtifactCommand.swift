import ArgumentParser
import Foundation
import HTTPTransport
import OCI

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare local content with artifacts in an OCI registry.",
        discussion: """
        EXAMPLES:
          kubectl gitops diff artifact oci://ghcr.io/org/app:v1 --path ./deploy
        """,
        subcommands: [DiffArtifactCommand.self])
}

struct DiffArtifactCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact",
        abstract: "Compare a local path with a remote artifact by content: files added, removed and changed.",
        discussion: """
        The comparison is by content (tar entries, modes and file bytes), not by compressed bytes, so it works \
        against artifacts pushed by flux as well. Prints one line per difference on stdout; --diff adds a unified \
        diff for each changed text file. Exit status: 0 no changes, 1 changes, 2 error.

        EXAMPLES:
          kubectl gitops diff artifact oci://ghcr.io/org/app:v1 --path ./deploy
          kubectl gitops diff artifact oci://ghcr.io/org/app:v1 -f ./deploy --diff
        """)

    @Argument(help: ArgumentHelp("The artifact: oci://HOST[:PORT]/REPO[:TAG|@DIGEST].", valueName: "url"))
    var url: String?

    @Option(name: [.customShort("f"), .long], help: ArgumentHelp("Directory, single file, or - for stdin.", valueName: "path"))
    var path: String?

    @Flag(inversion: .prefixedNo, help: "Also print a unified diff (remote → local) for each changed text file.")
    var diff = false

    @OptionGroup(title: "Content flags") var content: IgnoreOptions
    @OptionGroup(title: "Registry flags") var registry: RegistryOptions

    func run(_ context: CommandContext) async throws {
        let console = context.console
        let result: ArtifactDiffResult
        do {
            let reference = try ArtifactCommandSupport.reference(url)
            let pathArgument = try ArtifactCommandSupport.required(path, flag: "--path", example: "./deploy")
            let source = try ArtifactBuildSupport.resolveSource(pathArgument, context: context)
            let client = try registry.client(for: reference, context: context)
            let scratch = try ArtifactCommandSupport.scratchDirectory("diff", context: context)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let options = content.buildOptions
            result = try await InterruptGuard.run {
                let layerPath = scratch + "/layer"
                _ = try await client.pull(reference, to: layerPath)
                return try await runBlocking {
                    try ArtifactDiff.compare(local: source, options: options, remoteLayer: try FileBodyReader(path: layerPath))
                }
            }
        } catch {
            // diff(1) convention: every error is 2, usage errors included, so 1 always means "different".
            throw ArtifactCommandSupport.report(error, console: console, failureCode: 2, usageCode: 2)
        }
        if result.isIdentical {
            console.success("no changes detected")
            return
        }
        console.write(Self.render(result, unifiedDiffs: diff))
        console.failure("the remote artifact differs from the local content: \(result.added.count) added, \(result.removed.count) removed, \(result.changed.count) changed")
        throw AlreadyReported(exitCode: result.exitCode)
    }

    /// `added    path`, `removed  path`, `changed  path (what)`, sorted by path within each group; then the diffs.
    static func render(_ result: ArtifactDiffResult, unifiedDiffs: Bool) -> String {
        func display(_ path: String, _ kind: ArtifactDiffResult.EntryKind) -> String { kind == .directory ? path + "/" : path }
        var lines: [String] = []
        for entry in result.added { lines.append("added    " + display(entry.path, entry.kind)) }
        for entry in result.removed { lines.append("removed  " + display(entry.path, entry.kind)) }
        for change in result.changed {
            var details: [String] = []
            if let kind = change.kindChange { details.append("\(kind.remote.rawValue) → \(kind.local.rawValue)") }
            if let mode = change.modeChange { details.append("mode \(octal(mode.remote)) → \(octal(mode.local))") }
            if change.contentChanged { details.append("content") }
            lines.append("changed  \(change.path) (\(details.joined(separator: ", ")))")
        }
        var output = lines.joined(separator: "\n") + "\n"
        if unifiedDiffs {
            for change in result.changed {
                if let text = change.unifiedDiff {
                    output += text.hasSuffix("\n") ? text : text + "\n"
                } else if change.contentChanged && change.kindChange == nil {
                    output += "Binary or large files remote/\(change.path) and local/\(change.path) differ\n"
                }
            }
        }
        return output
    }

    static func octal(_ mode: UInt32) -> String { String(format: "%04o", mode) }
}
