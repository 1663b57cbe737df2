import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import GitOpsCLI

private let manDirectory = RepositoryPaths.packageRoot.appendingPathComponent("man")

private func committedPages() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: manDirectory.path).filter { $0.hasSuffix(".1") }.sorted()
}

@Test func committedManPagesMatchTheTree() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("man-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try HiddenGenerateManCommand.write(ManPages.render(CommandTree.root), to: directory.path)
    let generated = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    let committed = try committedPages()
    var problems: [String] = []
    for name in Set(generated).subtracting(committed).sorted() { problems.append("missing from man/: \(name)") }
    for name in Set(committed).subtracting(generated).sorted() { problems.append("stale in man/: \(name)") }
    for name in Set(generated).intersection(committed).sorted() {
        let fresh = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        let old = try String(contentsOf: manDirectory.appendingPathComponent(name), encoding: .utf8)
        if fresh != old { problems.append("differs: man/\(name)") }
    }
    #expect(problems.isEmpty, "man pages are out of date; run `make man`:\n\(problems.joined(separator: "\n"))")
}

/// Walks the declared types (not the dump) so the page count is checked independently of the renderer.
private func visibleCommandPaths(_ type: any ParsableCommand.Type, path: [String]) -> [[String]] {
    let configuration = type.configuration
    guard configuration.shouldDisplay else { return [] }
    let name = configuration.commandName ?? String(describing: type).lowercased()
    let here = path + [name]
    return [here] + configuration.subcommands.flatMap { visibleCommandPaths($0, path: here) }
}

@Test func exactlyOnePagePerVisibleCommand() throws {
    let expected = visibleCommandPaths(RootCommand.self, path: []).map { $0.joined(separator: "-") + ".1" }.sorted()
    #expect(Set(expected).count == expected.count)
    #expect(try committedPages() == expected)
    #expect(expected.contains("kubectl-gitops.1") && expected.contains("kubectl-gitops-completion-install.1"))
    #expect(!expected.contains { $0.contains("__") })
}

@Test func groffFindsNothingToWarnAbout() async throws {
    for name in try committedPages() {
        let result = try await runExternal("/usr/bin/groff", ["-ww", "-z", "-man", manDirectory.appendingPathComponent(name).path])
        #expect(result.status == 0 && result.stderr.isEmpty, "groff on man/\(name): \(result.stderr)")
    }
}

@Test func pagesHaveTheSectionsAndExamplesFromHelp() throws {
    let version = try String(contentsOf: manDirectory.appendingPathComponent("kubectl-gitops-version.1"), encoding: .utf8)
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "SEE ALSO"] {
        #expect(version.contains(".SH \(section)\n"), "no \(section) section")
    }
    #expect(version.contains("kubectl gitops version \\-\\-client \\-o json"))
    #expect(version.contains("\\fBkubectl\\-gitops\\fR(1)"), "SEE ALSO names the parent page")
    #expect(!version.contains("EXAMPLES:"), "the examples marker is not part of the description")
    let root = try String(contentsOf: manDirectory.appendingPathComponent("kubectl-gitops.1"), encoding: .utf8)
    #expect(root.contains(".SH COMMANDS") && root.contains("\\fBkubectl\\-gitops\\-version\\fR(1)"))
}

@Test func discussionSplitsAtExamples() {
    let (description, examples) = ManPages.splitDiscussion("""
    Does things.

    EXAMPLES:
      kubectl gitops a
        --flag
    """)
    #expect(description.trimmingCharacters(in: .whitespacesAndNewlines) == "Does things.")
    #expect(examples == ["kubectl gitops a", "  --flag"])
    #expect(ManPages.escape("a-b\\c …") == "a\\-b\\ec \\[u2026]")
}

struct ExternalRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion with captured output; `environment` nil inherits ours. The waiting happens on a
/// thread of its own: Dispatch's global queues share their few threads with Swift's cooperative pool, and blocking
/// them starves the deadline tests.
func runExternal(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                directory: URL? = nil) async throws -> ExternalRun {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try runProcessBlocking(executable, arguments, environment: environment, directory: directory) })
        }.start()
    }
}

/// Output goes to files, not pipes: a pipe's write end can leak into a child another test spawns at the same moment,
/// and reading to end-of-file would then wait for that unrelated process.
private func runProcessBlocking(_ executable: String, _ arguments: [String], environment: [String: String]?,
                                directory: URL?) throws -> ExternalRun {
    let files = FileManager.default
    let base = files.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
    let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
    _ = files.createFile(atPath: outURL.path, contents: nil)
    _ = files.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? files.removeItem(at: outURL)
        try? files.removeItem(at: errURL)
    }
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return ExternalRun(status: process.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}
