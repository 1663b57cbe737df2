import ArgumentParser
import Flux
import Foundation
import Testing
import TestSupport
@testable import GitOpsCLI

// A small tree in the shape of the real one, so the engine is tested on what it reads (the parser's dump),
// independent of which commands the tool has today.
private struct FakeRoot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubectl-gitops", abstract: "Root.",
        subcommands: [FakeGet.self, FakeDelete.self, FakePush.self, FakeSecret.self])
}

private struct FakeGet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Display objects.", subcommands: [FakeGetSources.self])
}

private struct FakeGetSources: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sources", abstract: "Display sources.",
                                                    subcommands: [FakeGetSourceOCI.self], aliases: ["source"])
}

private enum FakeFormat: String, ExpressibleByArgument, CaseIterable { case table, wide, yaml }

private struct FakeGetSourceOCI: ParsableCommand, CompletesFluxNames {
    static let configuration = CommandConfiguration(commandName: "oci", abstract: "Display OCIRepositories.")
    static var completedKind: FluxKind { .ociRepository }

    @Argument(help: "Name.") var name: String?
    @Option(name: .shortAndLong, help: "Output format.") var output: FakeFormat?
    @Flag(help: "Watch.") var watch = false
    @Option(help: ArgumentHelp("Secret.", visibility: .hidden)) var secret: String?
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions
}

private struct FakeDelete: ParsableCommand, CompletesFluxNames {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete Kustomizations.")
    static var completedKind: FluxKind { .kustomization }
    @Argument(help: "Names.") var names: [String] = []
    @OptionGroup var kube: KubeOptions
}

private struct FakePush: ParsableCommand, CompletesOptionValues {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Push an artifact.")
    static var completedOptionValues: [String: DynamicValues] { ["origin": .fluxNames(.kustomization, prefix: "Kustomization/")] }
    @Argument(help: "URL.") var url: String
    @Option(help: "Manifests.") var path: String?
    @Option(help: "Directory.", completion: .directory) var into: String?
    @Option(help: "A manifest.", completion: .file(extensions: ["yaml", "yml"])) var manifest: String?
    @Option(help: "Source.") var source: String?
    @Option(help: "Origin.") var origin: String?
    @Option(help: "Free text.") var annotation: String?
    @OptionGroup var kube: KubeOptions
}

private struct FakeSecret: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "secret", abstract: "Hidden.", shouldDisplay: false)
}

/// Answers from a table and records what it was asked and in which scope.
private final class TableProvider: CompletionValueProvider, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var asked: [(DynamicValues, CompletionScope)] = []

    func candidates(for request: DynamicValues, scope: CompletionScope) async -> [CompletionCandidate] {
        lock.withLock { asked.append((request, scope)) }
        switch request {
        case .fluxNames(.ociRepository, _): return [CompletionCandidate("podinfo", description: "Ready"), CompletionCandidate("redis")]
        case .fluxNames(.kustomization, _): return [CompletionCandidate("apps"), CompletionCandidate("infra")]
        case .namespaces: return [CompletionCandidate("default"), CompletionCandidate("flux-system")]
        case .kubeconfigContexts: return [CompletionCandidate("dev"), CompletionCandidate("prod")]
        default: return []
        }
    }
}

private let fakeTree = Result { try CommandTree.load(FakeRoot.self) }

private func complete(_ words: String..., provider: TableProvider = TableProvider()) async throws -> CompletionResult {
    let engine = CompletionEngine(root: try fakeTree.get(), provider: provider)
    return await engine.complete(words)
}

@Test func subcommandsWithAbstractsAndNoHiddenOnes() async throws {
    let result = try await complete("")
    #expect(result.values == ["get", "delete", "push"])
    #expect(result.candidates.first == CompletionCandidate("get", description: "Display objects."))
    #expect(result.directive == .noFileCompletion)
    #expect(try await complete("d").values == ["delete"])
}

@Test func nestedCommandsAndAliasesAreFollowed() async throws {
    #expect(try await complete("get", "").values == ["sources"])
    #expect(try await complete("get", "source", "").values == ["oci"])
}

