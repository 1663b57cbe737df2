import Foundation
import Testing
import TestSupport

/// A kubeconfig with one cluster and one user, written as JSON (which is YAML) into `directory`.
private func writeKubeconfig(_ directory: String, server: String, cluster: [String: Any], user: [String: Any]) throws -> String {
    var clusterBody = cluster
    clusterBody["server"] = server
    let config: [String: Any] = [
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "clusters": [["name": "test", "cluster": clusterBody]],
        "users": [["name": "tester", "user": user]],
        "contexts": [["name": "test", "context": ["cluster": "test", "user": "tester", "namespace": "flux-system"]]],
    ]
    let path = directory + "/config"
    try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
    return path
}

private func base64File(_ path: String) throws -> String {
    try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString()
}

/// An exec credential plugin that counts its runs in a file and prints the tokens given, one per run (the last repeats).
private func writeExecPlugin(_ directory: String, tokens: [String]) throws -> (path: String, countFile: String) {
    let countFile = directory + "/runs"
    let script = """
        #!/bin/sh
        echo run >> "\(countFile)"
        n=$(wc -l < "\(countFile)")
        set -- \(tokens.map { "'\($0)'" }.joined(separator: " "))
        i=1; token=""
        for t in "$@"; do token="$t"; [ "$i" -ge "$n" ] && break; i=$((i+1)); done
        printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$token"
        """
    let path = directory + "/kube-cred"
    try script.write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return (path, countFile)
}

private func runs(_ countFile: String) -> Int {
    ((try? String(contentsOfFile: countFile, encoding: .utf8)) ?? "").split(separator: "\n").count
}

@Suite struct VersionAndCheckTests {
    @Test func versionShowsClientAndServer() async throws {
        let result = await runCLI(["version"], environment: try await SharedKubeServer.environment())
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout == "Client Version: v0.1.0\nServer Version: v1.28.7\n")
    }

    @Test func versionJSON() async throws {
        let result = await runCLI(["version", "-o", "json"], environment: try await SharedKubeServer.environment())
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((json?["serverVersion"] as? [String: Any])?["gitVersion"] as? String == "v1.28.7")
        #expect((json?["clientVersion"] as? [String: Any])?["gitVersion"] as? String == "v0.1.0")
    }

    @Test func checkPassesForTheAdmin() async throws {
        let result = await runCLI(["check"], environment: try await SharedKubeServer.environment())
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr.contains("context:        test-admin"))
        #expect(result.stderr.contains("✔ Kubernetes v1.28.7"))
        #expect(result.stderr.contains("✔ OCIRepository API served as source.toolkit.fluxcd.io/v1"))
        #expect(result.stderr.contains("✔ Kustomization API served as kustomize.toolkit.fluxcd.io/v1"))
        #expect(result.stderr.contains("✔ may get, list, create, patch ocirepositories"))
        #expect(result.stderr.hasSuffix("✔ all checks passed\n"))
    }

    @Test func checkFailsForAViewerAndSaysWhatToDo() async throws {
        let result = await runCLI(["check", "--context", "test-viewer"], environment: try await SharedKubeServer.environment())
        #expect(result.code == 1)
        #expect(result.stderr.contains("✗ may not create, patch ocirepositories in namespace flux-system: ask a cluster admin"))
        #expect(result.stderr.contains("✗ may not create, patch kustomizations in namespace flux-system"))
        #expect(result.stderr.contains("✗ 2 checks failed"))
    }

    @Test func checkSaysFluxIsNotInstalled() async throws {
        let server = try await KubeTestServer.start(.init(fluxVersion: .none))
        defer { server.stop() }
        let result = await runCLI(["check"], environment: ["KUBECONFIG": server.kubeconfigPath])
        #expect(result.code == 1)
        #expect(result.stderr.contains("✗ OCIRepository: Flux is not installed in this cluster: the API source.toolkit.fluxcd.io is not served (install Flux, then run kubectl gitops check)"))
    }

    @Test func checkFindsV1beta2OnOlderFlux() async throws {
        let server = try await KubeTestServer.start(.init(fluxVersion: .v1beta2))
        defer { server.stop() }
        let result = await runCLI(["check"], environment: ["KUBECONFIG": server.kubeconfigPath])
        #expect(result.stderr.contains("✔ OCIRepository API served as source.toolkit.fluxcd.io/v1beta2"), "\(result.stderr)")
    }

    @Test func globalFlagsBeforeTheSubcommandAreAccepted() async throws {
        let result = await runCLI(["--context", "test-viewer", "-n", "apps", "check"], environment: try await SharedKubeServer.environment())
        #expect(result.stderr.contains("namespace:      apps"))
        #expect(result.stderr.contains("(bearer token)"))
    }
}

