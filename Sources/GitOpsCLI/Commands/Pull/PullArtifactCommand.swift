import ArgumentParser
import Foundation
import OCI

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull artifacts from an OCI registry.",
        discussion: """
        EXAMPLES:
          kubectl gitops pull artifact oci://ghcr.io/org/app:v1 -o ./app
        """,
        subcommands: [PullArtifactCommand.self])
}

struct PullArtifactCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact",
        abstract: "Download an artifact's layer and extract it into a directory, safely.",
        discussion: """
        The first layer is downloaded and verified against its digest, then extracted into a staging directory \
        beside the output and moved into place only when the whole archive was valid. Entries that would write \
        outside the directory (absolute names, '..', links pointing out) and content beyond --max-size are refused, \
        and nothing is left behind.

        EXAMPLES:
          kubectl gitops pull artifact oci://ghcr.io/org/app:v1 -o ./app
          kubectl gitops pull artifact oci://127.0.0.1:5000/app@sha256:<digest> -o /tmp/app \\
            --max-size 1GiB
        """)

    @Argument(help: ArgumentHelp("What to pull: oci://HOST[:PORT]/REPO[:TAG|@DIGEST].", valueName: "url"))
    var url: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Directory to extract the content into.", valueName: "dir"),
            completion: .directory)
    var output: String?

    @Option(help: ArgumentHelp("Refuse artifacts whose content is larger than this (bytes, or with KiB, MiB, GiB).", valueName: "size"))
    var maxSize: String = "100MiB"

    @OptionGroup(title: "Registry flags") var registry: RegistryOptions

    func run(_ context: CommandContext) async throws {
        let console = context.console
        do {
            let reference = try ArtifactCommandSupport.reference(url)
            let directory = ArtifactCommandSupport.absolute(
                try ArtifactCommandSupport.required(output, flag: "--output", example: "./app"), in: context)
            let sizeLimit = try ByteSize.parse(maxSize, flag: "--max-size")
            let bar = ProgressBar.make(console: console, label: "downloading")
            let client = try registry.client(for: reference, context: context, progress: bar?.handler)
            console.action("pulling artifact from \(reference)")
            let scratch = try ArtifactCommandSupport.scratchDirectory("pull", context: context)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let (pulled, extracted) = try await InterruptGuard.run { () -> (RegistryPullResult, ExtractionResult) in
                let layerPath = scratch + "/layer"
                let pulled = try await client.pull(reference, to: layerPath)
                bar?.finish()
                let extracted = try await runBlocking {
                    try TarExtractor.extract(gzipFile: layerPath, into: directory, sizeLimit: sizeLimit)
                }
                return (pulled, extracted)
            }
            bar?.finish()
            if let source = pulled.annotations[FluxArtifact.sourceAnnotation] { console.success("source \(source)") }
            if let revision = pulled.annotations[FluxArtifact.revisionAnnotation] { console.success("revision \(revision)") }
            console.success("digest \(reference.pinned(to: pulled.manifestDigest))")
            if !extracted.skipped.isEmpty {
                console.warning("skipped \(extracted.skipped.count) link or special entr\(extracted.skipped.count == 1 ? "y" : "ies"): \(extracted.skipped.prefix(5).joined(separator: ", "))\(extracted.skipped.count > 5 ? ", …" : "")")
            }
            console.success("artifact content extracted to \(output ?? directory)")
        } catch {
            throw ArtifactCommandSupport.report(error, console: console)
        }
    }
}

/// Sizes on the command line: `104857600`, `100MiB`, `100Mi`, `1GiB`, `512KiB` (powers of 1024; `MB` too).
enum ByteSize {
    static func parse(_ text: String, flag: String) throws -> UInt64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count).lowercased()
        let multipliers: [String: UInt64] = [
            "": 1, "b": 1, "k": 1 << 10, "ki": 1 << 10, "kib": 1 << 10, "kb": 1 << 10,
            "m": 1 << 20, "mi": 1 << 20, "mib": 1 << 20, "mb": 1 << 20,
            "g": 1 << 30, "gi": 1 << 30, "gib": 1 << 30, "gb": 1 << 30,
        ]
        guard let value = UInt64(digits), let multiplier = multipliers[unit], value > 0,
              value <= UInt64.max / multiplier else {
            throw ArtifactUsageError("invalid \(flag) \"\(text)\": use a positive size such as 100MiB, 1GiB or 104857600")
        }
        return value * multiplier
    }
}
