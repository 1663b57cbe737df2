import ArgumentParser
import Foundation
import OCI

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build artifacts locally.",
        discussion: """
        EXAMPLES:
          kubectl gitops build artifact --path ./deploy -o artifact.tgz
        """,
        subcommands: [BuildArtifactCommand.self])
}

struct BuildArtifactCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact",
        abstract: "Build the tar+gzip layer push would upload, into a local file.",
        discussion: """
        The file is written beside its final name and renamed when complete, so it is never half-written (also \
        on failure or Ctrl-C). The bytes are those `push artifact` uploads for the same input and flags.

        EXAMPLES:
          kubectl gitops build artifact --path ./deploy -o artifact.tgz
          kustomize build ./overlays/prod | kubectl gitops build artifact -f - -o prod.tgz
        """)

    @Option(name: [.customShort("f"), .long], help: ArgumentHelp("Directory, single file, or - for stdin.", valueName: "path"))
    var path: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The file to write.", valueName: "file"),
            completion: .file(extensions: ["tgz", "gz"]))
    var output: String = "artifact.tgz"

    @OptionGroup(title: "Content flags") var content: IgnoreOptions

    func run(_ context: CommandContext) async throws {
        let console = context.console
        do {
            let pathArgument = try ArtifactCommandSupport.required(path, flag: "--path", example: "./deploy")
            let source = try ArtifactBuildSupport.resolveSource(pathArgument, context: context)
            let destination = ArtifactCommandSupport.absolute(output, in: context)
            let directory = (destination as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
                throw ArtifactUsageError("--output '\(output)' is a directory: give a file name such as \(output)/artifact.tgz")
            }
            // Built inside a private directory beside the target: an interrupted build can never rename into place.
            var template = Array("\(directory)/.\((destination as NSString).lastPathComponent).build-XXXXXX".utf8CString)
            guard let created = mkdtemp(&template) else {
                throw CommandError("cannot write into '\(directory)': \(String(cString: strerror(errno)))")
            }
            let scratch = String(cString: created)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let options = content.buildOptions
            let layer = try await InterruptGuard.run {
                // Announced once Ctrl-C is handled, so an interrupt right after this line still cleans up.
                console.action("building artifact from \(pathArgument)")
                return try await runBlocking { try ArtifactBuilder.build(source: source, options: options, destinationPath: scratch + "/layer.tgz") }
            }
            guard rename(layer.path, destination) == 0 else {
                throw CommandError("cannot write '\(destination)': \(String(cString: strerror(errno)))")
            }
            console.success("artifact created at \(output)")
        } catch {
            throw ArtifactCommandSupport.report(error, console: console)
        }
    }
}
