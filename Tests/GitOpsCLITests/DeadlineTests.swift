import Foundation
import Testing
import TestSupport

/// `--request-timeout` against servers that accept a connection and never answer (a fault proxy in hold mode in
/// front of the real servers): the command ends with one line naming the server, and the proxy shows the request
/// was not sent again. The time it takes is a `make bench` matter; here the attempt count is the proof.
@Suite(.serialized) struct DeadlineTests {
    @Test(arguments: [["get", "ks"], ["check"]])
    func aStalledAPIServerEndsTheCommandWithoutRetries(_ command: [String]) async throws {
        try await withOwnServer { server in
            let proxy = try await FaultProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            try await proxy.set(.hold)
            let result = await runCLI(command + ["--server", "https://127.0.0.1:\(proxy.port)", "--request-timeout", "2s"],
                                      environment: ["KUBECONFIG": server.kubeconfigPath])
            #expect(result.code == 1, "\(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 || command == ["check"], "\(result.stderr)")
            #expect(result.stderr.contains("127.0.0.1:\(proxy.port)"), "\(result.stderr)")
            #expect(result.stderr.contains("timed out"), "\(result.stderr)")
            let stats = try await proxy.stats()
            #expect(stats.connections == 1, "a timed-out request was sent again: \(stats.connections) connections")
        }
    }

    /// Each artifact command against a registry that accepts and never answers: the first timed-out request ends
    /// the command (later steps do not wait the bound out again), with one line naming the registry.
    @Test(arguments: ["list", "push", "pull", "tag", "diff"])
    func aStalledRegistryEndsTheCommandAtTheFirstTimeout(_ command: String) async throws {
        let registry = try await RegistryServer.start(.plainHTTP)
        defer { registry.cleanUp() }
        let proxy = try await FaultProxy.start(upstreamPort: registry.port)
        defer { proxy.stop() }
        try await proxy.set(.hold)
        let reference = "oci://127.0.0.1:\(proxy.port)/stalled/app"
        let file = RepositoryPaths.fixture("flux-goldens/diff-artifact/deployment.yaml").path
        let arguments: [String] = switch command {
        case "list": ["list", "artifacts", reference]
        case "push": ["push", "artifact", reference + ":v1", "--path", file, "--source", "s", "--revision", "r"]
        case "pull": ["pull", "artifact", reference + ":v1", "-o", CLITestPaths.temporaryDirectory("stalled") + "/out"]
        case "tag": ["tag", "artifact", reference + ":v1", "--tag", "v2"]
        default: ["diff", "artifact", reference + ":v1", "--path", file]
        }
        let result = await runCLI(arguments + ["--request-timeout", "2s"])
        #expect(result.code == (command == "diff" ? 2 : 1), "\(result.stderr)")
        let failures = result.stderr.split(separator: "\n").filter { $0.hasPrefix("✗") }
        #expect(failures.count == 1 && failures[0].contains("127.0.0.1:\(proxy.port)") && failures[0].contains("timed out"), "\(result.stderr)")
        let stats = try await proxy.stats()
        // The TLS probe of a loopback host, then the first real request; nothing after it.
        #expect(stats.connections <= 2, "\(stats.connections) connections to a registry that never answers")
    }

    @Test func aBadRequestTimeoutIsAUsageError() async throws {
        let result = await runCLI(["list", "artifacts", "oci://127.0.0.1:1/app", "--request-timeout", "soon"])
        #expect(result.code == 64, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("--request-timeout"), "\(result.stderr)")
    }
}
