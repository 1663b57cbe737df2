import ArgumentParser
import Foundation
import HTTPTransport
import JSON
import KubeClient

struct VersionCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the client and server versions.",
        discussion: """
        EXAMPLES:
          kubectl gitops version
          kubectl gitops version --client -o json
        """)

    @Flag(inversion: .prefixedNo, help: "Print only the client version.")
    var client = false

    @Option(name: .shortAndLong, help: "Output format: json or yaml.")
    var output: VersionFormat?

    @OptionGroup(title: "Kubernetes flags")
    var kube: KubeOptions

    enum VersionFormat: String, ExpressibleByArgument, CaseIterable {
        case json, yaml
    }

    func run(_ context: CommandContext) async throws {
        let clientVersion: JSONValue = ["gitVersion": .string("v\(KubectlGitOpsVersion.current)")]
        var serverVersion: JSONValue?
        var serverError: Error?
        if !client {
            do {
                let session = try KubeSession.make(options: kube, context: context)
                serverVersion = try await session.client.getPath("/version")
            } catch {
                serverError = error
            }
        }
        switch output {
        case .json, .yaml:
            var document: JSONValue = ["clientVersion": clientVersion]
            if let serverVersion { document["serverVersion"] = serverVersion }
            context.console.write(output == .json ? CanonicalJSON.indented(document, indent: "  ") : KubeYAML.encode(document))
        case nil:
            context.console.print("Client Version: v\(KubectlGitOpsVersion.current)")
            if let version = serverVersion?["gitVersion"]?.stringValue {
                context.console.print("Server Version: \(version)")
            }
        }
        if let serverError { throw serverError }
    }
}
