import Foundation
import TestSupport
import HTTPTransport
@testable import OCI

/// A scratch directory removed when the test's value goes away.
final class ScratchDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/artifact-test-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else { throw ArtifactError(.unwritable, "mkdtemp failed") }
        path = String(cString: created)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func url(_ relative: String) -> String { path + "/" + relative }

    @discardableResult
    func file(_ relative: String, _ content: String = "", mode: mode_t = 0o644) throws -> String {
        try data(relative, Data(content.utf8), mode: mode)
    }

    @discardableResult
    func data(_ relative: String, _ content: Data, mode: mode_t = 0o644) throws -> String {
        let full = url(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(to: URL(fileURLWithPath: full))
        chmod(full, mode)
        return full
    }

    @discardableResult
    func directory(_ relative: String, mode: mode_t = 0o755) throws -> String {
        let full = url(relative)
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        chmod(full, mode)
        return full
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: url(relative), withDestinationPath: target)
    }
}

struct CommandResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a shell command line off the cooperative pool; output goes through files so large outputs cannot deadlock a
/// pipe.
@discardableResult
func shell(_ command: String, stdin: Data? = nil) async throws -> CommandResult {
    try await offPool { try shellBlocking(command, stdin: stdin) }
}

private func shellBlocking(_ command: String, stdin: Data?) throws -> CommandResult {
    let scratch = try ScratchDirectory()
    let outPath = scratch.url("stdout"), errPath = scratch.url("stderr"), inPath = scratch.url("stdin")
    try (stdin ?? Data()).write(to: URL(fileURLWithPath: inPath))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", "(\(command)) < '\(inPath)' > '\(outPath)' 2> '\(errPath)'"]
    try process.run()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: try Data(contentsOf: URL(fileURLWithPath: outPath)),
                         stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}

/// The uncompressed tar stream for `source`, in memory (tests use small trees).
func tarBytes(_ source: ArtifactSource, _ options: ArtifactBuildOptions = ArtifactBuildOptions()) throws -> Data {
    var data = Data()
    try ArtifactBuilder.writeTar(source: source, options: options) { data.append(contentsOf: $0) }
    return data
}

/// Entry headers read back by our own reader.
func readEntries(_ tar: Data) throws -> [TarEntryHeader] {
    let reader = TarReader(DataBodyReader(tar))
    var entries: [TarEntryHeader] = []
    while let entry = try reader.next() { entries.append(entry) }
    return entries
}

func entryNames(_ source: ArtifactSource, _ options: ArtifactBuildOptions = ArtifactBuildOptions()) throws -> [String] {
    try readEntries(try tarBytes(source, options)).map(\.name)
}

func sha256(_ data: Data) -> String { SHA256Hasher.digest(of: data) }

/// Reads all of a byte reader.
func drain(_ reader: ArtifactByteReader) throws -> Data {
    var data = Data()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let count = try reader.read(into: buffer)
        if count == 0 { return data }
        data.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
    }
}
