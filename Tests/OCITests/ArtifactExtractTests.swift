import Foundation
import Testing
@testable import OCI

@Suite struct ArtifactExtractTests {
    /// Writes a gzip'd tar made by Python's tarfile from `entries` (Python literal list of
    /// (name, type, content-or-linkname, mode)), so hostile archives come from an independent writer.
    func craft(_ entries: String, in scratch: ScratchDirectory) async throws -> String {
        let path = scratch.url("crafted.tgz")
        let script = """
        import io, sys, tarfile
        with tarfile.open(sys.argv[1], "w:gz", format=tarfile.PAX_FORMAT) as t:
            for name, kind, value, mode in \(entries):
                info = tarfile.TarInfo(name); info.mode = mode
                if kind == "file":
                    data = value.encode() if isinstance(value, str) else value
                    info.size = len(data); t.addfile(info, io.BytesIO(data))
                elif kind == "dir":
                    info.type = tarfile.DIRTYPE; t.addfile(info)
                elif kind == "symlink":
                    info.type = tarfile.SYMTYPE; info.linkname = value; t.addfile(info)
                elif kind == "hardlink":
                    info.type = tarfile.LNKTYPE; info.linkname = value; t.addfile(info)
                elif kind == "fifo":
                    info.type = tarfile.FIFOTYPE; t.addfile(info)
        """
        let result = try await shell("python3 -c '\(script)' '\(path)'")
        #expect(result.status == 0, "\(result.stderr)")
        return path
    }

    func assertNothingLeft(_ scratch: ScratchDirectory, target: String) throws {
        #expect(!FileManager.default.fileExists(atPath: target))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.contains("extract") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
    }

    @Test func roundTripKeepsContentAndModes() throws {
        let tree = try ScratchDirectory()
        try tree.file("app.yaml", "kind: Deployment\n", mode: 0o640)
        try tree.file("bin/run.sh", "#!/bin/sh\n", mode: 0o755)
        try tree.directory("empty", mode: 0o700)
        let out = try ScratchDirectory()
        let layer = try ArtifactBuilder.build(source: .directory(path: tree.path), destinationPath: out.url("a.tgz"))
        let target = out.url("extracted")
        let result = try TarExtractor.extract(gzipFile: layer.path, into: target)
        #expect(result.files == 2 && result.directories == 2 && result.bytes == 27)
        #expect(try String(contentsOfFile: target + "/app.yaml", encoding: .utf8) == "kind: Deployment\n")
        var info = stat()
        #expect(stat(target + "/app.yaml", &info) == 0 && info.st_mode & 0o777 == 0o640)
        #expect(stat(target + "/bin/run.sh", &info) == 0 && info.st_mode & 0o777 == 0o755)
        #expect(stat(target + "/empty", &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["a.tgz", "extracted"])

        // Into an existing directory: files are replaced, unrelated files stay.
        try out.file("extracted/app.yaml", "old")
        try out.file("extracted/other.txt", "mine")
        _ = try TarExtractor.extract(gzipFile: layer.path, into: target)
        #expect(try String(contentsOfFile: target + "/app.yaml", encoding: .utf8) == "kind: Deployment\n")
        #expect(try String(contentsOfFile: target + "/other.txt", encoding: .utf8) == "mine")
    }

    @Test func refusesParentTraversal() async throws {
        let scratch = try ScratchDirectory()
        let archive = try await craft("[(\"ok.yaml\", \"file\", \"fine\", 0o644), (\"../x\", \"file\", \"evil\", 0o644)]", in: scratch)
        let target = scratch.url("out")
        let error = try #require(throws: ArtifactError.self) { try TarExtractor.extract(gzipFile: archive, into: target) }
        #expect(error.kind == .unsafeEntry)
        #expect(error.message.contains("'../x'"))
        try assertNothingLeft(scratch, target: target)
        #expect(!FileManager.default.fileExists(atPath: scratch.url("x")))
    }

    @Test func refusesAbsolutePaths() async throws {
        let scratch = try ScratchDirectory()
        let archive = try await craft("[(\"/tmp/evil.yaml\", \"file\", \"evil\", 0o644)]", in: scratch)
        let target = scratch.url("out")
        let error = try #require(throws: ArtifactError.self) { try TarExtractor.extract(gzipFile: archive, into: target) }
        #expect(error.kind == .unsafeEntry && error.message.contains("'/tmp/evil.yaml'"))
        try assertNothingLeft(scratch, target: target)
    }

    @Test func refusesEscapingLinksAndSkipsInnerOnes() async throws {
        let scratch = try ScratchDirectory()
        let escaping = try await craft("[(\"a/link\", \"symlink\", \"../../etc/passwd\", 0o777)]", in: scratch)
        let target = scratch.url("out")
        let error = try #require(throws: ArtifactError.self) { try TarExtractor.extract(gzipFile: escaping, into: target) }
        #expect(error.kind == .unsafeEntry && error.message.contains("'a/link'") && error.message.contains("../../etc/passwd"))
        try assertNothingLeft(scratch, target: target)

        let absolute = try await craft("[(\"link\", \"symlink\", \"/etc\", 0o777)]", in: scratch)
        #expect(throws: ArtifactError.self) { try TarExtractor.extract(gzipFile: absolute, into: target) }
        let hard = try await craft("[(\"hard\", \"hardlink\", \"../outside\", 0o644)]", in: scratch)
        #expect(throws: ArtifactError.self) { try TarExtractor.extract(gzipFile: hard, into: target) }
        try assertNothingLeft(scratch, target: target)

        let inner = try await craft("""
        [("a/real.yaml", "file", "x", 0o644), ("a/link", "symlink", "real.yaml", 0o777), ("b/up", "symlink", "../a/real.yaml", 0o777), ("pipe", "fifo", "", 0o644)]
        """, in: scratch)
        let result = try TarExtractor.extract(gzipFile: inner, into: target)
        #expect(result.files == 1)
        #expect(result.skipped == ["a/link", "b/up", "pipe"])
        var info = stat()
        #expect(lstat(target + "/a/link", &info) != 0)
        #expect(lstat(target + "/pipe", &info) != 0)
    }

    @Test func enforcesTheSizeLimitAndLeavesNothingBehind() async throws {
        let scratch = try ScratchDirectory()
        let archive = try await craft("[(\"one.bin\", \"file\", b\"a\" * 600000, 0o644), (\"two.bin\", \"file\", b\"b\" * 600000, 0o644)]", in: scratch)
        let target = scratch.url("out")
        let error = try #require(throws: ArtifactError.self) { try TarExtractor.extract(gzipFile: archive, into: target, sizeLimit: 1 << 20) }
        #expect(error.kind == .sizeLimitExceeded)
        #expect(error.message.contains("'two.bin'") && error.message.contains("1 MiB"))
        try assertNothingLeft(scratch, target: target)
        #expect(try TarExtractor.extract(gzipFile: archive, into: target, sizeLimit: 2 << 20).bytes == 1_200_000)
        #expect(TarExtractor.defaultSizeLimit == 100 << 20)
    }

    @Test func corruptArchivesFailWithoutLeftovers() async throws {
        let scratch = try ScratchDirectory()
        let archive = try await craft("[(\"one.bin\", \"file\", b\"a\" * 100000, 0o644)]", in: scratch)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: scratch.url("half.tgz")))
        let target = scratch.url("out")
        #expect(throws: ArtifactError.self) { try TarExtractor.extract(gzipFile: scratch.url("half.tgz"), into: target) }
        try assertNothingLeft(scratch, target: target)
    }
}