@Test func fluxNamesForOptedInCommandsUseTheTypedNamespace() async throws {
    let provider = TableProvider()
    let result = try await complete("-n", "apps", "get", "sources", "oci", "", provider: provider)
    #expect(result.values == ["podinfo", "redis"])
    #expect(result.candidates.first?.description == "Ready")
    #expect(result.directive == .noFileCompletion)
    #expect(provider.asked.count == 1)
    #expect(provider.asked.first?.0 == .fluxNames(.ociRepository, prefix: ""))
    #expect(provider.asked.first?.1.kube.namespace == "apps")

    let after = TableProvider()
    _ = try await complete("get", "sources", "oci", "--namespace=web", "--context", "prod", "r", provider: after)
    #expect(after.asked.first?.1.kube.namespace == "web")
    #expect(after.asked.first?.1.kube.context == "prod")
    #expect(try await complete("get", "sources", "oci", "r").values == ["redis"])
}

@Test func oneNamePositionalIsNotCompletedTwiceButRepeatingOnesSkipTypedNames() async throws {
    #expect(try await complete("get", "sources", "oci", "podinfo", "").values.isEmpty)
    #expect(try await complete("delete", "apps", "").values == ["infra"])
}

@Test func flagsOfTheCurrentCommandOnlyWhenTheWordStartsWithADash() async throws {
    let all = try await complete("get", "sources", "oci", "-").values
    #expect(all.contains("--output") && all.contains("-o") && all.contains("--watch") && all.contains("-n") && all.contains("--context"))
    #expect(!all.contains("--secret"), "hidden options are not offered")
    let long = try await complete("get", "sources", "oci", "--").values
    #expect(!long.contains("-o") && long.contains("--output"))
    #expect(try await complete("get", "sources", "oci", "--w").values == ["--watch"])
    #expect(try await complete("get", "sources", "oci", "--watch", "--w").values.isEmpty, "a flag already given is not offered again")
    #expect(try await complete("get", "sources", "oci", "").values == ["podinfo", "redis"], "no flags for a new word")
}

@Test func enumValuesForOptions() async throws {
    let result = try await complete("get", "sources", "oci", "-o", "")
    #expect(result.values == ["table", "wide", "yaml"])
    #expect(result.directive == .noFileCompletion)
    #expect(try await complete("get", "sources", "oci", "--output=w").values == ["--output=wide"])
}

@Test func clusterAndKubeconfigValuesForKubeFlags() async throws {
    #expect(try await complete("get", "sources", "oci", "-n", "").values == ["default", "flux-system"])
    #expect(try await complete("get", "sources", "oci", "--context", "p").values == ["prod"])
    #expect(try await complete("--context", "").values == ["dev", "prod"], "kube flags before the subcommand")
    #expect(try await complete("push", "--source", "").values == ["OCIRepository/podinfo", "OCIRepository/redis"])
    #expect(try await complete("push", "--source", "OCIRepository/p").values == ["OCIRepository/podinfo"])
    #expect(try await complete("push", "--origin", "").values == ["Kustomization/apps", "Kustomization/infra"], "a command's own table wins")
}

@Test func pathsAndFreeTextChooseTheDirective() async throws {
    let path = try await complete("push", "oci://x", "--path", "")
    #expect(path.values.isEmpty && path.directive == .default)
    #expect(try await complete("push", "--into", "").directive == .filterDirectories)
    let manifest = try await complete("push", "--manifest", "")
    #expect(manifest.directive == .filterFileExtensions && manifest.values == ["yaml", "yml"])
    #expect(try await complete("push", "--kubeconfig", "").directive == .default)
    let text = try await complete("push", "--annotation", "")
    #expect(text.values.isEmpty && text.directive == .noFileCompletion)
    #expect(try await complete("push", "").directive == .noFileCompletion, "a URL positional gets no file names")
}

