import Foundation
import HTTPTransport
import Testing
import TestSupport
@testable import OCI

/// A flux-style artifact built by hand with tar + gzip (the artifact builder is another module's job).
struct RegistryHandBuiltArtifact {
    let directory: URL
    let layerPath: String
    let layerDigest: String
    let layerSize: Int64
    let config: Data
    let manifest: Data
    var manifestDigest: String { SHA256Hasher.digest(of: manifest) }

    static func make(contentBytes: Int = 2048, revision: String = "main@sha1:1234", seed: String = "a") async throws -> RegistryHandBuiltArtifact {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("artifact-\(UUID().uuidString.prefix(8))")
        let content = directory.appendingPathComponent("content")
        try FileManager.default.createDirectory(at: content, withIntermediateDirectories: true)
        var bytes = Data(capacity: contentBytes)
        var state = UInt64(truncatingIfNeeded: seed.hashValue == 0 ? 1 : abs(seed.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
        // xorshift: incompressible content, so a large layer really is large on the wire.
        for _ in 0..<contentBytes {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            bytes.append(UInt8(truncatingIfNeeded: state))
        }
        try bytes.write(to: content.appendingPathComponent("data.bin"))
        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \(seed)\n".write(to: content.appendingPathComponent("cm.yaml"), atomically: true, encoding: .utf8)
        let tarPath = directory.appendingPathComponent("layer.tar").path
        let layerPath = directory.appendingPathComponent("layer.tar.gz").path
        let tar = try await ExternalTool.run("/usr/bin/tar", ["--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
                                                       "-C", content.path, "-cf", tarPath, "."])
        guard tar.status == 0 else { throw RegistryServerError("tar failed: \(tar.stderr)") }
        let diffID = SHA256Hasher.digest(of: try Data(contentsOf: URL(fileURLWithPath: tarPath)))
        let gzip = try await ExternalTool.run("/bin/gzip", ["-n", "-k", "-f", tarPath])
        guard gzip.status == 0 else { throw RegistryServerError("gzip failed: \(gzip.stderr)") }
        let layer = try Data(contentsOf: URL(fileURLWithPath: layerPath))
        let config = Data(#"{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":["\#(diffID)"]},"config":{}}"#.utf8)
        let manifest = Data("""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
        "config":{"mediaType":"application/vnd.cncf.flux.config.v1+json","size":\(config.count),"digest":"\(SHA256Hasher.digest(of: config))"},\
        "layers":[{"mediaType":"application/vnd.cncf.flux.content.v1.tar+gzip","size":\(layer.count),"digest":"\(SHA256Hasher.digest(of: layer))"}],\
        "annotations":{"org.opencontainers.image.created":"2025-01-15T13:50:15Z","org.opencontainers.image.revision":"\(revision)",\
        "org.opencontainers.image.source":"https://github.com/org/repo"}}
        """.utf8)
        return RegistryHandBuiltArtifact(directory: directory, layerPath: layerPath, layerDigest: SHA256Hasher.digest(of: layer),
                                 layerSize: Int64(layer.count), config: config, manifest: manifest)
    }

    func push(with client: RegistryClient, to reference: OCIReference, skipUnchanged: Bool = false) async throws -> RegistryPushResult {
        try await client.push(layerFile: layerPath, layerDigest: layerDigest, layerSize: layerSize, config: config,
                              manifest: manifest, to: reference, skipUnchanged: skipUnchanged)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

final class RegistryLogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}

enum RegistryHarness {
    static func client(for server: RegistryServer, credential: RegistryCredential = .anonymous, verbosity: Int = 0,
                       log: RegistryLogCapture? = nil, options: RegistryClientOptions = RegistryClientOptions(initialBackoff: 0.05),
                       probesScheme: Bool = false) throws -> RegistryClient {
        let caPEM = server.usesTLS ? try Data(contentsOf: URL(fileURLWithPath: server.caCertificatePath)) : nil
        var logger: (@Sendable (String) -> Void)?
        if let log { logger = { @Sendable line in log.append(line) } }
        let transportOptions = TransportOptions(caPEM: caPEM, connectTimeout: 5, requestTimeout: 120, verbosity: verbosity, log: logger)
        let curl = CurlTransport(options: transportOptions)
        let transport: any HTTPTransport = verbosity >= 6 ? LoggingTransport(wrapping: curl, options: transportOptions) : curl
        var clientOptions = options
        if clientOptions.log == nil { clientOptions.log = logger }
        var probe: (any HTTPTransport)?
        if probesScheme {
            var probeOptions = transportOptions
            probeOptions.insecureSkipTLSVerify = true
            probe = LoggingTransport(wrapping: CurlTransport(options: probeOptions), options: probeOptions)
        }
        return RegistryClient(transport: transport, credential: credential, options: clientOptions, schemeProbe: probe)
    }

    /// skopeo flags to read from `server` (`src` for copy, none for inspect).
    static func skopeoFlags(_ server: RegistryServer, prefix: String, creds: String?) -> [String] {
        var flags: [String] = []
        if server.usesTLS {
            flags.append("--\(prefix)cert-dir=\(server.skopeoCertDirectory)")
        } else {
            flags.append("--\(prefix)tls-verify=false")
        }
        if let creds { flags.append("--\(prefix)creds=\(creds)") }
        return flags
    }

    static func skopeoRawManifest(_ server: RegistryServer, _ repositoryAndTag: String, creds: String? = nil) async throws -> Data {
        let result = try await ExternalTool.run("/usr/bin/skopeo", ["inspect", "--raw"] + skopeoFlags(server, prefix: "", creds: creds)
                                          + ["docker://\(server.host)/\(repositoryAndTag)"], environment: skopeoEnvironment)
        guard result.status == 0 else { throw RegistryServerError("skopeo inspect failed: \(result.stderr)") }
        return result.stdout
    }

    /// Copies to a `dir:` layout and returns it (manifest.json + blobs named by hex digest).
    static func skopeoCopyToDirectory(_ server: RegistryServer, _ repositoryAndTag: String, creds: String? = nil) async throws -> URL {
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("skopeo-\(UUID().uuidString.prefix(8))")
        let result = try await ExternalTool.run("/usr/bin/skopeo", ["--insecure-policy", "copy"] + skopeoFlags(server, prefix: "src-", creds: creds)
                                          + ["docker://\(server.host)/\(repositoryAndTag)", "dir:\(destination.path)"], environment: skopeoEnvironment)
        guard result.status == 0 else { throw RegistryServerError("skopeo copy failed: \(result.stderr)") }
        return destination
    }

    /// No user auth files: skopeo must use only the credentials we pass.
    static var skopeoEnvironment: [String: String] {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("skopeo-home").path
        return ["PATH": "/usr/bin:/bin", "HOME": home, "REGISTRY_AUTH_FILE": home + "/auth.json"]
    }

    /// Pushes, then reads back with skopeo and compares manifest bytes, digest and blobs.
    static func pushAndVerify(_ server: RegistryServer, client: RegistryClient, repository: String, creds: String?) async throws {
        let artifact = try await RegistryHandBuiltArtifact.make(seed: repository)
        defer { artifact.remove() }
        let reference = try OCIReference(parsing: "oci://\(server.host)/\(repository):v1")
        let result = try await artifact.push(with: client, to: reference)
        #expect(result.digest == artifact.manifestDigest)
        #expect(!result.skipped)
        #expect(reference.pinned(to: result.digest) == "\(server.host)/\(repository)@\(artifact.manifestDigest)")

        let raw = try await skopeoRawManifest(server, "\(repository):v1", creds: creds)
        #expect(raw == artifact.manifest)
        let copied = try await skopeoCopyToDirectory(server, "\(repository):v1", creds: creds)
        defer { try? FileManager.default.removeItem(at: copied) }
        #expect(try Data(contentsOf: copied.appendingPathComponent("manifest.json")) == artifact.manifest)
        let layerName = String(artifact.layerDigest.dropFirst("sha256:".count))
        let configName = String(SHA256Hasher.digest(of: artifact.config).dropFirst("sha256:".count))
        #expect(try Data(contentsOf: copied.appendingPathComponent(layerName)) == Data(contentsOf: URL(fileURLWithPath: artifact.layerPath)))
        #expect(try Data(contentsOf: copied.appendingPathComponent(configName)) == artifact.config)
    }
}

@Suite(.serialized) struct RegistryIntegrationTests {
    @Test func pushOverPlainHTTPReadsBackWithSkopeo() async throws {
        let server = try await RegistryServer.start(.plainHTTP)
        defer { server.cleanUp() }
        let log = RegistryLogCapture()
        // Loopback: HTTPS is tried first and falls back to plain HTTP.
        let client = try RegistryHarness.client(for: server, log: log)
        try await RegistryHarness.pushAndVerify(server, client: client, repository: "plain/app", creds: nil)
        #expect(log.text.contains("using plain HTTP"))
    }

    @Test func schemeProbeSendsNoRealRequestOverHTTPSToAPlainLoopbackRegistry() async throws {
        let server = try await RegistryServer.start(.plainHTTP)
        defer { server.cleanUp() }
        let log = RegistryLogCapture()
        let client = try RegistryHarness.client(for: server, verbosity: 6, log: log, probesScheme: true)
        try await RegistryHarness.pushAndVerify(server, client: client, repository: "probed/app", creds: nil)
        let httpsLines = log.text.split(separator: "\n").filter { $0.contains("https://") }
        #expect(!httpsLines.isEmpty && httpsLines.allSatisfy { $0.hasPrefix("GET https://\(server.host)/v2/ ") }, "\(httpsLines)")
        #expect(log.text.components(separatedBy: "using plain HTTP").count == 2, "one probe, one switch")
    }

    @Test func schemeProbeKeepsVerifiedHTTPSForATLSLoopbackRegistry() async throws {
        let server = try await RegistryServer.start(.basicAuthTLS(users: ["alice": "wonderland"]))
        defer { server.cleanUp() }
        let log = RegistryLogCapture()
        let client = try RegistryHarness.client(for: server, credential: .basic(username: "alice", password: "wonderland"),
                                                verbosity: 6, log: log, probesScheme: true)
        try await RegistryHarness.pushAndVerify(server, client: client, repository: "probed/tls", creds: "alice:wonderland")
        #expect(!log.text.contains("using plain HTTP"))
        #expect(!log.text.contains("http://"))
        // The probe was answered (401 without credentials) and told us nothing else.
        #expect(log.text.contains("GET https://\(server.host)/v2/ 401"), "\(log.text.prefix(600))")
    }

    @Test func pushWithBasicAuthOverTLSUsingCredentialHelper() async throws {
        let server = try await RegistryServer.start(.basicAuthTLS(users: ["alice": "wonderland"]))
        defer { server.cleanUp() }
        // Credentials come from a docker config naming docker-credential-test, as a user's machine would.
        let home = server.directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".docker"), withIntermediateDirectories: true)
        try #"{"credHelpers":{"\#(server.host)":"test"}}"#.write(to: home.appendingPathComponent(".docker/config.json"), atomically: true, encoding: .utf8)
        let store = server.directory.appendingPathComponent("store.json")
        try #"{"\#(server.host)":{"Username":"alice","Secret":"wonderland"}}"#.write(to: store, atomically: true, encoding: .utf8)
        let keychain = RegistryKeychain(environment: ["PATH": RegistryServer.supportDirectory.path + ":/usr/bin:/bin", "TEST_CREDENTIALS_FILE": store.path],
                                        homeDirectory: home.path)
        let reference = try OCIReference(parsing: "oci://\(server.host)/secure/app")
        let credential = try keychain.credential(for: reference)
        #expect(credential == .basic(username: "alice", password: "wonderland"))
        let client = try RegistryHarness.client(for: server, credential: credential)
        try await client.ping(reference)
        try await RegistryHarness.pushAndVerify(server, client: client, repository: "secure/app", creds: "alice:wonderland")

        // Wrong password: one line, no secret in it.
        let wrong = try RegistryHarness.client(for: server, credential: .basic(username: "alice", password: "not-it"))
        let artifact = try await RegistryHandBuiltArtifact.make(seed: "wrong")
        defer { artifact.remove() }
        do {
            _ = try await artifact.push(with: wrong, to: reference)
            Issue.record("push with a wrong password succeeded")
        } catch let error as RegistryError {
            #expect(error.kind == .unauthorized)
            #expect(error.description.hasPrefix("push to \(server.host)/secure/app failed: "))
            #expect(!error.description.contains("not-it"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func untrustedCertificateFailsUnlessInsecure() async throws {
        let server = try await RegistryServer.start(.basicAuthTLS(users: ["alice": "wonderland"]))
        defer { server.cleanUp() }
        let reference = try OCIReference(parsing: "oci://\(server.host)/insecure/app:v1")
        let keychain = RegistryKeychain(explicitCreds: "alice:wonderland", environment: [:], homeDirectory: server.directory.path)
        // The system store does not trust the test CA: the HTTPS error is reported, not a plain-HTTP 400.
        let strict = try RegistryClient.live(for: reference, keychain: keychain)
        do {
            try await strict.ping(reference)
            Issue.record("an untrusted certificate was accepted")
        } catch let error as RegistryError {
            #expect(error.kind == .transport)
            #expect(error.status == nil)
            #expect(error.description.hasPrefix("GET /v2/: "))
            #expect(error.transportKind == .tls)
        }
        #expect(server.requestCount(method: "GET") == 0)
        let insecure = try RegistryClient.live(for: reference, keychain: keychain, insecure: true)
        let artifact = try await RegistryHandBuiltArtifact.make(seed: "insecure")
        defer { artifact.remove() }
        #expect(try await artifact.push(with: insecure, to: reference).digest == artifact.manifestDigest)
        await #expect(try RegistryHarness.skopeoRawManifest(server, "insecure/app:v1", creds: "alice:wonderland") == artifact.manifest)
    }

    @Test func pushWithTokenAuthBasicAndIdentityTokenAndPullOnlyUser() async throws {
        let config = RegistryServer.TokenAuthConfig(
            users: ["bob": (password: "builder", grants: ["*": ["pull", "push"]]),
                    "reader": (password: "readonly", grants: ["*": ["pull"]])],
            refreshTokens: ["refresh-bob": "bob"], tokenField: "access_token")
        let server = try await RegistryServer.start(.tokenAuth(config))
        defer { server.cleanUp() }
        let bob = try RegistryHarness.client(for: server, credential: .basic(username: "bob", password: "builder"))
        func bobTokenCount() -> Int { server.tokenLogText.components(separatedBy: "GET token user=bob").count - 1 }
        let extra = try await RegistryHandBuiltArtifact.make(seed: "token-count")
        defer { extra.remove() }
        let before = bobTokenCount()
        _ = try await extra.push(with: bob, to: try OCIReference(parsing: "oci://\(server.host)/token/count:v1"))
        // Push scope was asked for up front: one token for the whole push (HEADs, uploads, manifest).
        #expect(bobTokenCount() - before == 1)
        try await RegistryHarness.pushAndVerify(server, client: bob, repository: "token/app", creds: "bob:builder")

        let identity = try RegistryHarness.client(for: server, credential: .identityToken("refresh-bob"))
        try await RegistryHarness.pushAndVerify(server, client: identity, repository: "token/identity", creds: "bob:builder")
        #expect(server.tokenLogText.contains("POST token user=bob via=refresh_token"))

        let reader = try RegistryHarness.client(for: server, credential: .basic(username: "reader", password: "readonly"))
        let artifact = try await RegistryHandBuiltArtifact.make(seed: "reader")
        defer { artifact.remove() }
        let reference = try OCIReference(parsing: "oci://\(server.host)/token/app:v2")
        do {
            _ = try await artifact.push(with: reader, to: reference)
            Issue.record("a pull-only user could push")
        } catch let error as RegistryError {
            #expect(error.kind == .unauthorized)
            #expect(error.description.hasPrefix("push to \(server.host)/token/app failed: "))
        }
        // The reader can still read what bob pushed.
        #expect(try await reader.getManifest(try OCIReference(parsing: "oci://\(server.host)/token/app:v1")) != nil)
    }

    @Test func rePushSkipsExistingBlobsAndSkipUnchangedLeavesTag() async throws {
        let server = try await RegistryServer.start(.plainHTTP)
        defer { server.cleanUp() }
        let client = try RegistryHarness.client(for: server, options: RegistryClientOptions(plainHTTP: true))
        let artifact = try await RegistryHandBuiltArtifact.make(seed: "repush")
        defer { artifact.remove() }
        let reference = try OCIReference(parsing: "oci://\(server.host)/repush/app:v1")
        _ = try await artifact.push(with: client, to: reference)
        let blobPutsAfterFirst = server.requestCount(method: "PUT", pathContains: "/blobs/uploads/")
        let postsAfterFirst = server.requestCount(method: "POST", pathContains: "/blobs/uploads/")
        #expect(blobPutsAfterFirst == 2)
        let committed = server.committedBlobUploads()
        #expect(Set(committed.map(\.digest)) == [artifact.layerDigest, SHA256Hasher.digest(of: artifact.config)])
        #expect(committed.map(\.size).reduce(0, +) == artifact.layerSize + Int64(artifact.config.count))
        #expect(postsAfterFirst == 2)

        // Same blobs under another tag: HEAD finds them, only the manifest is written.
        let second = try await artifact.push(with: client, to: reference.withTag("v2"))
        #expect(second.digest == artifact.manifestDigest)
        #expect(server.requestCount(method: "PUT", pathContains: "/blobs/uploads/") == blobPutsAfterFirst)
        #expect(server.requestCount(method: "POST", pathContains: "/blobs/uploads/") == postsAfterFirst)
        #expect(server.requestCount(method: "HEAD", pathContains: "/blobs/") >= 4)

        // Same content with new annotations: skipUnchanged compares diff_ids and writes nothing.
        let relabelled = try await RegistryHandBuiltArtifact.make(revision: "main@sha1:5678", seed: "repush")
        defer { relabelled.remove() }
        #expect(relabelled.manifestDigest != artifact.manifestDigest)
        let manifestPuts = server.requestCount(method: "PUT", pathContains: "/manifests/")
        let skipped = try await relabelled.push(with: client, to: reference, skipUnchanged: true)
        #expect(skipped.skipped)
        #expect(skipped.digest == artifact.manifestDigest)
        #expect(server.requestCount(method: "PUT", pathContains: "/manifests/") == manifestPuts)
        // Changed content is pushed.
        let changed = try await RegistryHandBuiltArtifact.make(contentBytes: 4096, seed: "repush-changed")
        defer { changed.remove() }
        let pushed = try await changed.push(with: client, to: reference, skipUnchanged: true)
        #expect(!pushed.skipped)
        #expect(try await client.headManifest(reference)?.digest == changed.manifestDigest)
    }

    @Test func tagListAndPullWithDigestCheck() async throws {
        let server = try await RegistryServer.start(.plainHTTP)
        defer { server.cleanUp() }
        let progress = RegistryRecorder()
        let client = try RegistryHarness.client(for: server, options: RegistryClientOptions(plainHTTP: true, progress: { progress.append(Double($0.bytes)) }))
        let base = try OCIReference(parsing: "oci://\(server.host)/list/app")
        var digests: [String: String] = [:]
        for (index, version) in ["1.0.0", "1.2.0", "2.0.0"].enumerated() {
            let artifact = try await RegistryHandBuiltArtifact.make(revision: "v\(version)@sha1:\(index)", seed: "list-\(version)")
            defer { artifact.remove() }
            digests[version] = try await artifact.push(with: client, to: base.withTag(version)).digest
        }
        let tagged = try await client.tag(base.withTag("2.0.0"), as: ["latest", "stable"])
        #expect(tagged == digests["2.0.0"])
        await #expect(try RegistryHandBuiltArtifact.digestOf(RegistryHarness.skopeoRawManifest(server, "list/app:stable")) == digests["2.0.0"])

        // Debian's registry 2.8 ignores `n` and sends one page (tag pagination came with distribution 3);
        // Link-header paging is covered by RegistryClientUnitTests.tagsFollowLinkPagination.
        #expect(try await client.listTags(base, pageSize: 2).sorted() == ["1.0.0", "1.2.0", "2.0.0", "latest", "stable"])
        let all = try await client.listArtifacts(base, pageSize: 2)
        #expect(all.map(\.tag) == ["stable", "latest", "2.0.0", "1.2.0", "1.0.0"])
        #expect(all.first { $0.tag == "1.2.0" }?.revision == "v1.2.0@sha1:1")
        #expect(all.first { $0.tag == "1.2.0" }?.digest == digests["1.2.0"])
        #expect(all.allSatisfy { $0.source == "https://github.com/org/repo" && $0.created == "2025-01-15T13:50:15Z" })
        #expect(try await client.listArtifacts(base, semver: ">=1.0.0 <2.0.0").map(\.tag) == ["1.2.0", "1.0.0"])
        #expect(try await client.listArtifacts(base, regex: "^1\\.").map(\.tag) == ["1.2.0", "1.0.0"])

        let output = server.directory.appendingPathComponent("pulled.tgz").path
        let pulled = try await client.pull(base.withTag("1.2.0"), to: output)
        #expect(pulled.manifestDigest == digests["1.2.0"])
        #expect(pulled.annotations["org.opencontainers.image.revision"] == "v1.2.0@sha1:1")
        #expect(SHA256Hasher.digest(of: try Data(contentsOf: URL(fileURLWithPath: output))) == pulled.layer.digest)
        #expect(progress.values.last == Double(pulled.layer.size))

        // A digest reference that does not exist: 404 → a typed not-found error.
        do {
            _ = try await client.pull(base.withDigest("sha256:" + String(repeating: "0", count: 64)), to: output + ".missing")
            Issue.record("pull of a missing digest succeeded")
        } catch let error as RegistryError {
            #expect(error.kind == .notFound)
            #expect(error.description.hasPrefix("pull from \(server.host)/list/app failed: "))
        }
    }

    @Test func registryErrorsAreOneLine() async throws {
        let server = try await RegistryServer.start(.plainHTTP)
        defer { server.cleanUp() }
        let client = try RegistryHarness.client(for: server, options: RegistryClientOptions(plainHTTP: true))
        let artifact = try await RegistryHandBuiltArtifact.make(seed: "errors")
        defer { artifact.remove() }
        let reference = try OCIReference(parsing: "oci://\(server.host)/errors/app:v1")
        // The manifest alone, without its blobs: the registry refuses it.
        do {
            try await client.putManifest(artifact.manifest, mediaType: "application/vnd.oci.image.manifest.v1+json", to: reference)
            Issue.record("manifest without blobs was accepted")
        } catch let error as RegistryError {
            #expect(error.operation == "PUT manifest")
            #expect(error.code == "MANIFEST_BLOB_UNKNOWN")
            #expect(error.description.hasPrefix("PUT manifest: MANIFEST_BLOB_UNKNOWN: "))
            #expect(!error.description.contains("\n"))
        }
        #expect(try await client.getManifest(reference) == nil)
        #expect(try await client.headManifest(reference) == nil)
    }

    @Test func killedRegistryMidUploadKeepsOldTagAndRerunSucceeds() async throws {
        let server = try await RegistryServer.start(.plainHTTP)
        defer { server.cleanUp() }
        let reference = try OCIReference(parsing: "oci://\(server.host)/crash/app:v1")
        let small = try await RegistryHandBuiltArtifact.make(seed: "crash-old")
        defer { small.remove() }
        let plain = try RegistryHarness.client(for: server, options: RegistryClientOptions(plainHTTP: true))
        let oldDigest = try await small.push(with: plain, to: reference).digest

        let large = try await RegistryHandBuiltArtifact.make(contentBytes: 48 * 1024 * 1024, seed: "crash-new")
        defer { large.remove() }
        let killed = RegistryCounter()
        let killer = try RegistryHarness.client(for: server, options: RegistryClientOptions(
            plainHTTP: true, maxAttempts: 2, initialBackoff: 0.05,
            progress: { progress in
                // Kill once, a few MiB into the layer upload.
                if progress.total == large.layerSize, progress.bytes > 4 * 1024 * 1024, killed.value == 0 {
                    killed.increment()
                    server.kill()
                }
            }))
        do {
            _ = try await large.push(with: killer, to: reference)
            Issue.record("push survived a killed registry")
        } catch let error as RegistryError {
            #expect(error.description.hasPrefix("push to \(server.host)/crash/app failed: "))
        }
        #expect(killed.value == 1)

        try server.restart()
        #expect(try await plain.headManifest(reference)?.digest == oldDigest)
        await #expect(try RegistryHandBuiltArtifact.digestOf(RegistryHarness.skopeoRawManifest(server, "crash/app:v1")) == oldDigest)
        let rerun = try await large.push(with: plain, to: reference)
        #expect(rerun.digest == large.manifestDigest)
        #expect(try await plain.headManifest(reference)?.digest == large.manifestDigest)
    }

    @Test func credentialsNeverAppearInVerboseLogs() async throws {
        let config = RegistryServer.TokenAuthConfig(users: ["carol": (password: "s3cr3t-pass", grants: ["*": ["pull", "push"]])],
                                                    refreshTokens: ["refresh-carol-secret": "carol"])
        let server = try await RegistryServer.start(.tokenAuth(config))
        defer { server.cleanUp() }
        for credential in [RegistryCredential.basic(username: "carol", password: "s3cr3t-pass"), .identityToken("refresh-carol-secret")] {
            let log = RegistryLogCapture()
            let client = try RegistryHarness.client(for: server, credential: credential, verbosity: 9, log: log)
            let artifact = try await RegistryHandBuiltArtifact.make(seed: "verbose")
            defer { artifact.remove() }
            _ = try await artifact.push(with: client, to: try OCIReference(parsing: "oci://\(server.host)/verbose/app:v1"))
            let text = log.text
            #expect(text.contains("/v2/verbose/app/manifests/v1"), "verbose log should show requests")
            #expect(!text.contains("s3cr3t-pass"))
            #expect(!text.contains("refresh-carol-secret"))
            #expect(!text.contains(Data("carol:s3cr3t-pass".utf8).base64EncodedString()))
            #expect(!text.contains("eyJ"), "a JWT leaked into the log")
        }
    }
}

extension RegistryHandBuiltArtifact {
    static func digestOf(_ data: Data) -> String { SHA256Hasher.digest(of: data) }
}