@Suite struct AuthenticationTests {
    let server: KubeTestServer

    init() async throws { server = try await SharedKubeServer.server() }

    @Test func clientCertificateFiles() async throws {
        let result = await runCLI(["version", "--context", "test-cert"], environment: try await SharedKubeServer.environment())
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Server Version: v1.28.7"))
        let check = await runCLI(["check", "--context", "test-cert"], environment: try await SharedKubeServer.environment())
        #expect(check.stderr.contains("(client certificate"), "\(check.stderr)")
        #expect(check.code == 0)
    }

    @Test func clientCertificateData() async throws {
        let directory = CLITestPaths.temporaryDirectory("cert-data")
        let config = try writeKubeconfig(directory, server: server.url,
                                         cluster: ["certificate-authority-data": try base64File(server.caPath)],
                                         user: ["client-certificate-data": try base64File(server.clientCertPath),
                                                "client-key-data": try base64File(server.clientKeyPath)])
        let result = await runCLI(["check"], environment: ["KUBECONFIG": config])
        #expect(result.code == 0, "\(result.stderr)")
    }

    @Test func tokenFlagOverridesTheKubeconfigUser() async throws {
        let allowed = await runCLI(["check", "--context", "test-viewer", "--token", "admin-token"], environment: try await SharedKubeServer.environment())
        #expect(allowed.code == 0, "\(allowed.stderr)")
        let denied = await runCLI(["version", "--token", "not-a-token"], environment: try await SharedKubeServer.environment())
        #expect(denied.code == 1)
        #expect(denied.stderr == "error: You must be logged in to the server (Unauthorized)\n")
    }

