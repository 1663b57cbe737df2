import ArgumentParser
import Foundation
import JSON
import OCI

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push artifacts to an OCI registry.",
        discussion: """
        EXAMPLES:
          kubectl gitops push artifact oci://ghcr.io/org/app:v1 --path ./deploy \\
            --source https://github.com/org/app --revision main@sha1:1a2b3c4
        """,
        subcommands: [PushArtifactCommand.self])
}

/// `-o` of push: the pushed reference as data.
enum PushOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json, yaml
}

struct PushArtifactCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact",
        abstract: "Build a Flux artifact from a directory, file or stdin and push it to an OCI registry.",
        discussion: """
        The artifact is the one `flux push artifact` writes: one tar+gzip layer, source, revision and created \
        annotations. The tag moves only after every blob is uploaded, so a failure or Ctrl-C (exit 130) leaves it \
        where it was. --reproducible (or SOURCE_DATE_EPOCH) fixes the created time, so the same input and flags \
        give the same digest on any machine. --skip-unchanged compares the uncompressed content with what the tag \
        holds first and uploads nothing when it is the same.

        EXAMPLES:
          kubectl gitops push artifact oci://ghcr.io/org/app:v1 --path ./deploy \\
            --source https://github.com/org/app --revision main@sha1:1a2b3c4
          timoni build app ./module | kubectl gitops push artifact oci://registry.internal/app:staging \\
            -f - --source=https://github.com/org/app --revision=6.14.1
          kubectl gitops push artifact oci://127.0.0.1:5000/app:latest -f ./deploy \\
            --source=local --revision=dev --reproducible --skip-unchanged -o json
        """)

    @Argument(help: ArgumentHelp("Where to push: oci://HOST[:PORT]/REPO[:TAG] (tag defaults to latest).", valueName: "url"))
    var url: String?

    @Option(name: [.customShort("f"), .long], help: ArgumentHelp("Directory, single file, or - for stdin.", valueName: "path"))
    var path: String?

    @Option(help: ArgumentHelp("The source of the content, usually its Git URL (org.opencontainers.image.source).", valueName: "url"))
    var source: String?

    @Option(help: ArgumentHelp("The revision of the content, e.g. main@sha1:<commit> (org.opencontainers.image.revision).", valueName: "revision"))
    var revision: String?

    @Option(name: [.customShort("a"), .long], parsing: .singleValue, help: ArgumentHelp("Extra manifest annotation key=value (repeatable).", valueName: "key=value"))
    var annotations: [String] = []

    @Flag(inversion: .prefixedNo, help: "Set the created time to 1970-01-01T00:00:00Z, so identical content gives an identical digest.")
    var reproducible = false

    @Flag(inversion: .prefixedNo, help: "Do nothing when the tag already holds the same content.")
    var skipUnchanged = false

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Print the pushed reference as json or yaml on stdout.", valueName: "format"))
    var output: PushOutputFormat?

    @OptionGroup(title: "Content flags") var content: IgnoreOptions
    @OptionGroup(title: "Registry flags") var registry: RegistryOptions

    func run(_ context: CommandContext) async throws {
        let console = context.console
        do {
            let reference = try ArtifactCommandSupport.reference(url)
            guard reference.digest == nil else {
                throw ArtifactUsageError("push needs a tag, not a digest: use oci://\(reference.repositoryName):TAG")
            }
            let pathArgument = try ArtifactCommandSupport.required(path, flag: "--path", example: "./deploy")
            let metadata = FluxArtifact.Metadata(
                source: try ArtifactCommandSupport.required(source, flag: "--source", example: "https://github.com/org/app"),
                revision: try ArtifactCommandSupport.required(revision, flag: "--revision", example: "main@sha1:1a2b3c4"),
                extraAnnotations: annotations, reproducible: reproducible)
            // Annotations and SOURCE_DATE_EPOCH are checked now, before anything is read or sent.
            let now = context.now()
            do {
                let placeholder = "sha256:" + String(repeating: "0", count: 64)
                _ = try FluxArtifact(layerDigest: placeholder, layerSize: 0, diffID: placeholder, metadata: metadata,
                                     environment: context.environment, now: now)
            } catch let error as ArtifactError {
                throw ArtifactUsageError(error.message)
            }
            let artifactSource = try ArtifactBuildSupport.resolveSource(pathArgument, context: context)
            let bar = ProgressBar.make(console: console, label: "uploading")
            let client = try registry.client(for: reference, context: context, progress: bar?.handler)
            let announce = output == nil
            let withCredentials = registry.creds != nil
            let options = content.buildOptions
            let skipUnchanged = skipUnchanged
            let environment = context.environment
            let scratch = try ArtifactCommandSupport.scratchDirectory("push", context: context)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let result = try await InterruptGuard.run { () -> (digest: String, skipped: Bool) in
                // Announced once Ctrl-C is handled, so an interrupt right after this line still cleans up.
                if announce {
                    if withCredentials { console.action("logging in to registry with credentials") }
                    console.action("pushing artifact to \(reference)")
                }
                var match = RegistryContentMatch.different
                if skipUnchanged {
                    // Hashing the tar is far cheaper than compressing it: decide before building the layer. The
                    // registry is asked meanwhile.
                    match = try await client.contentMatch(at: reference) {
                        try await runBlocking { try ArtifactBuilder.tarDigest(source: artifactSource, options: options) }.digest
                    }
                    if case .same(let digest) = match { return (digest, true) }
                }
                let layerPath = scratch + "/layer.tar.gz"
                // Upload while compressing: the layer streams into an upload session as it is written. Not when
                // only the layer digest can tell an unchanged artifact (nothing may be written then).
                let streamWhileBuilding = !(skipUnchanged && match == .undetermined)
                let growing = GrowingFile(writingPath: ArtifactBuilder.temporaryPath(for: layerPath), finalPath: layerPath)
                // A child task: cancelling the push (a signal) cancels the upload with it.
                async let streamed: URL? = streamWhileBuilding ? (try? await client.streamBlob(growing, to: reference)) : nil
                let layer: BuiltLayer
                do {
                    layer = try await runBlocking {
                        let built = try ArtifactBuilder.build(source: artifactSource, options: options, destinationPath: layerPath)
                        growing.complete()
                        return built
                    }
                } catch {
                    growing.fail()
                    _ = await streamed
                    throw error
                }
                try Task.checkCancellation()
                if let session = await streamed {
                    // If the commit fails, the regular upload below sends the layer again.
                    try? await client.commitStreamedBlob(at: session, digest: layer.compressedDigest, to: reference)
                }
                let artifact = try FluxArtifact(layer: layer, metadata: metadata, environment: environment, now: now)
                let pushed = try await client.push(layerFile: layer.path, layerDigest: layer.compressedDigest,
                                             layerSize: Int64(layer.compressedSize), config: artifact.configBytes,
                                             manifest: artifact.manifestBytes, to: reference,
                                             skipUnchanged: skipUnchanged && match == .undetermined)
                return (pushed.digest, pushed.skipped)
            }
            bar?.finish()
            if result.skipped { console.success("artifact unchanged") }
            switch output {
            case .json?:
                console.print(ArtifactCommandSupport.orderedJSON(Self.outputFields(reference, digest: result.digest)))
            case .yaml?:
                let fields = Self.outputFields(reference, digest: result.digest).map { (key: $0.0, value: JSONValue.string($0.1)) }
                console.write(KubeYAML.encode(.object(fields)))
            case nil:
                if !result.skipped { console.success("artifact successfully pushed to \(reference.pinned(to: result.digest))") }
            }
        } catch {
            throw ArtifactCommandSupport.report(error, console: console)
        }
    }

    /// flux's `-o` fields, in flux's order.
    static func outputFields(_ reference: OCIReference, digest: String) -> [(String, String)] {
        [("url", "oci://" + reference.pinned(to: digest)), ("repository", reference.repositoryName),
         ("tag", reference.tag ?? OCIReference.defaultTag), ("digest", digest)]
    }
}

/// What push, build and diff share about reading `--path`.
enum ArtifactBuildSupport {
    /// `--path` as an artifact source: `-` reads stdin now; a missing path is an error naming the flag.
    static func resolveSource(_ path: String, context: CommandContext) throws -> ArtifactSource {
        do {
            return try ArtifactSource.resolve(path: ArtifactCommandSupport.absolute(path, in: context),
                                              readStandardInput: context.readStandardInput)
        } catch let error as ArtifactError where error.kind == .pathNotFound {
            throw ArtifactUsageError("--path: \(error.message)")
        }
    }
}
