import Foundation
import HTTPTransport
import OCI
import Testing
import TestSupport
@testable import GitOpsCLI

/// `pull`, `tag`, `list`, `diff` and `build artifact` through the CLI against a real registry.
@Suite(.serialized) struct ArtifactPullTests {
    func push(_ registry: ArtifactRegistry, _ repositoryAndTag: String, path: String, revision: String = "main@sha1:1") async throws -> String {
        let result = await runCLI(["push", "artifact", registry.url(repositoryAndTag), "--path", path,
                                   "--source", "https://github.com/org/app", "--revision", revision] + registry.cliFlags)
        #expect(result.code == 0, "\(result.stderr)")
        return try #require(ArtifactCLITest.pushedDigest(result.stderr), "\(result.stderr)")
    }

    @Test func pullRoundTripsTheContent() async throws {
        let registry = try await ArtifactRegistry.basicAuthTLS()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("pull")
        let digest = try await push(registry, "pull/app:v1", path: tree)
        let output = CLITestPaths.temporaryDirectory("pulled") + "/out"
        let pulled = await runCLI(["pull", "artifact", registry.url("pull/app:v1"), "-o", output] + registry.cliFlags)
        #expect(pulled.code == 0, "\(pulled.stderr)")
        #expect(pulled.stderr == """
        ► pulling artifact from \(registry.host)/pull/app:v1
        ✔ source https://github.com/org/app
        ✔ revision main@sha1:1
        ✔ digest \(registry.host)/pull/app@\(digest)
        ✔ artifact content extracted to \(output)

        """)
        let same = try await ExternalTool.run("/usr/bin/diff", ["-r", tree, output])
        #expect(same.status == 0, "\(String(decoding: same.stdout, as: UTF8.self))")
        var info = stat()
        stat(output + "/run.sh", &info)
        #expect(info.st_mode & 0o777 == 0o755)
        // By digest too, relative to the working directory.
        let byDigest = await runCLI(["pull", "artifact", registry.url("pull/app@\(digest)"), "-o", "again"] + registry.cliFlags,
                                    workingDirectory: (output as NSString).deletingLastPathComponent)
        #expect(byDigest.code == 0, "\(byDigest.stderr)")
        #expect(FileManager.default.fileExists(atPath: (output as NSString).deletingLastPathComponent + "/again/apps/app.yaml"))
    }

    @Test func pullRefusesEscapingLayersAndLeavesNothing() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let client = RegistryClient(transport: CurlTransport(options: TransportOptions()), options: RegistryClientOptions(plainHTTP: true))
        let work = CLITestPaths.temporaryDirectory("crafted")
        let cases: [(tag: String, python: String, message: String)] = [
            ("dotdot", "add('ok.yaml', b'kind: x'); add('../evil.yaml', b'owned')", "refusing to extract entry '../evil.yaml'"),
            ("symlink", "add('ok.yaml', b'kind: x'); link('escape', '../../../etc/passwd')", "refusing to extract entry 'escape': it is a symbolic link"),
        ]
        for (tag, python, message) in cases {
            let layer = work + "/\(tag).tar.gz"
            let script = """
            import io, sys, tarfile
            t = tarfile.open(sys.argv[1], 'w:gz')
            def add(name, data):
                info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
            def link(name, target):
                info = tarfile.TarInfo(name); info.type = tarfile.SYMTYPE; info.linkname = target; t.addfile(info)
            \(python)
            t.close()
            """
            let made = try await ExternalTool.run("/usr/bin/env", ["python3", "-c", script, layer])
            #expect(made.status == 0, "\(made.stderr)")
            let layerData = try Data(contentsOf: URL(fileURLWithPath: layer))
            let layerDigest = try await ArtifactCLITest.sha256(ofData: layerData)
            let artifact = try FluxArtifact(layerDigest: layerDigest, layerSize: UInt64(layerData.count), diffID: layerDigest,
                                            metadata: FluxArtifact.Metadata(source: "s", revision: "r"))
            let reference = try OCIReference(parsing: registry.url("crafted/app:\(tag)"))
            _ = try await client.push(layerFile: layer, layerDigest: layerDigest, layerSize: Int64(layerData.count),
                                      config: artifact.configBytes, manifest: artifact.manifestBytes, to: reference)

            let parent = work + "/pull-\(tag)"
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            let pulled = await runCLI(["pull", "artifact", registry.url("crafted/app:\(tag)"), "-o", parent + "/out"],
                                      environment: ["TMPDIR": parent])
            #expect(pulled.code == 1)
            let last = pulled.stderr.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.hasPrefix("✗ ") && last.contains(message), "\(pulled.stderr)")
            #expect(!pulled.stderr.contains("extracted to"))
            // Nothing left: no output directory, no staging directory, no downloaded layer.
            #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == [])
            #expect(!FileManager.default.fileExists(atPath: work + "/evil.yaml"))
        }
    }

    @Test func pullEnforcesTheSizeLimit() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("limit")
        try Data(count: 64 << 10).write(to: URL(fileURLWithPath: tree + "/big.bin"))
        _ = try await push(registry, "limit/app:v1", path: tree)
        let parent = CLITestPaths.temporaryDirectory("limit-out")
        let refused = await runCLI(["pull", "artifact", registry.url("limit/app:v1"), "-o", parent + "/out", "--max-size", "32KiB"])
        #expect(refused.code == 1)
        #expect(refused.stderr.contains("exceed the size limit"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == [])
        let allowed = await runCLI(["pull", "artifact", registry.url("limit/app:v1"), "-o", parent + "/out", "--max-size", "1MiB"])
        #expect(allowed.code == 0, "\(allowed.stderr)")
    }

    @Test func tagPointsNewTagsAtTheSameManifest() async throws {
        let registry = try await ArtifactRegistry.tokenAuth()
        defer { registry.server.cleanUp() }
        let digest = try await push(registry, "tag/app:v1.0.0", path: try ArtifactCLITest.sampleTree("tag"))
        let tagged = await runCLI(["tag", "artifact", registry.url("tag/app:v1.0.0"), "--tag", "latest,stable", "--tag", "prod"] + registry.cliFlags)
        #expect(tagged.code == 0, "\(tagged.stderr)")
        #expect(tagged.stderr == """
        ► tagging artifact
        ✔ artifact tagged as \(registry.host)/tag/app:latest
        ✔ artifact tagged as \(registry.host)/tag/app:stable
        ✔ artifact tagged as \(registry.host)/tag/app:prod

        """)
        for tag in ["latest", "stable", "prod"] {
            await #expect(try ArtifactCLITest.sha256(ofData: registry.rawManifest("tag/app:\(tag)")) == digest)
        }
        let missing = await runCLI(["tag", "artifact", registry.url("tag/app:nope"), "--tag", "x"] + registry.cliFlags)
        #expect(missing.code == 1)
        #expect(missing.stderr.hasSuffix("\n") && missing.stderr.split(separator: "\n").count == 2, "\(missing.stderr)")
    }

    @Test func listShowsTagsWithFiltersAndFormats() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("list")
        var digests: [String: String] = [:]
        for (index, tag) in ["1.0.0", "1.1.0", "2.0.0", "staging-a", "1.1.0.sig"].enumerated() {
            try "revision \(index)\n".write(toFile: tree + "/revision.txt", atomically: true, encoding: .utf8)
            digests[tag] = try await push(registry, "list/app:\(tag)", path: tree, revision: "rev-\(tag)")
        }
        let table = await runCLI(["list", "artifacts", registry.url("list/app")])
        #expect(table.code == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("ARTIFACT") && lines[0].contains("\tDIGEST") && lines[0].contains("\tSOURCE")
                && lines[0].contains("\tREVISION") && lines[0].contains("\tCREATED"))
        #expect(lines.dropFirst().map { $0.split(separator: "\t").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
                == ["staging-a", "2.0.0", "1.1.0", "1.0.0"].map { "\(registry.host)/list/app:\($0)" })
        let row = lines[1].split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(row[1] == digests["staging-a"] && row[2] == "https://github.com/org/app" && row[3] == "rev-staging-a" && row[4].hasSuffix("Z"))
        // Columns line up: every cell of a column starts at the same offset.
        #expect(Set(lines.map { $0.components(separatedBy: "\t")[0].count }).count == 1)

        let semver = await runCLI(["list", "artifacts", registry.url("list/app"), "--filter-semver", ">=1.0.0 <2.0.0", "-o", "json"])
        #expect(semver.code == 0, "\(semver.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(semver.stdout.utf8)) as? [[String: String]])
        #expect(rows.map { $0["tag"] } == ["1.1.0", "1.0.0"])
        #expect(rows[0] == ["url": "oci://\(registry.host)/list/app:1.1.0", "repository": "\(registry.host)/list/app", "tag": "1.1.0",
                            "digest": digests["1.1.0"]!, "source": "https://github.com/org/app", "revision": "rev-1.1.0",
                            "created": rows[0]["created"] ?? "?"])
        #expect(semver.stdout.hasPrefix("[\n  {\n    \"url\": "))

        let regex = await runCLI(["list", "artifacts", registry.url("list/app"), "--filter-regex", "^staging", "-o", "yaml"])
        #expect(regex.code == 0, "\(regex.stderr)")
        #expect(regex.stdout.hasPrefix("- created: "))
        #expect(regex.stdout.contains("  tag: staging-a\n") && !regex.stdout.contains("1.0.0"))

        let empty = await runCLI(["list", "artifacts", registry.url("list/app"), "--filter-regex", "^none", "-o", "json"])
        #expect(empty.stdout == "[]\n")
    }

    @Test func diffExitsZeroOneOrTwoAndListsChanges() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("diff")
        _ = try await push(registry, "diff/app:v1", path: tree)

        let same = await runCLI(["diff", "artifact", registry.url("diff/app:v1"), "--path", tree])
        #expect(same.code == 0, "\(same.stderr)")
        #expect(same.stderr == "✔ no changes detected\n" && same.stdout.isEmpty)

        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: debug\n".write(toFile: tree + "/apps/app.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: tree + "/namespace.yaml")
        try "new\n".write(toFile: tree + "/added.yaml", atomically: true, encoding: .utf8)
        chmod(tree + "/run.sh", 0o644)
        let different = await runCLI(["diff", "artifact", registry.url("diff/app:v1"), "--path", tree, "--diff"])
        #expect(different.code == 1, "\(different.stderr)")
        #expect(different.stdout.hasPrefix("""
        added    added.yaml
        removed  namespace.yaml
        changed  apps/app.yaml (content)
        changed  run.sh (mode 0755 → 0644)

        """), "\(different.stdout)")
        #expect(different.stdout.contains("--- remote/apps/app.yaml") && different.stdout.contains("+++ local/apps/app.yaml"))
        #expect(different.stdout.contains("\n-  level: info\n+  level: debug\n"), "\(different.stdout)")
        #expect(different.stderr == "✗ the remote artifact differs from the local content: 1 added, 1 removed, 2 changed\n")

        let withoutDiff = await runCLI(["diff", "artifact", registry.url("diff/app:v1"), "--path", tree])
        #expect(withoutDiff.code == 1 && !withoutDiff.stdout.contains("+++"))

        let missing = await runCLI(["diff", "artifact", registry.url("diff/app:nope"), "--path", tree])
        #expect(missing.code == 2)
        #expect(missing.stderr.hasPrefix("✗ ") && missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
        let usage = await runCLI(["diff", "artifact", registry.url("diff/app:v1")])
        #expect(usage.code == 2 && usage.stderr.contains("--path"))
        let unreachable = await runCLI(["diff", "artifact", "oci://127.0.0.1:1/diff/app:v1", "--path", tree])
        #expect(unreachable.code == 2)
    }

    /// flux's own case (diff_artifact_test.go): push `deployment.yaml`, diff against it (golden `success.golden`), then
    /// against the renamed copy, which differs.
    @Test func diffMatchesFluxsGoldenOnItsOwnFixtures() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let fixtures = RepositoryPaths.fixture("flux-goldens/diff-artifact").path
        _ = try await push(registry, "podinfo:1.0.0", path: fixtures + "/deployment.yaml", revision: "test")
        let same = await runCLI(["diff", "artifact", registry.url("podinfo:1.0.0"), "--path=\(fixtures)/deployment.yaml"])
        #expect(same.code == 0, "\(same.stderr)")
        #expect(same.stdout + same.stderr == (try RepositoryPaths.fixtureText("flux-goldens/diff-artifact/success.golden")))
        let renamed = await runCLI(["diff", "artifact", registry.url("podinfo:1.0.0"), "--path=\(fixtures)/deployment-diff.yaml"])
        #expect(renamed.code == 1, "\(renamed.stderr)")
        #expect(renamed.stderr.hasPrefix("✗ the remote artifact differs from the local content"), "\(renamed.stderr)")
    }

    @Test func buildWritesTheLayerPushUploads() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try ArtifactCLITest.sampleTree("build")
        let out = CLITestPaths.temporaryDirectory("build-out")
        let built = await runCLI(["build", "artifact", "--path", tree, "-o", "layer.tgz"], workingDirectory: out)
        #expect(built.code == 0, "\(built.stderr)")
        #expect(built.stderr == "► building artifact from \(tree)\n✔ artifact created at layer.tgz\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["layer.tgz"])
        await #expect(try ArtifactCLITest.tarEntries(gzipFile: out + "/layer.tgz").map(\.name) == [".", "apps", "apps/app.yaml", "namespace.yaml", "run.sh"])

        _ = try await push(registry, "build/app:v1", path: tree)
        let manifest = try await ArtifactManifestView(registry.rawManifest("build/app:v1"))
        await #expect(try ArtifactCLITest.sha256(ofFile: out + "/layer.tgz") == manifest.layerDigest)

        // stdin, and ignore flags
        let fromStdin = await runCLI(["build", "artifact", "-f", "-", "-o", out + "/stdin.tgz"], stdin: Data("a: b\n".utf8))
        #expect(fromStdin.code == 0, "\(fromStdin.stderr)")
        await #expect(try ArtifactCLITest.tarEntries(gzipFile: out + "/stdin.tgz").map(\.name) == [".", "resources.yaml"])
        let ignored = await runCLI(["build", "artifact", "--path", tree, "-o", out + "/ignored.tgz", "--ignore-paths", "apps/", "--add-ignore-paths", "*.sh"])
        #expect(ignored.code == 0, "\(ignored.stderr)")
        await #expect(try ArtifactCLITest.tarEntries(gzipFile: out + "/ignored.tgz").map(\.name) == [".", "namespace.yaml"])

        // A failing build leaves no file (an interrupted one is covered by ArtifactInterruptTests).
        let failed = await runCLI(["build", "artifact", "--path", tree + "/missing", "-o", out + "/failed.tgz"])
        #expect(failed.code == 64 && failed.stderr.contains("--path"))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out)) == ["layer.tgz", "stdin.tgz", "ignored.tgz"])
    }
}
