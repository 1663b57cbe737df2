import Foundation
import JSON
import Testing

@testable import KubeConfig

/// Runs real plugins (small shell scripts) through Foundation.Process.
struct ExecPluginTests {
    /// A plugin that counts its runs in `runs`, saves its input, and prints a token (with the run number) that
    /// expires at $EXPIRY when set.
    static let pluginScript = """
        #!/bin/sh
        echo run >> "$STATE_DIR/runs"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$STATE_DIR/exec-info.json"
        printf '%s\\n' "$@" > "$STATE_DIR/args"
        echo "plugin says hello" >&2
        count=$(wc -l < "$STATE_DIR/runs" | tr -d ' ')
        if [ -n "$EXPIRY" ]; then expiry=", \\"expirationTimestamp\\": \\"$EXPIRY\\""; else expiry=""; fi
        printf '{"apiVersion": "%s", "kind": "ExecCredential", "status": {"token": "token-%s"%s}}\\n' "$API_VERSION" "$count" "$expiry"
        """

    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var current: Date
        init(_ date: Date) { current = date }
        var now: Date { lock.lock(); defer { lock.unlock() }; return current }
        func set(_ date: Date) { lock.lock(); current = date; lock.unlock() }
    }

    static func setUp(expiry: String? = nil, apiVersion: String = "client.authentication.k8s.io/v1",
                      returnedVersion: String? = nil, interactiveMode: String? = "Never",
                      clock: Clock? = nil, capture: CapturedOutput? = nil) throws -> (Sandbox, KubeConfigLoader) {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("conf/bin/plugin", pluginScript, executable: true)
        var env: [JSONValue] = [
            ["name": "STATE_DIR", "value": .string(sandbox.path("state"))],
            ["name": "API_VERSION", "value": .string(returnedVersion ?? apiVersion)],
        ]
        if let expiry { env.append(["name": "EXPIRY", "value": .string(expiry)]) }
        var exec: [(key: String, value: JSONValue)] = [
            (key: "apiVersion", value: .string(apiVersion)), (key: "command", value: "./bin/plugin"),
            (key: "args", value: ["--flag", "value"]), (key: "env", value: .array(env)), (key: "provideClusterInfo", value: true),
        ]
        if let interactiveMode { exec.append((key: "interactiveMode", value: .string(interactiveMode))) }
        try sandbox.write("conf/config", KubeconfigFixture()
            .cluster("c", server: "https://c.example:6443", [
                ("certificate-authority-data", .string(Data("CA".utf8).base64EncodedString())),
                ("extensions", [["name": "client.authentication.k8s.io/exec", "extension": ["audience": "sts"]]]),
            ])
            .user("u", [("exec", .object(exec))])
            .context("x", cluster: "c", user: "u")
            .currentContext("x"))
        try FileManager.default.createDirectory(atPath: sandbox.path("state"), withIntermediateDirectories: true)
        let loader = sandbox.loader(kubeconfig: ["conf/config"], cwd: "elsewhere") { environment in
            if let clock { environment.now = { clock.now } }
            if let capture { environment.pluginErrorOutput = .capture { capture.appendStderr(String(decoding: $0, as: UTF8.self)) } }
        }
        return (sandbox, loader)
    }

    static func runs(_ sandbox: Sandbox) -> Int {
        (sandbox.read("state/runs") ?? "").split(separator: "\n").count
    }

    @Test func cachesUntilInvalidated() async throws {
        let capture = CapturedOutput()
        let (sandbox, loader) = try Self.setUp(capture: capture)
        defer { withExtendedLifetime(sandbox) {} }
        let client = try loader.clientConfig(flags: KubeFlags())
        #expect(client.authDescription == "exec plugin plugin")
        #expect(Self.runs(sandbox) == 0, "nothing runs before the first request")

        #expect(try await client.credentials.credential() == .bearerToken("token-1"))
        #expect(try await client.credentials.credential() == .bearerToken("token-1"))
        #expect(Self.runs(sandbox) == 1)
        #expect(capture.stderr == "plugin says hello\n", "the plugin's stderr reaches the user")
        #expect(sandbox.read("state/args") == "--flag\nvalue\n")

        // Two requests rejected with the same credential cause one new run.
        client.credentials.invalidate(.bearerToken("token-1"))
        client.credentials.invalidate(.bearerToken("token-1"))
        #expect(try await client.credentials.credential() == .bearerToken("token-2"))
        client.credentials.invalidate(.bearerToken("token-1"))
        #expect(try await client.credentials.credential() == .bearerToken("token-2"))
        #expect(Self.runs(sandbox) == 2)

        client.credentials.invalidate()
        #expect(try await client.credentials.credential() == .bearerToken("token-3"))
    }

    @Test func concurrentCallersShareOneRun() async throws {
        let (sandbox, loader) = try Self.setUp()
        defer { withExtendedLifetime(sandbox) {} }
        let client = try loader.clientConfig(flags: KubeFlags())
        let credentials = client.credentials
        let results = try await withThrowingTaskGroup(of: Credential.self) { group in
            for _ in 0..<5 { group.addTask { try await credentials.credential() } }
            return try await group.reduce(into: [Credential]()) { $0.append($1) }
        }
        #expect(Set(results.map(\.description)).count == 1)
        #expect(Self.runs(sandbox) == 1)
    }

    @Test func expiryIsHonoured() async throws {
        let clock = Clock(ExecCredentialProvider.parseTimestamp("2030-01-01T00:00:00Z")!.addingTimeInterval(-3600))
        let (sandbox, loader) = try Self.setUp(expiry: "2030-01-01T00:00:00Z", clock: clock)
        defer { withExtendedLifetime(sandbox) {} }
        let client = try loader.clientConfig(flags: KubeFlags())
        #expect(try await client.credentials.credential() == .bearerToken("token-1"))
        #expect(try await client.credentials.credential() == .bearerToken("token-1"))
        clock.set(ExecCredentialProvider.parseTimestamp("2030-01-01T00:00:01Z")!)
        #expect(try await client.credentials.credential() == .bearerToken("token-2"))
        #expect(Self.runs(sandbox) == 2)
    }

    @Test func execInfoDescribesTheCluster() async throws {
        let (sandbox, loader) = try Self.setUp(apiVersion: "client.authentication.k8s.io/v1beta1", interactiveMode: nil)
        defer { withExtendedLifetime(sandbox) {} }
        let client = try loader.clientConfig(flags: KubeFlags())
        _ = try await client.credentials.credential()
        let info = try JSONValue.parse(try #require(sandbox.read("state/exec-info.json")))
        #expect(info["kind"] == "ExecCredential")
        #expect(info["apiVersion"] == "client.authentication.k8s.io/v1beta1")
        #expect(info["spec"]?["interactive"] == false, "stdin is not a terminal, so IfAvailable is not interactive")
        let cluster = try #require(info["spec"]?["cluster"])
        #expect(cluster["server"] == "https://c.example:6443")
        #expect(cluster["certificate-authority-data"] == .string(Data("CA".utf8).base64EncodedString()))
        #expect(cluster["config"] == ["audience": "sts"])
    }

    @Test func versionMismatchIsRejected() async throws {
        let (sandbox, loader) = try Self.setUp(returnedVersion: "client.authentication.k8s.io/v1beta1")
        defer { withExtendedLifetime(sandbox) {} }
        let client = try loader.clientConfig(flags: KubeFlags())
        await #expect(throws: KubeConfigError(.credentials, "getting credentials: exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1")) {
            try await client.credentials.credential()
        }
    }

    @Test func alwaysWithoutTerminalFails() async throws {
        let (sandbox, loader) = try Self.setUp(interactiveMode: "Always")
        defer { withExtendedLifetime(sandbox) {} }
        let client = try loader.clientConfig(flags: KubeFlags())
        await #expect(throws: KubeConfigError(.credentials, "getting credentials: exec plugin cannot support interactive mode: standard input is not a terminal")) {
            try await client.credentials.credential()
        }
        #expect(Self.runs(sandbox) == 0)
    }

    @Test func v1RequiresInteractiveMode() throws {
        let (sandbox, loader) = try Self.setUp(interactiveMode: nil)
        defer { withExtendedLifetime(sandbox) {} }
        #expect(throws: KubeConfigError(.invalidConfiguration, "interactiveMode must be specified for u to use exec authentication plugin")) {
            try loader.clientConfig(flags: KubeFlags())
        }
    }

    @Test func missingBinaryShowsInstallHint() async throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        try sandbox.write("config", KubeconfigFixture()
            .cluster("c", server: "https://c.example")
            .user("u", [("exec", ["apiVersion": "client.authentication.k8s.io/v1", "command": "no-such-plugin-xyz",
                                  "interactiveMode": "Never", "installHint": "brew install no-such-plugin-xyz"])])
            .context("x", cluster: "c", user: "u")
            .currentContext("x"))
        let client = try sandbox.loader(kubeconfig: ["config"]).clientConfig(flags: KubeFlags())
        do {
            _ = try await client.credentials.credential()
            Issue.record("must fail")
        } catch let error as KubeConfigError {
            // One line: what is missing and the kubeconfig's own hint.
            #expect(error.description == "getting credentials: exec plugin no-such-plugin-xyz not found on PATH; brew install no-such-plugin-xyz")
        }
    }

    @Test func failingPluginReportsExitCode() async throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let plugin = try sandbox.write("bin/fail", "#!/bin/sh\nexit 3\n", executable: true)
        try sandbox.write("config", KubeconfigFixture()
            .cluster("c", server: "https://c.example")
            .user("u", [("exec", ["apiVersion": "client.authentication.k8s.io/v1", "command": .string(plugin), "interactiveMode": "Never"])])
            .context("x", cluster: "c", user: "u")
            .currentContext("x"))
        let client = try sandbox.loader(kubeconfig: ["config"]).clientConfig(flags: KubeFlags())
        await #expect(throws: KubeConfigError(.credentials, "getting credentials: exec: executable \(plugin) failed with exit code 3")) {
            try await client.credentials.credential()
        }
    }

    /// A plugin that starts a child and never answers: `--request-timeout` bounds it, and its whole process group is
    /// killed (the child included), so nothing keeps running after the command.
    @Test func hungPluginIsStoppedAtTheRequestTimeoutWithItsChildren() async throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let (plugin, pidFile) = try Self.hangingPlugin(sandbox)
        let client = try sandbox.loader(kubeconfig: ["config"]).clientConfig(flags: KubeFlags(requestTimeout: "1s"))
        await #expect(throws: KubeConfigError(.credentials, "getting credentials: exec plugin \(plugin) did not answer within 1 s and was stopped (--request-timeout sets the bound; default 60 s)")) {
            try await client.credentials.credential()
        }
        #expect(try await Self.processEnds(pidFile: pidFile), "the plugin's child outlived it")
    }

    @Test func cancellingTheCommandStopsThePlugin() async throws {
        let sandbox = try Sandbox()
        defer { withExtendedLifetime(sandbox) {} }
        let (_, pidFile) = try Self.hangingPlugin(sandbox)
        let client = try sandbox.loader(kubeconfig: ["config"]).clientConfig(flags: KubeFlags())
        let waiting = Task { try await client.credentials.credential() }
        // Cancel once the plugin is running and has written its child's pid (not just created the file).
        func pidWritten() -> Bool { (try? String(contentsOfFile: pidFile, encoding: .utf8))?.hasSuffix("\n") ?? false }
        for _ in 0..<1000 where !pidWritten() { try await Task.sleep(nanoseconds: 10_000_000) }
        waiting.cancel()
        let result = await waiting.result
        guard case .failure(let error) = result else { Issue.record("credential() succeeded after cancel"); return }
        #expect(error is CancellationError, "\(error)")
        #expect(try await Self.processEnds(pidFile: pidFile), "the plugin's child outlived the cancelled command")
    }

    /// A kubeconfig whose exec plugin starts a child, writes its pid and never answers.
    static func hangingPlugin(_ sandbox: Sandbox) throws -> (plugin: String, pidFile: String) {
        let pidFile = sandbox.path("child.pid")
        let plugin = try sandbox.write("bin/hang", "#!/bin/sh\nsleep 300 &\necho $! > '\(pidFile)'\nwait\n", executable: true)
        try sandbox.write("config", KubeconfigFixture()
            .cluster("c", server: "https://c.example")
            .user("u", [("exec", ["apiVersion": "client.authentication.k8s.io/v1", "command": .string(plugin), "interactiveMode": "Never"])])
            .context("x", cluster: "c", user: "u")
            .currentContext("x"))
        return (plugin, pidFile)
    }

    /// Whether the process whose pid the plugin wrote ends (is gone or a zombie) within 10 s.
    static func processEnds(pidFile: String) async throws -> Bool {
        for _ in 0..<1000 {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
                if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return false
    }
}
