import Flux
import Foundation
import HTTPTransport
import Testing
import TestSupport
@testable import GitOpsCLI

/// The built `kubectl-gitops` next to the test bundle (`swift test` builds every product first).
private func builtBinary() throws -> String {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kubectl-gitops").path,
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("kubectl-gitops").path,
        RepositoryPaths.packageRoot.appendingPathComponent(".build/debug/kubectl-gitops").path,
    ]
    let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    return try #require(found, "kubectl-gitops is not built; run `swift build` (looked in \(candidates))")
}

/// kubectl from PATH (`make deps` installs it when the machine has none).
private func kubectl() throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    let found = path.split(separator: ":").map { "\($0)/kubectl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    return try #require(found, "kubectl is not on PATH (\(path)); run `make deps`")
}

/// A PATH directory holding only our binary and the completion shim, as an install would leave them.
private final class PluginDirectory {
    let url: URL
    let home: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-\(UUID().uuidString)")
        home = url.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.appendingPathComponent("kubectl-gitops").path, withDestinationPath: try builtBinary())
        let shim = url.appendingPathComponent("kubectl_complete-gitops").path
        try FileManager.default.copyItem(atPath: RepositoryPaths.packageRoot.appendingPathComponent("completions/kubectl_complete-gitops").path, toPath: shim)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var kubeconfig: String?
    /// `KUBECTL_GITOPS_COMPLETION_TIMEOUT`; nil keeps the product's one second.
    var completionTimeout: String?

    var environment: [String: String] {
        var variables = ["PATH": "\(url.path):/usr/local/bin:/usr/bin:/bin", "HOME": home.path,
                         "KUBECONFIG": kubeconfig ?? home.path + "/none", "LANG": "C.UTF-8"]
        variables["KUBECTL_GITOPS_COMPLETION_TIMEOUT"] = completionTimeout
        return variables
    }

    func run(_ executable: String, _ arguments: [String]) async throws -> ExternalRun {
        try await runExternal(executable, arguments, environment: environment, directory: home)
    }
}

private func candidateLines(_ output: String) -> (values: [String], directive: String?) {
    let lines = output.split(separator: "\n").map(String.init)
    let directive = lines.last.flatMap { $0.hasPrefix(":") ? $0 : nil }
    let values = lines.filter { !$0.hasPrefix(":") }.map { String($0.split(separator: "\t", maxSplits: 1).first ?? "") }
    return (values, directive)
}

