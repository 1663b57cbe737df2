import Foundation
import Testing
import TestSupport

/// create/bootstrap against the simulated Flux controllers, which pull from a real docker-registry on 127.0.0.1.
@Suite(.serialized) struct FluxEndToEndCommandTests {
    /// `/usr/bin/docker-registry` on a free loopback port, storage in a temporary folder; stopped on deinit.
    final class LoopbackRegistry {
        let process = Process()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flux-e2e-registry-\(UUID().uuidString)").path
        let host: String

        init() throws {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let probe = try KubeTestServer.run("/usr/bin/env", ["python3", "-c",
                "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
            host = "127.0.0.1:" + String(decoding: probe.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            try "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: \(directory)/data\nhttp:\n  addr: \(host)\n"
                .write(toFile: directory + "/config.yml", atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
            process.arguments = ["serve", directory + "/config.yml"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                if try KubeTestServer.run("/usr/bin/curl", ["-sf", "-o", "/dev/null", "http://\(host)/v2/"]).status == 0 { return }
                usleep(50_000)
            }
            throw KubeTestServerError("docker-registry did not start on \(host)")
        }

        /// Pushes a one-layer Flux artifact with the kube test server's helper; returns the manifest digest.
        func push(_ repository: String, tag: String, files: [String: String]) throws -> String {
            let helper = KubeTestServer.repositoryRoot.appendingPathComponent("Tests/Support/kube-test-server/tests/registry.py").path
            let result = try KubeTestServer.run("/usr/bin/env", ["python3", helper, "push", host, repository, tag]
                + files.map { "\($0.key)=\($0.value)" })
            guard result.status == 0 else { throw KubeTestServerError("push failed: \(result.stderr)") }
            return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test func bootstrapBecomesReadyFromARealRegistryAndAMissingTagFailsFast() async throws {
        let registry = try LoopbackRegistry()
        let digest = try registry.push("demo/app", tag: "1.0.0", files: [
            "deploy/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
        ])
        try await withOwnServer(.init(controllers: true, reactionDelayMilliseconds: 100)) { server in
            let result = await runFlux(["bootstrap", "oci", "app", "--url", "oci://\(registry.host)/demo/app", "--tag", "1.0.0",
                                        "--path", "./deploy", "--target-namespace", "apps", "--timeout", "30s"], server: server)
            #expect(result.code == 0, "\(result.stderr)")
            #expect(result.stderr.contains("✔ fetched revision: 1.0.0@\(digest)\n"))
            #expect(result.stderr.hasSuffix("✔ Kustomization app is ready\n✔ applied revision 1.0.0@\(digest)\n"))

            let table = await runFlux(["get", "all"], server: server)
            #expect(table.stdout.contains("ocirepository/app"))
            #expect(table.stdout.contains("kustomization/app"))
            #expect(!table.stdout.contains("\tFalse\t"), "\(table.stdout)")

            // A tag the registry does not have: the controller reports the pull failure, and create stops at once.
            let started = Date()
            let missing = await runFlux(["create", "source", "oci", "gone", "--url", "oci://\(registry.host)/demo/app",
                                         "--tag", "9.9.9", "--timeout", "30s"], server: server)
            #expect(missing.code == 1)
            #expect(missing.stderr.contains("reconciliation failed"), "\(missing.stderr)")
            #expect(missing.stderr.contains("MANIFEST_UNKNOWN"), "\(missing.stderr)")
            #expect(Date().timeIntervalSince(started) < 15, "a failed pull must not wait out --timeout")
        }
    }
}
