import Foundation
import Testing
import TestSupport
@testable import GitOpsCLI

// Helpers shared by the artifact command tests (real docker-registry, skopeo as the independent client), and the
// pure pieces of the commands: progress bar text, sizes, diff rendering.

/// A registry for one test with what the CLI and skopeo need to talk to it.
struct ArtifactRegistry {
    let server: RegistryServer
    /// CLI flags for this registry (credentials, TLS).
    let cliFlags: [String]
    /// `user:pass` for skopeo, nil when anonymous.
    let skopeoCreds: String?

    var host: String { server.host }

    static func plain() async throws -> ArtifactRegistry {
        ArtifactRegistry(server: try await RegistryServer.start(.plainHTTP), cliFlags: [], skopeoCreds: nil)
    }

    /// TLS with a CA the system does not trust: the CLI needs --insecure-registry, skopeo gets the CA.
    static func basicAuthTLS(user: String = "alice", password: String = "wonderland") async throws -> ArtifactRegistry {
        ArtifactRegistry(server: try await RegistryServer.start(.basicAuthTLS(users: [user: password])),
                         cliFlags: ["--creds", "\(user):\(password)", "--insecure-registry"], skopeoCreds: "\(user):\(password)")
    }

    static func tokenAuth(user: String = "bob", password: String = "builder") async throws -> ArtifactRegistry {
        let config = RegistryServer.TokenAuthConfig(users: [user: (password: password, grants: ["*": ["pull", "push"]])])
        return ArtifactRegistry(server: try await RegistryServer.start(.tokenAuth(config)),
                                cliFlags: ["--creds", "\(user):\(password)"], skopeoCreds: "\(user):\(password)")
    }

    func url(_ repositoryAndTag: String) -> String { "oci://\(host)/\(repositoryAndTag)" }

    func skopeoFlags(prefix: String) -> [String] {
        var flags = server.usesTLS ? ["--\(prefix)cert-dir=\(server.skopeoCertDirectory)"] : ["--\(prefix)tls-verify=false"]
        if let skopeoCreds { flags.append("--\(prefix)creds=\(skopeoCreds)") }
        return flags
    }

    /// The manifest bytes as skopeo reads them.
    func rawManifest(_ repositoryAndTag: String) async throws -> Data {
        let result = try await ExternalTool.run("/usr/bin/skopeo", ["inspect", "--raw"] + skopeoFlags(prefix: "")
                                          + ["docker://\(host)/\(repositoryAndTag)"], environment: Self.skopeoEnvironment)
        guard result.status == 0 else { throw RegistryServerError("skopeo inspect failed: \(result.stderr)") }
        return result.stdout
    }

    /// `skopeo copy` to a `dir:` layout (manifest.json + blobs named by hex digest).
    func copyToDirectory(_ repositoryAndTag: String) async throws -> String {
        let destination = CLITestPaths.temporaryDirectory("skopeo") + "/copy"
        let result = try await ExternalTool.run("/usr/bin/skopeo", ["--insecure-policy", "copy"] + skopeoFlags(prefix: "src-")
                                          + ["docker://\(host)/\(repositoryAndTag)", "dir:\(destination)"], environment: Self.skopeoEnvironment)
        guard result.status == 0 else { throw RegistryServerError("skopeo copy failed: \(result.stderr)") }
        return destination
    }

    static var skopeoEnvironment: [String: String] {
        let home = NSTemporaryDirectory() + "artifact-cli-skopeo-home"
        return ["PATH": "/usr/bin:/bin", "HOME": home, "REGISTRY_AUTH_FILE": home + "/auth.json"]
    }

    /// Requests that could change anything: blob uploads and manifest PUTs.
    var writeRequestCount: Int {
        server.requestCount(method: "POST") + server.requestCount(method: "PATCH") + server.requestCount(method: "PUT")
    }

    var totalRequestCount: Int {
        ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"].map { server.requestCount(method: $0) }.reduce(0, +)
    }
}

/// The decoded manifest fields the tests look at.
struct ArtifactManifestView {
    var configDigest: String
    var layerMediaType: String
    var layerDigest: String
    var layerSize: Int
    var annotations: [String: String]

    init(_ data: Data) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let config = try #require(object["config"] as? [String: Any])
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(layers.count == 1)
        configDigest = try #require(config["digest"] as? String)
        layerMediaType = try #require(layers[0]["mediaType"] as? String)
        layerDigest = try #require(layers[0]["digest"] as? String)
        layerSize = try #require(layers[0]["size"] as? Int)
        annotations = object["annotations"] as? [String: String] ?? [:]
    }
}

/// One tar entry as Python's tarfile (an independent reader) sees it.
struct ArtifactTarEntry: Equatable {
    var name: String
    var type: String
    var mode: Int
    var mtime: Int
    var uid: Int
    var gid: Int
    var uname: String
    var gname: String
    var size: Int
}