@Test func kubectlRunsThePlugin() async throws {
    let plugin = try PluginDirectory()
    let result = try await plugin.run(try kubectl(), ["gitops", "version", "--client"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "Client Version: v\(KubectlGitOpsVersion.current)\n")
}

@Test func kubectlCompletesOurSubcommandsThroughTheShim() async throws {
    let plugin = try PluginDirectory()
    let kubectl = try kubectl()
    let top = try await plugin.run(kubectl, ["__complete", "gitops", ""])
    #expect(top.status == 0)
    let (values, directive) = candidateLines(top.stdout)
    let visible = CommandTree.root.visibleSubcommands
    #expect(values == visible.map(\.name))
    #expect(directive == ":4")
    #expect(top.stdout.contains("version\tPrint the client and server versions."))

    // Every group (get, push, completion, …) lists its own subcommands through kubectl.
    for group in visible where !group.visibleSubcommands.isEmpty {
        let nested = try await plugin.run(kubectl, ["__complete", "gitops", group.name, ""])
        #expect(candidateLines(nested.stdout).values == group.visibleSubcommands.map(\.name), "kubectl __complete gitops \(group.name) '': exit \(nested.status), stdout \(nested.stdout), stderr \(nested.stderr)")
    }
    let values2 = try await plugin.run(kubectl, ["__completeNoDesc", "gitops", "version", "-o", ""])
    #expect(values2.stdout.hasPrefix("json\nyaml\n:4"))
}

@Test func kubectlCompletesLiveNamesFromTheTestAPIServer() async throws {
    let server = try await KubeTestServer.start()
    defer { server.stop() }
    _ = try await server.seed(objects: [
        ["apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
         "metadata": ["name": "podinfo", "namespace": "flux-system"],
         "spec": ["url": "oci://registry.example/podinfo", "interval": "1m", "ref": ["tag": "latest"]]],
        ["apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
         "metadata": ["name": "apps", "namespace": "flux-system"],
         "spec": ["interval": "1h", "prune": true, "sourceRef": ["kind": "OCIRepository", "name": "podinfo"]]],
    ])
    let plugin = try PluginDirectory()
    plugin.kubeconfig = server.kubeconfigPath
    // A debug binary next to a full parallel test run can take over the default second to list.
    plugin.completionTimeout = "15"
    let kubectl = try kubectl()

    let namespaces = try await plugin.run(kubectl, ["__complete", "gitops", "check", "-n", ""])
    #expect(candidateLines(namespaces.stdout).values.contains("flux-system"), "\(namespaces.stdout)")
    #expect(candidateLines(namespaces.stdout).directive == ":4")

    // Every command that opted into name completion (get sources oci, get ks, reconcile …) lists the seeded names.
    for command in CommandTree.root.allCommands {
        guard let opted = command.type as? any CompletesFluxNames.Type, opted.completedPositionalIndex == 0 else { continue }
        let words = Array(command.path.dropFirst()) + [""]
        let result = try await plugin.run(kubectl, ["__complete", "gitops"] + words)
        let expected = opted.completedKind == .ociRepository ? "podinfo" : "apps"
        #expect(candidateLines(result.stdout).values == [expected], "kubectl __complete gitops \(words.joined(separator: " ")): \(result.stdout)")
    }

    // The bash script gets the same live names through the binary.
    let bash = try await bashReplies(plugin, ["kubectl-gitops check -n flux", "kubectl-gitops check --namespace="])
    #expect(bash[0] == ["flux-system"])
    #expect(bash[1].contains("flux-system") && bash[1].contains("default"), "\(bash[1])")

    // The plugin alone lists live names too (its latency is a `make bench` figure: `__complete` with 50 objects).
    let direct = try await plugin.run(try builtBinary(), ["__complete", "check", "-n", ""])
    #expect(direct.stdout.contains("flux-system"))
}

@Test func theCompletionDeadlineCutsASlowClusterAndCanBeLengthened() async throws {
    let plugin = try PluginDirectory()
    // The cluster answers every request 1.5 s late: after the default 1 s deadline, before a 30 s one.
    let listener = try LateNamespaceListener(delaySeconds: 1.5, namespace: "late-ns")
    let arguments = ["__complete", "--server", "http://127.0.0.1:\(listener.port)", "-n", ""]
    let cut = try await plugin.run(try builtBinary(), arguments)
    #expect(cut.status == 0)
    #expect(cut.stdout == ":4\n", "the 1 s deadline let a 1.5 s answer through: \(cut.stdout)")
    #expect(cut.stderr.isEmpty)
    #expect(listener.requestCount >= 1, "the lookup never reached the cluster")

    plugin.completionTimeout = "30"
    let patient = try await plugin.run(try builtBinary(), arguments)
    #expect(candidateLines(patient.stdout).values == ["late-ns"], "\(patient.stdout)")
    withExtendedLifetime(listener) {}
}

@Test func aSilentClusterEndsTheLookupAtTheDeadline() async throws {
    let plugin = try PluginDirectory()
    let listener = try SilentListener()
    // Without the deadline this never returns: the server accepts and stays silent.
    let result = try await plugin.run(try builtBinary(), ["__complete", "--server", "http://127.0.0.1:\(listener.port)", "-n", ""])
    #expect(result.status == 0)
    #expect(result.stdout == ":4\n")
    #expect(result.stderr.isEmpty)
    withExtendedLifetime(listener) {}
}

/// Sources the bash script and calls its function the way bash does for each line (cursor at the end), returning
/// COMPREPLY per line: a compgen-style harness without a terminal.
private func bashReplies(_ plugin: PluginDirectory, _ lines: [String]) async throws -> [[String]] {
    let script = RepositoryPaths.packageRoot.appendingPathComponent("completions/kubectl-gitops.bash").path
    let harness = """
    source "$1"; shift
    for line in "$@"; do
      COMP_LINE="$line"; COMP_POINT=${#line}; COMPREPLY=()
      __kubectl_gitops_complete
      printf '%s\\n' "${COMPREPLY[@]}"; echo '--'
    done
    """
    let result = try await plugin.run("/bin/bash", ["--norc", "--noprofile", "-c", harness, "harness", script] + lines)
    #expect(result.status == 0, "\(result.stderr)")
    let replies = result.stdout.components(separatedBy: "--\n").map { $0.split(separator: "\n").map(String.init) }
    try #require(replies.count == lines.count + 1, "bash answered: \(result.stdout)")
    return Array(replies.prefix(lines.count))
}

@Test func bashScriptCompletesThroughTheBinary() async throws {
    let plugin = try PluginDirectory()
    try "apiVersion: v1\n".write(to: plugin.home.appendingPathComponent("kubeconfig.yaml"), atomically: true, encoding: .utf8)
    let replies = try await bashReplies(plugin, [
        "kubectl-gitops ver", "kubectl-gitops version -o ", "kubectl-gitops version --output=y",
        "kubectl-gitops completion ", "kubectl-gitops version --kubeconfig kube", "kubectl-gitops version --request-timeout ",
    ])
    #expect(replies[0] == ["version"])
    #expect(replies[1] == ["json", "yaml"])
    #expect(replies[2] == ["yaml"], "bash replaces only the text after `=`")
    #expect(replies[3] == ["bash", "zsh", "fish", "install"])
    #expect(replies[4] == ["kubeconfig.yaml"], "file names for a path option")
    #expect(replies[5] == [], "no file names where the directive says so")
}

@Test func fishScriptCompletesThroughTheBinary() async throws {
    let plugin = try PluginDirectory()
    let script = RepositoryPaths.packageRoot.appendingPathComponent("completions/kubectl-gitops.fish").path
    let result = try await plugin.run("/usr/bin/fish", ["--no-config", "-c", "source \(script); complete -C 'kubectl-gitops ver'; echo ::; complete -C 'kubectl-gitops version -o '"])
    #expect(result.status == 0, "\(result.stderr)")
    let parts = result.stdout.components(separatedBy: "::\n")
    #expect(parts.first == "version\tPrint the client and server versions.\n")
    #expect(parts.last == "json\nyaml\n")
}

/// Accepts TCP connections on 127.0.0.1 (the kernel's backlog does) and never answers.
private final class SilentListener {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, length) }
        }
        try #require(bound == 0 && listen(socketDescriptor, 16) == 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
        }
        descriptor = socketDescriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }
}