@Test func renderedInCobraFormat() {
    let result = CompletionResult([CompletionCandidate("podinfo", description: "Ready\nsecond line"), CompletionCandidate("redis")],
                                  directive: [.noFileCompletion, .noSpace])
    #expect(result.rendered(descriptions: true) == "podinfo\tReady\nredis\n:6\n")
    #expect(result.rendered(descriptions: false) == "podinfo\nredis\n:6\n")
    #expect(CompletionResult(directive: .default).rendered(descriptions: true) == ":0\n")
}

@Test func theRealTreeComesFromTheParserDump() throws {
    let root = CommandTree.root
    #expect(root.name == "kubectl-gitops")
    #expect(root.subcommand(named: "__complete")?.isHidden == true)
    #expect(root.subcommand(named: "help") == nil, "the parser's own help command has no type in the tree")
    let version = try #require(root.subcommand(named: "version"))
    #expect(version.type == VersionCommand.self)
    #expect(version.namedArgument("-o")?.values == ["json", "yaml"])
    #expect(version.namedArgument("--context") != nil)
}

@Test func hiddenCompleteCommandInProcess() async {
    let (console, stdout, _) = Console.capturing()
    let context = CommandContext(environment: ["HOME": "/nonexistent"], workingDirectory: "/", console: console,
                                 transportFactory: { _ in UnansweredTransport() })
    let code = await CLI.run(arguments: ["__complete", ""], context: context)
    #expect(code == 0)
    let lines = stdout.text.split(separator: "\n").map(String.init)
    #expect(lines.last == ":4")
    #expect(lines.contains { $0.hasPrefix("version\t") })
    #expect(lines.contains { $0.hasPrefix("completion\t") })
    #expect(!lines.contains { $0.hasPrefix("__") })

    let (plain, plainOut, _) = Console.capturing()
    var quiet = context
    quiet.console = plain
    #expect(await CLI.run(arguments: ["__completeNoDesc", "version", "--output", "-h", ""], context: quiet) == 0)
    #expect(plainOut.text == ":4\n", "the words after __complete are data, even -h")
    let (third, thirdOut, _) = Console.capturing()
    quiet.console = third
    #expect(await CLI.run(arguments: ["__completeNoDesc", "version", "-o", ""], context: quiet) == 0)
    #expect(thirdOut.text == "json\nyaml\n:4\n")
}

private func seededServer() async throws -> KubeTestServer {
    let server = try await KubeTestServer.start()
    let repositories: [[String: Any]] = ["podinfo", "redis"].map { name in
        ["apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
         "metadata": ["name": name, "namespace": "flux-system"],
         "spec": ["url": "oci://registry.example/\(name)", "interval": "1m", "ref": ["tag": "latest"]]]
    }
    let kustomizations: [[String: Any]] = [
        ["apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
         "metadata": ["name": "apps", "namespace": "flux-system"],
         "spec": ["interval": "1h", "prune": true, "sourceRef": ["kind": "OCIRepository", "name": "podinfo"]]],
    ]
    _ = try await server.seed(objects: repositories + kustomizations)
    return server
}

@Test func liveNamesFromTheTestAPIServer() async throws {
    let server = try await seededServer()
    defer { server.stop() }
    let context = CommandContext(environment: ["KUBECONFIG": server.kubeconfigPath, "HOME": NSTemporaryDirectory()],
                                 workingDirectory: "/", console: Console.capturing().console,
                                 transportFactory: CommandContext.live().transportFactory)
    let engine = CompletionEngine(root: try fakeTree.get(), provider: LiveCompletionValues(context: context, deadlineSeconds: testDeadline))
    let repositories = await engine.complete(["get", "sources", "oci", ""])
    #expect(repositories.values == ["podinfo", "redis"])
    #expect(repositories.candidates.allSatisfy { $0.description.isEmpty }, "no controller ran: no Ready condition to show")
    #expect(repositories.directive == .noFileCompletion)
    #expect(await engine.complete(["delete", ""]).values == ["apps"])
    #expect(await engine.complete(["push", "--source", "OCIRepository/r"]).values == ["OCIRepository/redis"])
    #expect(await engine.complete(["get", "sources", "oci", "-n", "elsewhere", ""]).values.isEmpty)
    #expect(await engine.complete(["get", "sources", "oci", "-n", ""]).values.contains("flux-system"))
}
