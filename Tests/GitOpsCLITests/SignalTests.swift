import Foundation
import Testing
import TestSupport

/// SIGINT, SIGTERM and SIGHUP against the real binary: each cancels the command, which cleans up and exits
/// 128 + the signal. Waits are on behaviour (what the command printed or sent), never on elapsed time.
@Suite(.serialized) struct SignalTests {
    /// The binary running with stderr and stdout in files, signalled from a plain thread once `ready` holds.
    struct Run {
        let process = Process()
        let stderrPath = CLITestPaths.temporaryDirectory("signal-log") + "/stderr"
        let stdoutPath = CLITestPaths.temporaryDirectory("signal-out") + "/stdout"

        init(_ arguments: [String], environment: [String: String]) throws {
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: try ArtifactInterruptTests.binary())
            process.arguments = arguments
            process.environment = ["HOME": CLITestPaths.emptyHome, "PATH": "/usr/bin:/bin"].merging(environment) { _, given in given }
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        }

        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
        var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

        /// Starts, sends `signal` once `ready` holds, and waits (off the cooperative pool) for the exit; false when
        /// the command ended before it could be signalled.
        func signalled(_ signal: Int32, when ready: @escaping @Sendable () -> Bool) async throws -> Bool {
            try process.run()
            let process = process
            return try await offPool { ArtifactInterruptTests.interrupt(process, signal: signal, when: ready) }
        }
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143)), (SIGHUP, Int32(129))])
    func aReconcileWaitEndsOnTheSignal(_ signal: Int32, _ code: Int32) async throws {
        try await withOwnServer { server in
            try await server.seed(objects: [FluxFixtures.ociRepository("waiting", namespace: "flux-system")])
            // No controller answers the request: without the signal this waits for 10 minutes.
            let run = try Run(["reconcile", "source", "oci", "waiting", "--timeout", "10m"], environment: ["KUBECONFIG": server.kubeconfigPath])
            let stderrPath = run.stderrPath
            let sent = try await run.signalled(signal) {
                ((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "").contains("◎ waiting")
            }
            #expect(sent, "reconcile ended before the signal: \(run.stderr)")
            #expect(run.process.terminationReason == .exit && run.process.terminationStatus == code, "\(run.stderr)")
            #expect(!run.stderr.contains("error:"), "a signal is not an error: \(run.stderr)")
        }
    }

    @Test func getWatchEndsOnSIGINT() async throws {
        try await withOwnServer { server in
            try await server.seed(objects: [FluxFixtures.ociRepository("watched", namespace: "flux-system")])
            let run = try Run(["get", "sources", "oci", "-w"], environment: ["KUBECONFIG": server.kubeconfigPath])
            let stdoutPath = run.stdoutPath
            let sent = try await run.signalled(SIGINT) {
                ((try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "").contains("watched")
            }
            #expect(sent, "get -w ended by itself: \(run.stderr)")
            #expect(run.process.terminationStatus == 130, "\(run.stderr)")
        }
    }

    @Test func sigtermDuringAPushUploadExits143CancelsTheSessionAndLeavesNothing() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let small = try ArtifactCLITest.sampleTree("sigterm")
        let first = await runCLI(["push", "artifact", registry.url("sigterm/app:v1"), "--path", small, "--source", "s", "--revision", "r1"])
        let digest = try #require(ArtifactCLITest.pushedDigest(first.stderr), "\(first.stderr)")
        let large = try await ArtifactInterruptTests.largeTree(megabytes: 160)
        let scratch = CLITestPaths.temporaryDirectory("sigterm-tmp")
        let postsBefore = registry.server.requestCount(method: "POST")
        let deletesBefore = registry.server.requestCount(method: "DELETE")
        let run = try Run(["push", "artifact", registry.url("sigterm/app:v1"), "--path", large, "--source", "s", "--revision", "r2"],
                          environment: ["TMPDIR": scratch])
        let server = registry.server
        let sent = try await run.signalled(SIGTERM) { server.requestCount(method: "POST") > postsBefore }
        #expect(sent, "the push finished before it could be signalled")
        #expect(run.process.terminationStatus == 143, "\(run.stderr)")
        #expect(run.stderr.hasSuffix("✗ interrupted\n"), "\(run.stderr)")
        #expect(try await ArtifactCLITest.sha256(ofData: registry.rawManifest("sigterm/app:v1")) == digest, "the tag moved")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch) == [], "temporary files left")
        #expect(registry.server.requestCount(method: "DELETE") > deletesBefore, "the abandoned upload session was not cancelled")
    }

    @Test func sigtermDuringAPullLeavesNoPartialFiles() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let large = try await ArtifactInterruptTests.largeTree(megabytes: 96)
        let pushed = await runCLI(["push", "artifact", registry.url("pull/app:v1"), "--path", large, "--source", "s", "--revision", "r1"])
        #expect(pushed.code == 0, "\(pushed.stderr)")
        let scratch = CLITestPaths.temporaryDirectory("pull-tmp")
        let output = CLITestPaths.temporaryDirectory("pull-out") + "/out"
        let getsBefore = registry.server.requestCount(method: "GET", pathContains: "/blobs/")
        let run = try Run(["pull", "artifact", registry.url("pull/app:v1"), "-o", output], environment: ["TMPDIR": scratch])
        let server = registry.server
        let sent = try await run.signalled(SIGTERM) { server.requestCount(method: "GET", pathContains: "/blobs/") > getsBefore }
        #expect(sent, "the pull finished before it could be signalled")
        #expect(run.process.terminationStatus == 143, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch) == [], "temporary files left")
        #expect(!FileManager.default.fileExists(atPath: output), "a half-written output directory was left")
    }
}