/// Answers each HTTP request on a loopback port `delaySeconds` late with a NamespaceList of one name (a thread per
/// connection: the test's cooperative threads are never blocked).
private final class LateNamespaceListener: @unchecked Sendable {
    private let listener: SilentListener
    private let lock = NSLock()
    private var requests = 0
    let delaySeconds: Double
    let namespace: String
    var port: UInt16 { listener.port }
    var requestCount: Int { lock.withLock { requests } }

    // Wakes the accept loop (closing alone does not on Linux).
    deinit { shutdown(listener.descriptor, Int32(SHUT_RDWR)) }

    init(delaySeconds: Double, namespace: String) throws {
        listener = try SilentListener()
        self.delaySeconds = delaySeconds
        self.namespace = namespace
        let descriptor = listener.descriptor
        Thread { [weak self] in
            while true {
                let client = accept(descriptor, nil, nil)
                guard client >= 0, let self else { return }
                Thread { self.answer(client) }.start()
            }
        }.start()
    }

    private func answer(_ client: Int32) {
        defer { close(client) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        var received = [UInt8]()
        while !received.containsHeaderEnd {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { return }
            received += buffer[0..<count]
        }
        lock.withLock { requests += 1 }
        Thread.sleep(forTimeInterval: delaySeconds)
        let body = #"{"kind":"NamespaceList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"\#(namespace)"}}]}"#
        let response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        count >= 4 && (0...(count - 4)).contains { self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10 }
    }
}
