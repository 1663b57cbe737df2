import Foundation
import HTTPTransport
import Testing
@testable import OCI

@Suite struct ArtifactTarTests {
    func sampleTree() throws -> ScratchDirectory {
        let tree = try ScratchDirectory()
        try tree.file("file.txt", "hello\n", mode: 0o644)
        try tree.file("exec.sh", "#!/bin/sh\n", mode: 0o4755)
        try tree.directory("subdir", mode: 0o2750)
        try tree.file("subdir/nested.txt", "nested", mode: 0o600)
        try tree.directory("shared", mode: 0o1777)
        try tree.file("B.txt", "capital sorts first", mode: 0o644)
        chmod(tree.path, 0o755)
        return tree
    }

    @Test func entriesComeInByteOrderDepthFirstWithDotRoot() throws {
        let tree = try sampleTree()
        let entries = try readEntries(try tarBytes(.directory(path: tree.path)))
        #expect(entries.map(\.name) == [".", "B.txt", "exec.sh", "file.txt", "shared", "subdir", "subdir/nested.txt"])
        #expect(entries.map(\.kind) == [.directory, .file, .file, .file, .directory, .directory, .file])
        let modes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.mode) })
        #expect(modes["."] == 0o755)
        #expect(modes["exec.sh"] == 0o4755)
        #expect(modes["subdir"] == 0o2750)
        #expect(modes["shared"] == 0o1777)
        #expect(modes["subdir/nested.txt"] == 0o600)
        for entry in entries {
            #expect(entry.modificationTime == 0)
            #expect(entry.uid == 0 && entry.gid == 0)
            #expect(entry.userName.isEmpty && entry.groupName.isEmpty)
            #expect(entry.magic == Array("ustar\0".utf8))
            #expect(entry.version == Array("00".utf8))
            #expect(!entry.hadPAXHeader)
            #expect(!entry.name.hasSuffix("/") && !entry.name.hasPrefix("./"))
        }
        #expect(entries.first { $0.name == "subdir/nested.txt" }?.size == 6)
    }

    @Test func gnuTarListsEntriesWithZeroOwnerAndEpochTime() async throws {
        let tree = try sampleTree()
        let result = try await shell("tar --list -v --numeric-owner --full-time -f -", stdin: try tarBytes(.directory(path: tree.path)))
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 7)
        #expect(lines.allSatisfy { $0.contains(" 0/0 ") && $0.contains("1970-01-01 00:00:00") })
        #expect(lines[0].hasPrefix("drwxr-xr-x") && lines[0].hasSuffix(" ."))
        #expect(lines.contains { $0.hasPrefix("-rwsr-xr-x") && $0.hasSuffix(" exec.sh") })
        #expect(lines.contains { $0.hasPrefix("drwxr-s---") && $0.hasSuffix(" subdir") })
        #expect(lines.contains { $0.hasPrefix("drwxrwxrwt") && $0.hasSuffix(" shared") })
        #expect(lines.last!.hasPrefix("-rw-------") && lines.last!.hasSuffix(" subdir/nested.txt"))
    }

    @Test func pythonTarfileReadsTheSameHeaders() async throws {
        let tree = try sampleTree()
        let script = """
        import sys, tarfile, json
        with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as t:
            print(json.dumps([[m.name, m.type.decode(), m.mode, m.mtime, m.uid, m.gid, m.uname, m.gname, m.size] for m in t]))
        """
        let result = try await shell("python3 -c '\(script)'", stdin: try tarBytes(.directory(path: tree.path)))
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[Any]])
        #expect(rows.map { $0[0] as? String } == [".", "B.txt", "exec.sh", "file.txt", "shared", "subdir", "subdir/nested.txt"])
        #expect(rows.map { $0[1] as? String } == ["5", "0", "0", "0", "5", "5", "0"])
        #expect(rows.map { $0[2] as? Int } == [0o755, 0o644, 0o4755, 0o644, 0o1777, 0o2750, 0o600])
        for row in rows {
            #expect(row[3] as? Int == 0 && row[4] as? Int == 0 && row[5] as? Int == 0)
            #expect(row[6] as? String == "" && row[7] as? String == "")
        }
    }

    /// Python's tarfile (USTAR) and Go's archive/tar lay out the fields identically (zero-padded octal + NUL,
    /// checksum "%06o\0 ") except that Go also writes devmajor/devminor as "0000000\0" where Python leaves NULs.
    /// So: equal to Python outside those two fields and the checksum, and Go's device fields and checksum on top.
    @Test func regularFileHeaderMatchesReferenceUSTARBytes() async throws {
        let ours = TarHeader.encode(name: "deploy/app.yaml", typeflag: TarHeader.typeRegular, mode: 0o640, size: 1234)
        let script = """
        import sys, tarfile
        i = tarfile.TarInfo("deploy/app.yaml"); i.size = 1234; i.mode = 0o640; i.mtime = 0; i.uid = i.gid = 0; i.uname = i.gname = ""
        sys.stdout.buffer.write(i.tobuf(tarfile.USTAR_FORMAT))
        """
        let reference = try await shell("python3 -c '\(script)'")
        #expect(reference.status == 0, "\(reference.stderr)")
        let python = [UInt8](reference.stdout)
        #expect(python.count == 512)
        let goOnly: [Range<Int>] = [148..<156, 329..<345]
        for index in 0..<512 where !goOnly.contains(where: { $0.contains(index) }) {
            #expect(ours[index] == python[index], "byte \(index)")
        }
        #expect(Array(ours[329..<345]) == Array("0000000\00000000\0".utf8))
        let checksum = ours.enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 32 : Int($1.element)) }
        #expect(Array(ours[148..<156]) == Array((String(format: "%06o", checksum) + "\0 ").utf8))
        // Field encodings as Go writes them.
        #expect(Array(ours[100..<108]) == Array("0000640\0".utf8))
        #expect(Array(ours[124..<136]) == Array("00000002322\0".utf8))
        #expect(Array(ours[136..<148]) == Array("00000000000\0".utf8))
        #expect(ours[154] == 0 && ours[155] == UInt8(ascii: " "))
    }

    @Test func longNamesSplitIntoPrefixOrUsePAX() async throws {
        let splittable = String(repeating: "d", count: 120) + "/" + String(repeating: "f", count: 90)
        let splitHeader = TarHeader.encode(name: splittable, typeflag: TarHeader.typeRegular, mode: 0o644, size: 0)
        #expect(splitHeader.count == 512) // prefix + name, no PAX
        let unsplittable = "dir/" + String(repeating: "x", count: 120)
        let paxHeader = TarHeader.encode(name: unsplittable, typeflag: TarHeader.typeRegular, mode: 0o644, size: 0)
        #expect(paxHeader.count == 512 * 3) // PAX header + its data block + main header
        #expect(paxHeader[156] == UInt8(ascii: "x"))
        #expect(String(decoding: paxHeader[0..<100].prefix { $0 != 0 }, as: UTF8.self) == "dir/PaxHeaders.0/" + String(repeating: "x", count: 83))
        let nonASCII = "café/naïve.yaml"
        let unicodeHeader = TarHeader.encode(name: nonASCII, typeflag: TarHeader.typeRegular, mode: 0o644, size: 0)
        #expect(unicodeHeader.count == 512 * 3)

        let tree = try ScratchDirectory()
        try tree.file(splittable, "a")
        try tree.file(unsplittable, "b")
        try tree.file(nonASCII, "c")
        let tar = try tarBytes(.directory(path: tree.path))
        let ours = try readEntries(tar).filter { $0.kind == .file }.map(\.name)
        #expect(Set(ours) == [splittable, unsplittable, nonASCII])
        let python = try await shell("python3 -c 'import sys, tarfile; print(\"\\n\".join(m.name for m in tarfile.open(fileobj=sys.stdin.buffer, mode=\"r|\")))'", stdin: tar)
        #expect(python.status == 0, "\(python.stderr)")
        #expect(Set(python.text.split(separator: "\n").map(String.init)).isSuperset(of: [splittable, unsplittable, nonASCII]))
    }

    @Test func sizesOfEightGiBAndMoreGoToPAX() throws {
        let size: UInt64 = 1 << 33
        let header = TarHeader.encode(name: "big.bin", typeflag: TarHeader.typeRegular, mode: 0o644, size: size)
        #expect(header.count == 512 * 3)
        #expect(String(decoding: header[512..<1024].prefix { $0 != 0 }, as: UTF8.self) == "19 size=8589934592\n")
        #expect(Array(header[1024 + 124..<1024 + 136]) == Array("00000000000\0".utf8))
        let reader = TarReader(DataBodyReader(Data(header)))
        let entry = try #require(try reader.next())
        #expect(entry.name == "big.bin" && entry.size == size && entry.hadPAXHeader)
    }

    @Test func singleFileBecomesDotAndBaseName() throws {
        let tree = try ScratchDirectory()
        let path = try tree.file("nested/app.yaml", "kind: ConfigMap\n", mode: 0o640)
        let entries = try readEntries(try tarBytes(.file(path: path)))
        #expect(entries.map(\.name) == [".", "app.yaml"])
        #expect(entries[0].kind == .directory && entries[0].mode == ArtifactSource.syntheticRootMode)
        #expect(entries[1].mode == 0o640 && entries[1].size == 16)
        #expect(try ArtifactSource.resolve(path: path) { Data() } == .file(path: path))
        #expect(try ArtifactSource.resolve(path: tree.path) { Data() } == .directory(path: tree.path))
        #expect(throws: ArtifactError.self) { try ArtifactSource.resolve(path: tree.url("missing")) { Data() } }
    }

    @Test func standardInputIsTrimmedWithFixedNameAndReproducibleDigest() throws {
        let first = Data("kind: ConfigMap\n---\r\n\n".utf8)
        let second = Data("kind: ConfigMap\n---".utf8)
        let source = try ArtifactSource.resolve(path: "-") { first }
        let tar = try tarBytes(source)
        let entries = try readEntries(tar)
        #expect(entries.map(\.name) == [".", "resources.yaml"])
        #expect(entries[1].mode == 0o644 && entries[1].size == UInt64(second.count))
        let reader = TarReader(DataBodyReader(tar))
        _ = try reader.next(); _ = try reader.next()
        #expect(try drain(TarContentReader(reader)) == second)

        let scratch = try ScratchDirectory()
        let a = try ArtifactBuilder.build(source: .standardInput(first), destinationPath: scratch.url("a.tgz"))
        let b = try ArtifactBuilder.build(source: .standardInput(second), destinationPath: scratch.url("b.tgz"))
        #expect(a.compressedDigest == b.compressedDigest)
        #expect(a.uncompressedDigest == b.uncompressedDigest)
    }

    @Test func symlinksAreSkippedUnlessResolvedAndCyclesAreBroken() throws {
        let tree = try ScratchDirectory()
        try tree.file("real/config.yaml", "a: 1\n", mode: 0o600)
        try tree.symlink("link.yaml", to: "real/config.yaml")
        try tree.symlink("linkdir", to: "real")
        try tree.symlink("real/loop", to: "..")
        try tree.symlink("dangling", to: "missing")
        #expect(try entryNames(.directory(path: tree.path)) == [".", "real", "real/config.yaml"])

        let resolved = try readEntries(try tarBytes(.directory(path: tree.path), ArtifactBuildOptions(resolveSymlinks: true)))
        #expect(resolved.map(\.name) == [".", "link.yaml", "linkdir", "linkdir/config.yaml", "real", "real/config.yaml"])
        #expect(resolved.first { $0.name == "link.yaml" }?.mode == 0o600)
        #expect(resolved.first { $0.name == "link.yaml" }?.size == 5)
    }

    @Test func fifosAreSkipped() throws {
        let tree = try ScratchDirectory()
        try tree.file("a.yaml", "a")
        mkfifo(tree.url("pipe"), 0o644)
        #expect(try entryNames(.directory(path: tree.path)) == [".", "a.yaml"])
    }
}

/// Reads the current entry's content as a byte stream.
final class TarContentReader: ArtifactByteReader {
    let tar: TarReader
    init(_ tar: TarReader) { self.tar = tar }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try tar.readContent(into: buffer) }
}
