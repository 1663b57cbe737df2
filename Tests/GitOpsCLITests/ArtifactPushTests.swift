import Foundation
import Testing
import TestSupport
@testable import GitOpsCLI

/// `push artifact` through the CLI against a real docker-registry in each auth mode, read back with skopeo.
@Suite(.serialized) struct ArtifactPushTests {
    /// Pushes a directory, a single file and stdin, then checks each with skopeo: manifest bytes and digest,
    /// annotations, and the layer's tar entries and header fields as Python's tarfile reads them.
    func pushThreeSources(_ registry: ArtifactRegistry, repository: String) async throws {
        let tree = try ArtifactCLITest.sampleTree(repository.replacingOccurrences(of: "/", with: "-"))
        let common = ["--source", "https://github.com/org/app", "--revision", "main@sha1:0123abcd"] + registry.cliFlags

        let directory = await runCLI(["push", "artifact", registry.url("\(repository):dir"), "--path", tree] + common)
        #expect(directory.code == 0, "\(directory.stderr)")
        #expect(directory.stderr.contains("► pushing artifact to \(registry.host)/\(repository):dir\n"))
        let directoryDigest = try #require(ArtifactCLITest.pushedDigest(directory.stderr), "\(directory.stderr)")
        #expect(directory.stderr.contains("✔ artifact successfully pushed to \(registry.host)/\(repository)@\(directoryDigest)\n"))
        #expect(directory.stdout.isEmpty)
        try await checkPushed(registry, "\(repository):dir", digest: directoryDigest, entries: [
            (".", "5", 0o755), ("apps", "5", 0o755), ("apps/app.yaml", "0", 0o644), ("namespace.yaml", "0", 0o644), ("run.sh", "0", 0o755),
        ])

        let file = await runCLI(["push", "artifact", registry.url("\(repository):file"), "-f", "namespace.yaml"] + common,
                                workingDirectory: tree)
        #expect(file.code == 0, "\(file.stderr)")
        let fileDigest = try #require(ArtifactCLITest.pushedDigest(file.stderr))
        try await checkPushed(registry, "\(repository):file", digest: fileDigest, entries: [(".", "5", 0o755), ("namespace.yaml", "0", 0o644)])

        let stdin = await runCLI(["push", "artifact", registry.url("\(repository):stdin"), "--path=-"] + common,
                                 stdin: Data("kind: ConfigMap\r\n\n".utf8))
        #expect(stdin.code == 0, "\(stdin.stderr)")
        let stdinDigest = try #require(ArtifactCLITest.pushedDigest(stdin.stderr))
        let copied = try await checkPushed(registry, "\(repository):stdin", digest: stdinDigest, entries: [(".", "5", 0o755), ("resources.yaml", "0", 0o644)])
        // Trailing CR/LF trimmed, as flux does.
        let extracted = try await ExternalTool.run("/usr/bin/env", ["python3", "-c",
            "import sys,tarfile; t=tarfile.open(sys.argv[1]); sys.stdout.buffer.write(t.extractfile('resources.yaml').read())", copied])
        #expect(String(decoding: extracted.stdout, as: UTF8.self) == "kind: ConfigMap")
    }