    @Test func tokenFileIsReadAndReRead() async throws {
        let directory = CLITestPaths.temporaryDirectory("token-file")
        try "admin-token\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        let config = try writeKubeconfig(directory, server: server.url,
                                         cluster: ["certificate-authority-data": try base64File(server.caPath)],
                                         user: ["tokenFile": "token"])
        let first = await runCLI(["check"], environment: ["KUBECONFIG": config])
        #expect(first.code == 0, "\(first.stderr)")
        #expect(first.stderr.contains("token file"))
        try "viewer-token\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        let second = await runCLI(["check"], environment: ["KUBECONFIG": config])
        #expect(second.code == 1)
    }

    @Test func execPluginRunsOnceForManyRequests() async throws {
        let directory = CLITestPaths.temporaryDirectory("exec")
        let plugin = try writeExecPlugin(directory, tokens: ["admin-token"])
        let config = try writeKubeconfig(directory, server: server.url,
                                         cluster: ["certificate-authority-data": try base64File(server.caPath)],
                                         user: ["exec": ["apiVersion": "client.authentication.k8s.io/v1", "command": plugin.path,
                                                         "interactiveMode": "Never"]])
        // check sends more than ten requests (version, discovery, eight access reviews).
        let result = await runCLI(["check"], environment: ["KUBECONFIG": config])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(runs(plugin.countFile) == 1)
    }

    @Test func execPluginRunsAgainAfterA401() async throws {
        let directory = CLITestPaths.temporaryDirectory("exec-401")
        let plugin = try writeExecPlugin(directory, tokens: ["expired-token", "admin-token"])
        let config = try writeKubeconfig(directory, server: server.url,
                                         cluster: ["certificate-authority-data": try base64File(server.caPath)],
                                         user: ["exec": ["apiVersion": "client.authentication.k8s.io/v1", "command": plugin.path,
                                                         "interactiveMode": "Never"]])
        let result = await runCLI(["version"], environment: ["KUBECONFIG": config])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Server Version: v1.28.7"))
        #expect(runs(plugin.countFile) == 2)
    }

    @Test func wrongCAFailsWithATLSErrorNamingTheServer() async throws {
        let directory = CLITestPaths.temporaryDirectory("wrong-ca")
        // Any other CA: the fixture's generated CA is unrelated to the API server's.
        let otherCA = HTTPFixtureServer.shared.otherCAPEM
        let config = try writeKubeconfig(directory, server: server.url,
                                         cluster: ["certificate-authority-data": otherCA.base64EncodedString()],
                                         user: ["token": "admin-token"])
        let result = await runCLI(["version"], environment: ["KUBECONFIG": config])
        #expect(result.code == 1)
        #expect(result.stderr.hasPrefix("Unable to connect to the server 127.0.0.1:\(server.port): "), "\(result.stderr)")
        #expect(result.stderr.lowercased().contains("certificate"))
        #expect(!result.stderr.contains("admin-token"))
    }

    @Test func insecureSkipTLSVerifyConnectsWithoutTheCA() async throws {
        let directory = CLITestPaths.temporaryDirectory("insecure")
        let config = try writeKubeconfig(directory, server: server.url, cluster: [:], user: ["token": "admin-token"])
        let failing = await runCLI(["version"], environment: ["KUBECONFIG": config])
        #expect(failing.code == 1)
        let result = await runCLI(["version", "--insecure-skip-tls-verify"], environment: ["KUBECONFIG": config])
        #expect(result.code == 0, "\(result.stderr)")
        let goStyle = await runCLI(["version", "--insecure-skip-tls-verify=true"], environment: ["KUBECONFIG": config])
        #expect(goStyle.code == 0, "\(goStyle.stderr)")
    }

    @Test func verboseLogsNeverShowSecrets() async throws {
        let result = await runCLI(["check", "-v", "9"], environment: try await SharedKubeServer.environment())
        #expect(result.code == 0)
        #expect(result.stderr.contains("GET \(server.url)/version 200"), "\(result.stderr.prefix(600))")
        #expect(result.stderr.contains("Authorization: <redacted>"))
        #expect(!result.stderr.contains("admin-token"))
        let withPassword = await runCLI(["version", "-v", "9", "--token", "s3cr3t-t0ken"], environment: try await SharedKubeServer.environment())
        #expect(!withPassword.stderr.contains("s3cr3t-t0ken"))
    }
}

@Suite struct RetryTests {
    @Test func twoUnavailableAnswersThenSuccess() async throws {
        let server = try await KubeTestServer.start()
        defer { server.stop() }
        try await server.setFaults(failNext: [.init(status: 503, count: 2, pathContains: "/version")])
        let result = await runCLI(["version"], environment: ["KUBECONFIG": server.kubeconfigPath])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Server Version: v1.28.7"))
        let versions = try await server.requests().filter { $0.path == "/version" }
        #expect(versions.map(\.status) == [503, 503, 200])
    }

    @Test func retryAfterIsHonoured() async throws {
        let server = try await KubeTestServer.start()
        defer { server.stop() }
        try await server.setFaults(failNext: [.init(status: 429, count: 1, retryAfter: "1", pathContains: "/version")])
        let start = Date()
        let result = await runCLI(["version"], environment: ["KUBECONFIG": server.kubeconfigPath])
        #expect(result.code == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) >= 1.0)
        #expect(try await server.requests().filter { $0.path == "/version" }.count == 2)
    }
}
