import Foundation
import Testing
import TestSupport
@testable import GitOpsCLI

/// Ctrl-C and the progress bar: the first needs the real binary (a signal to a separate process), the second a
/// console that says stderr is a terminal.
@Suite(.serialized) struct ArtifactInterruptTests {
    static func binary() throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kubectl-gitops").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("kubectl-gitops").path,
            RepositoryPaths.packageRoot.appendingPathComponent(".build/debug/kubectl-gitops").path,
        ]
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) }, "kubectl-gitops is not built")
    }

    /// Random (incompressible) files, so building and uploading take a noticeable time.
    static func largeTree(megabytes: Int) async throws -> String {
        let root = CLITestPaths.temporaryDirectory("large") + "/content"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let result = try await ExternalTool.run("/bin/bash", ["-c", "for i in $(seq 1 \(megabytes / 8)); do head -c 8388608 /dev/urandom > '\(root)'/blob-$i.bin; done"])
        #expect(result.status == 0, "\(result.stderr)")
        return root
    }

    @Test func ctrlCDuringPushExits130AndLeavesTheTagAndNoFiles() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let small = try ArtifactCLITest.sampleTree("interrupt")
        let first = await runCLI(["push", "artifact", registry.url("interrupt/app:v1"), "--path", small, "--source", "s", "--revision", "r1"])
        let digest = try #require(ArtifactCLITest.pushedDigest(first.stderr), "\(first.stderr)")
        let large = try await Self.largeTree(megabytes: 160)
        let scratch = CLITestPaths.temporaryDirectory("interrupt-tmp")
        let stderrPath = CLITestPaths.temporaryDirectory("interrupt-log") + "/stderr"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)

        for phase in ["build", "upload"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try Self.binary())
            process.arguments = ["push", "artifact", registry.url("interrupt/app:v1"), "--path", large, "--source", "s", "--revision", "r2"]
            process.environment = ["HOME": CLITestPaths.emptyHome, "PATH": "/usr/bin:/bin", "TMPDIR": scratch]
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            try log.truncate(atOffset: 0)
            process.standardError = log
            process.standardOutput = FileHandle.nullDevice
            let postsBefore = registry.server.requestCount(method: "POST")
            try process.run()
            // "build": as soon as the command announced the push (the layer is being built);
            // "upload": once it opened an upload session (the layer streams into it while it is built).
            let interrupted = Self.interrupt(process) {
                phase == "build" ? ((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "").contains("► pushing artifact")
                    : registry.server.requestCount(method: "POST") > postsBefore
            }
            #expect(interrupted, "the push finished before it could be interrupted (\(phase))")
            let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(phase): \(text)")
            #expect(text.hasSuffix("✗ interrupted\n"), "\(phase): \(text)")
            await #expect(try ArtifactCLITest.sha256(ofData: registry.rawManifest("interrupt/app:v1")) == digest, "\(phase): the tag moved")
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch) == [], "\(phase): temporary files left")
        }

        // An interrupted build leaves no output file either.
        let out = CLITestPaths.temporaryDirectory("interrupt-build")
        let build = Process()
        build.executableURL = URL(fileURLWithPath: try Self.binary())
        build.arguments = ["build", "artifact", "--path", large, "-o", out + "/artifact.tgz"]
        build.environment = ["HOME": CLITestPaths.emptyHome, "PATH": "/usr/bin:/bin"]
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try log.truncate(atOffset: 0)
        build.standardError = log
        try build.run()
        let interrupted = Self.interrupt(build) {
            ((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "").contains("► building")
        }
        #expect(interrupted, "the build finished before it could be interrupted")
        #expect(build.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == [])
    }

    /// Sends SIGINT as soon as `ready` holds, from a plain thread (busy test workers cannot delay it), then waits
    /// for the process; says whether the signal was sent while it still ran.
    static func interrupt(_ process: Process, signal: Int32 = SIGINT, when ready: @escaping @Sendable () -> Bool) -> Bool {
        let interrupted = SignalOnce()
        let watcher = Thread {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline && process.isRunning {
                if ready() {
                    if process.isRunning {
                        kill(process.processIdentifier, signal)
                        interrupted.set()
                    }
                    return
                }
                usleep(1_000)
            }
        }
        watcher.start()
        process.waitUntilExit()
        return interrupted.value
    }

    @Test func progressBarOnATerminalOnly() async throws {
        let registry = try await ArtifactRegistry.plain()
        defer { registry.server.cleanUp() }
        let tree = try await Self.largeTree(megabytes: 16)
        for terminal in [true, false] {
            let out = BufferSink()
            let err = BufferSink()
            let console = Console(stdout: out, stderr: err, stderrIsTerminal: terminal)
            let context = CommandContext(environment: ["HOME": CLITestPaths.emptyHome], workingDirectory: tree, console: console,
                                         transportFactory: CommandContext.live().transportFactory)
            let pushed = await CLI.run(arguments: ["push", "artifact", registry.url("bar/app:\(terminal)"), "--path", ".",
                                                   "--source", "s", "--revision", "r"], context: context)
            #expect(pushed == 0, "\(err.text)")
            let pulled = await CLI.run(arguments: ["pull", "artifact", registry.url("bar/app:\(terminal)"), "-o",
                                                   CLITestPaths.temporaryDirectory("bar") + "/out"], context: context)
            #expect(pulled == 0, "\(err.text)")
            if terminal {
                #expect(err.text.contains("\ruploading  ") && err.text.contains(" / 16.0 MiB  100%"), "\(err.text)")
                #expect(err.text.contains("\rdownloading  "), "\(err.text)")
                // Each status line starts on a cleared line.
                #expect(err.text.contains("\r\u{1B}[K✔ artifact successfully pushed"), "\(err.text)")
            } else {
                #expect(!err.text.contains("\r") && !err.text.contains("\u{1B}"), "\(err.text)")
            }
            #expect(out.text.isEmpty)
        }
    }
}

/// Set once from the watcher thread, read by the test.
private final class SignalOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}