enum ArtifactCLITest {
    /// Lists a `.tar.gz` file's entries with Python's tarfile.
    static func tarEntries(gzipFile path: String) async throws -> [ArtifactTarEntry] {
        let script = """
        import sys, tarfile, json
        with tarfile.open(sys.argv[1], mode="r:gz") as t:
            print(json.dumps([[m.name, m.type.decode(), m.mode, m.mtime, m.uid, m.gid, m.uname, m.gname, m.size] for m in t]))
        """
        let result = try await ExternalTool.run("/usr/bin/env", ["python3", "-c", script, path])
        guard result.status == 0 else { throw RegistryServerError("python tarfile failed: \(result.stderr)") }
        let rows = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[Any]])
        return rows.map { row in
            ArtifactTarEntry(name: row[0] as? String ?? "", type: row[1] as? String ?? "", mode: row[2] as? Int ?? -1,
                             mtime: row[3] as? Int ?? -1, uid: row[4] as? Int ?? -1, gid: row[5] as? Int ?? -1,
                             uname: row[6] as? String ?? "?", gname: row[7] as? String ?? "?", size: row[8] as? Int ?? -1)
        }
    }

    /// A small tree: two YAML files, a nested one and an executable script.
    static func sampleTree(_ label: String = "tree") throws -> String {
        let root = CLITestPaths.temporaryDirectory(label) + "/content"
        try FileManager.default.createDirectory(atPath: root + "/apps", withIntermediateDirectories: true)
        try "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n".write(toFile: root + "/namespace.yaml", atomically: true, encoding: .utf8)
        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: info\n".write(toFile: root + "/apps/app.yaml", atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho hello\n".write(toFile: root + "/run.sh", atomically: true, encoding: .utf8)
        chmod(root, 0o755)
        chmod(root + "/apps", 0o755)
        chmod(root + "/namespace.yaml", 0o644)
        chmod(root + "/apps/app.yaml", 0o644)
        chmod(root + "/run.sh", 0o755)
        return root
    }

    /// `HOST/REPO@sha256:<hex>` out of the success line.
    static func pushedDigest(_ stderr: String) -> String? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("✔ artifact successfully pushed to ") }),
              let at = line.range(of: "@sha256:") else { return nil }
        let hex = line[at.upperBound...]
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit }) else { return nil }
        return "sha256:" + hex
    }

    static func sha256(ofFile path: String) async throws -> String {
        let result = try await ExternalTool.run("/usr/bin/sha256sum", [path])
        return "sha256:" + String(decoding: result.stdout.prefix(64), as: UTF8.self)
    }
}

@Suite struct ArtifactHarnessTests {
    @Test func progressLineShowsBytesRateAndETA() {
        let line = ProgressBar.render(label: "uploading", bytes: 12 << 20, total: 48 << 20, elapsed: 2)
        #expect(line == "uploading  12.0 MiB / 48.0 MiB  25%  6.0 MiB/s  ETA 6s")
        #expect(ProgressBar.render(label: "downloading", bytes: 512, total: nil, elapsed: 0.1) == "downloading  512 B")
        #expect(ProgressBar.duration(125) == "2m05s")
        #expect(ProgressBar.duration(3 * 3600 + 61) == "3h01m")
    }

    @Test func progressBarDrawsOnlyOnATerminalAndClearsItsLine() {
        let terminalErr = BufferSink()
        let terminal = Console(stdout: BufferSink(), stderr: terminalErr, stderrIsTerminal: true)
        let clock = ArtifactTestClock()
        let bar = ProgressBar(console: terminal, label: "uploading", now: { clock.now })
        bar.update(digest: "sha256:a", bytes: 0, total: 100)
        clock.now = 0.05
        bar.update(digest: "sha256:a", bytes: 10, total: 100) // throttled: within 0.1 s of the last draw
        clock.now = 0.5
        bar.update(digest: "sha256:a", bytes: 100, total: 100)
        bar.finish()
        #expect(terminalErr.text == "\ruploading  0 B / 100 B  0%\u{1B}[K\ruploading  100 B / 100 B  100%  200 B/s\u{1B}[K\r\u{1B}[K")
        #expect(ProgressBar.make(console: Console(stdout: BufferSink(), stderr: BufferSink()), label: "x") == nil)
    }

    @Test func sizesAcceptUnitsAndRejectGarbage() throws {
        #expect(try ByteSize.parse("100MiB", flag: "--max-size") == 100 << 20)
        #expect(try ByteSize.parse("1Gi", flag: "--max-size") == 1 << 30)
        #expect(try ByteSize.parse("4096", flag: "--max-size") == 4096)
        #expect(throws: ArtifactUsageError.self) { try ByteSize.parse("lots", flag: "--max-size") }
        #expect(throws: ArtifactUsageError.self) { try ByteSize.parse("0", flag: "--max-size") }
    }
}

final class ArtifactTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: TimeInterval = 0
    var now: TimeInterval {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// Completion reads the artifact commands from the tree: subcommands, `-o` values, path-like options.
@Suite struct ArtifactCompletionTests {
    struct NoLiveValues: CompletionValueProvider {
        func candidates(for request: DynamicValues, scope: CompletionScope) async -> [CompletionCandidate] { [] }
    }

    @Test func artifactCommandsComplete() async {
        let engine = CompletionEngine(provider: NoLiveValues())
        #expect(await engine.complete(["push", ""]).values == ["artifact"])
        #expect(await engine.complete(["list", ""]).values == ["artifacts"])
        #expect(await engine.complete(["push", "artifact", "-o", ""]).values == ["json", "yaml"])
        #expect(await engine.complete(["list", "artifacts", "--output", ""]).values == ["table", "json", "yaml"])
        #expect(await engine.complete(["pull", "artifact", "-o", ""]).directive == .filterDirectories)
        #expect(await engine.complete(["build", "artifact", "-o", ""]) == CompletionResult([CompletionCandidate("tgz"), CompletionCandidate("gz")], directive: .filterFileExtensions))
        #expect(await engine.complete(["push", "artifact", "--path", ""]).directive == .default)
        let flags = await engine.complete(["push", "artifact", "--"]).values
        for flag in ["--path", "--source", "--revision", "--annotations", "--reproducible", "--skip-unchanged", "--creds", "--insecure-registry", "--ignore-paths"] {
            #expect(flags.contains(flag), "\(flag)")
        }
    }
}