    /// Reads the pushed artifact back with skopeo and checks it; returns the layer file of the copy.
    @discardableResult
    func checkPushed(_ registry: ArtifactRegistry, _ repositoryAndTag: String, digest: String,
                     entries expected: [(String, String, Int)]) async throws -> String {
        let raw = try await registry.rawManifest(repositoryAndTag)
        await #expect(try ArtifactCLITest.sha256(ofData: raw) == digest)
        let manifest = try ArtifactManifestView(raw)
        #expect(manifest.layerMediaType == "application/vnd.cncf.flux.content.v1.tar+gzip")
        #expect(manifest.annotations["org.opencontainers.image.source"] == "https://github.com/org/app")
        #expect(manifest.annotations["org.opencontainers.image.revision"] == "main@sha1:0123abcd")
        #expect(manifest.annotations["org.opencontainers.image.created"].map { $0.hasSuffix("Z") && $0.count == 20 } == true)

        let copy = try await registry.copyToDirectory(repositoryAndTag)
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy + "/manifest.json")) == raw)
        let layer = copy + "/" + manifest.layerDigest.dropFirst("sha256:".count)
        await #expect(try ArtifactCLITest.sha256(ofFile: layer) == manifest.layerDigest)
        let entries = try await ArtifactCLITest.tarEntries(gzipFile: layer)
        #expect(entries.map(\.name) == expected.map(\.0))
        #expect(entries.map(\.type) == expected.map(\.1))
        #expect(entries.map(\.mode) == expected.map(\.2))
        for entry in entries {
            #expect(entry.mtime == 0 && entry.uid == 0 && entry.gid == 0 && entry.uname.isEmpty && entry.gname.isEmpty, "\(entry)")
        }
        // The config records the uncompressed tar digest (rootfs.diff_ids), which --skip-unchanged relies on.
        let config = try Data(contentsOf: URL(fileURLWithPath: copy + "/" + manifest.configDigest.dropFirst("sha256:".count)))
        let tar = try await ExternalTool.run("/bin/bash", ["-c", "gzip -dc '\(layer)' | sha256sum"])
        let diffID = "sha256:" + String(decoding: tar.stdout.prefix(64), as: UTF8.self)
        #expect(String(decoding: config, as: UTF8.self).contains("\"diff_ids\":[\"\(diffID)\"]"))
        return layer
    }

    @Test func pushesDirectoryFileAndStdinOverPlainHTTP() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        try await pushThreeSources(registry, repository: "plain/app")
        // Each layer streamed into its upload session while it was being built (one PATCH per push), and the
        // read-back above shows the committed bytes are the layer.
        #expect(registry.server.requestCount(method: "PATCH") >= 3)
    }

    @Test func pushesDirectoryFileAndStdinWithBasicAuthOverTLS() async throws {
        let registry = try await ArtifactRegistry.basicAuthTLS()
        defer { registry.server.cleanUp() }
        try await pushThreeSources(registry, repository: "tls/app")
        // Without credentials the registry refuses, in one line.
        let refused = await runCLI(["push", "artifact", registry.url("tls/app:anon"), "-f", try ArtifactCLITest.sampleTree(),
                                    "--source", "s", "--revision", "r", "--insecure-registry"])
        #expect(refused.code == 1)
        #expect(refused.stderr.hasSuffix("\n") && refused.stderr.split(separator: "\n").last?.hasPrefix("✗ push to \(registry.host)/tls/app failed: ") == true, "\(refused.stderr)")
    }

    @Test func pushesDirectoryFileAndStdinWithTokenAuth() async throws {
        let registry = try await ArtifactRegistry.tokenAuth()
        defer { registry.server.cleanUp() }
        try await pushThreeSources(registry, repository: "token/app")
        #expect(registry.server.tokenLogText.contains("user=bob"))
    }

    @Test func reproducibleAndSourceDateEpochFixTheDigest() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("repro")
        let flags = ["--path", tree, "--source", "https://github.com/org/app", "--revision", "v1"]
        let first = await runCLI(["push", "artifact", registry.url("repro/app:a"), "--reproducible"] + flags)
        let second = await runCLI(["push", "artifact", registry.url("repro/app:b"), "--reproducible"] + flags)
        #expect(first.code == 0 && second.code == 0, "\(first.stderr)\(second.stderr)")
        let digest = try #require(ArtifactCLITest.pushedDigest(first.stderr))
        #expect(ArtifactCLITest.pushedDigest(second.stderr) == digest)
        await #expect(try ArtifactManifestView(registry.rawManifest("repro/app:a")).annotations["org.opencontainers.image.created"] == "1970-01-01T00:00:00Z")

        let epoch = ["SOURCE_DATE_EPOCH": "1700000000"]
        let third = await runCLI(["push", "artifact", registry.url("repro/app:c")] + flags, environment: epoch)
        let fourth = await runCLI(["push", "artifact", registry.url("repro/app:d")] + flags, environment: epoch)
        #expect(ArtifactCLITest.pushedDigest(third.stderr) == ArtifactCLITest.pushedDigest(fourth.stderr))
        #expect(ArtifactCLITest.pushedDigest(third.stderr) != digest)
        await #expect(try ArtifactManifestView(registry.rawManifest("repro/app:c")).annotations["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z")
    }

    @Test func skipUnchangedUploadsNothingWhenTheContentIsTheSame() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("skip")
        let first = await runCLI(["push", "artifact", registry.url("skip/app:v1"), "--path", tree, "--source", "s", "--revision", "r1"])
        #expect(first.code == 0, "\(first.stderr)")
        let digest = try #require(ArtifactCLITest.pushedDigest(first.stderr))
        let uploadsBefore = registry.server.committedBlobUploads()
        let writesBefore = registry.writeRequestCount
        #expect(uploadsBefore.count == 2)

        // Another revision and time, same content: nothing written, the tag stays.
        let again = await runCLI(["push", "artifact", registry.url("skip/app:v1"), "--path", tree, "--source", "s", "--revision", "r2",
                                  "--skip-unchanged"])
        #expect(again.code == 0, "\(again.stderr)")
        #expect(again.stderr.hasSuffix("✔ artifact unchanged\n"), "\(again.stderr)")
        #expect(registry.server.committedBlobUploads().count == uploadsBefore.count)
        #expect(registry.server.committedBlobUploads().map(\.size).reduce(0, +) == uploadsBefore.map(\.size).reduce(0, +))
        #expect(registry.writeRequestCount == writesBefore)
        await #expect(try ArtifactCLITest.sha256(ofData: registry.rawManifest("skip/app:v1")) == digest)

        let json = await runCLI(["push", "artifact", registry.url("skip/app:v1"), "--path", tree, "--source", "s", "--revision", "r2",
                                 "--skip-unchanged", "-o", "json"])
        #expect(json.stdout.contains("\"digest\": \"\(digest)\""))
        #expect(registry.writeRequestCount == writesBefore)

        // Changed content is pushed.
        try "changed\n".write(toFile: tree + "/namespace.yaml", atomically: true, encoding: .utf8)
        let changed = await runCLI(["push", "artifact", registry.url("skip/app:v1"), "--path", tree, "--source", "s", "--revision", "r3",
                                    "--skip-unchanged"])
        #expect(changed.code == 0, "\(changed.stderr)")
        let newDigest = try #require(ArtifactCLITest.pushedDigest(changed.stderr))
        #expect(newDigest != digest)
        #expect(registry.server.committedBlobUploads().count == uploadsBefore.count + 2)
    }

    @Test func outputJSONAndYAMLCarryTheReference() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("output")
        let json = await runCLI(["push", "artifact", registry.url("out/app:v3"), "--path", tree, "--source", "s", "--revision", "r", "-o", "json"])
        #expect(json.code == 0, "\(json.stderr)")
        #expect(!json.stderr.contains("►") && !json.stderr.contains("✔"))
        let digest = try await ArtifactCLITest.sha256(ofData: registry.rawManifest("out/app:v3"))
        #expect(json.stdout == """
        {
          "url": "oci://\(registry.host)/out/app@\(digest)",
          "repository": "\(registry.host)/out/app",
          "tag": "v3",
          "digest": "\(digest)"
        }

        """)
        let yaml = await runCLI(["push", "artifact", registry.url("out/app:v3"), "--path", tree, "--source", "s", "--revision", "r",
                                 "--output=yaml", "--reproducible"])
        let yamlDigest = try await ArtifactCLITest.sha256(ofData: registry.rawManifest("out/app:v3"))
        #expect(yaml.stdout == "digest: \(yamlDigest)\nrepository: \(registry.host)/out/app\ntag: v3\nurl: oci://\(registry.host)/out/app@\(yamlDigest)\n")
    }

    @Test func badInputNamesTheFlagAndSendsNothing() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("bad")
        let cases: [([String], String)] = [
            (["push", "artifact", "\(registry.host)/bad/app:v1", "--path", tree, "--source", "s", "--revision", "r"], "oci://"),
            (["push", "artifact", registry.url("bad/app:v1"), "--path", tree, "--revision", "r"], "--source"),
            (["push", "artifact", registry.url("bad/app:v1"), "--path", tree, "--source", "s"], "--revision"),
            (["push", "artifact", registry.url("bad/app:v1"), "--source", "s", "--revision", "r"], "--path"),
            (["push", "artifact", registry.url("bad/app:v1"), "--path", tree + "/missing", "--source", "s", "--revision", "r"], "--path"),
            (["push", "artifact", registry.url("bad/app:v1"), "--path", tree, "--source", "s", "--revision", "r", "-a", "novalue"], "--annotations"),
            (["push", "artifact", registry.url("bad/app:v1"), "--path", tree, "--source", "s", "--revision", "r",
              "-a", "org.opencontainers.image.created=yesterday"], "--annotations"),
            (["push", "artifact", registry.url("BAD/app:v1"), "--path", tree, "--source", "s", "--revision", "r"], "lowercase"),
            (["pull", "artifact", registry.url("bad/app:v1")], "--output"),
            (["pull", "artifact", registry.url("bad/app:v1"), "-o", tree + "/x", "--max-size", "huge"], "--max-size"),
            (["tag", "artifact", registry.url("bad/app:v1")], "--tag"),
            (["tag", "artifact", registry.url("bad/app:v1"), "--tag=bad/tag"], "--tag"),
            (["list", "artifacts", "\(registry.host)/bad/app"], "oci://"),
            (["list", "artifacts", registry.url("bad/app"), "--filter-regex", "("], "--filter-regex"),
            (["list", "artifacts", registry.url("bad/app"), "--filter-semver", "not a range"], "--filter-semver"),
            (["build", "artifact", "-o", tree + "/out.tgz"], "--path"),
        ]
        for (arguments, flag) in cases {
            let result = await runCLI(arguments)
            #expect(result.code == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("✗ ") && result.stderr.contains(flag), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(registry.totalRequestCount == 0)
        #expect(!FileManager.default.fileExists(atPath: tree + "/out.tgz"))
    }

    @Test func verboseLogsNeverShowCredentials() async throws {
        let secret = "s3cr3t-Pa55"
        let basic = try await ArtifactRegistry.basicAuthTLS(user: "alice", password: secret)
        defer { basic.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("secret")
        let pushed = await runCLI(["push", "artifact", basic.url("secret/app:v1"), "--path", tree, "--source", "s", "--revision", "r", "-v", "9"]
                                  + basic.cliFlags)
        #expect(pushed.code == 0, "\(pushed.stderr)")
        #expect(pushed.stderr.contains("PUT https://\(basic.host)/v2/secret/app/manifests/v1"), "verbose log expected")
        let encoded = Data("alice:\(secret)".utf8).base64EncodedString()
        for text in [pushed.stderr, pushed.stdout] {
            #expect(!text.contains(secret) && !text.contains(encoded))
        }
        // A wrong password fails in one line without echoing it.
        let wrong = await runCLI(["pull", "artifact", basic.url("secret/app:v1"), "-o", tree + "/pulled", "-v", "9",
                                  "--creds", "alice:wrong-\(secret)", "--insecure-registry"])
        #expect(wrong.code == 1)
        #expect(!wrong.stderr.contains(secret))
        #expect(wrong.stderr.split(separator: "\n").last?.hasPrefix("✗ pull from \(basic.host)/secret/app failed: ") == true, "\(wrong.stderr)")

        let token = try await ArtifactRegistry.tokenAuth(user: "bob", password: secret)
        defer { token.server.cleanUp() }
        let tokenPush = await runCLI(["push", "artifact", token.url("secret/app:v1"), "--path", tree, "--source", "s", "--revision", "r", "-v", "9"]
                                     + token.cliFlags)
        #expect(tokenPush.code == 0, "\(tokenPush.stderr)")
        #expect(!tokenPush.stderr.contains(secret) && !tokenPush.stderr.contains(Data("bob:\(secret)".utf8).base64EncodedString()))
        // Bearer tokens are JWTs ("eyJ…"): none may appear.
        #expect(!tokenPush.stderr.contains("eyJ"), "\(tokenPush.stderr)")
        // This plain-HTTP loopback registry got one HTTPS request, the credential-free scheme probe, and no real one.
        let httpsRequests = tokenPush.stderr.split(separator: "\n").flatMap { line in
            ["GET", "HEAD", "POST", "PUT", "PATCH"].compactMap { method in
                line.range(of: "\(method) https://").map { line[$0.lowerBound...].split(separator: " ").prefix(2).joined(separator: " ") }
            }
        }
        #expect(!httpsRequests.isEmpty && Set(httpsRequests) == ["GET https://\(token.host)/v2/"], "\(httpsRequests)")
    }
}

extension ArtifactCLITest {
    static func sha256(ofData data: Data) async throws -> String {
        let path = CLITestPaths.temporaryDirectory("digest") + "/data"
        try data.write(to: URL(fileURLWithPath: path))
        return try await sha256(ofFile: path)
    }
}
