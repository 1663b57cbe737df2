import Foundation
import HTTPTransport
import Testing
import TestSupport
@testable import OCI

@Suite struct ArtifactBuildTests {
    /// About 5 MiB of mixed text and random files: several chunks, so several gzip members.
    func payload(seed: UInt64 = 42, bytes: Int = 5 << 20, files: Int = 40) throws -> ScratchDirectory {
        let tree = try ScratchDirectory()
        try PayloadGenerator(seed: seed).generate(in: tree.path, totalBytes: bytes, fileCount: files)
        return tree
    }

    @Test func outputIsIdenticalForAnyThreadCountAndAcrossRuns() throws {
        let tree = try payload()
        let out = try ScratchDirectory()
        let one = try ArtifactBuilder.build(source: .directory(path: tree.path), options: ArtifactBuildOptions(threads: 1), destinationPath: out.url("one.tgz"))
        let two = try ArtifactBuilder.build(source: .directory(path: tree.path), options: ArtifactBuildOptions(threads: 2), destinationPath: out.url("two.tgz"))
        let again = try ArtifactBuilder.build(source: .directory(path: tree.path), options: ArtifactBuildOptions(threads: 2), destinationPath: out.url("again.tgz"))
        let four = try ArtifactBuilder.build(source: .directory(path: tree.path), options: ArtifactBuildOptions(threads: 4), destinationPath: out.url("four.tgz"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: one.path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: two.path)) == bytes)
        #expect(try Data(contentsOf: URL(fileURLWithPath: again.path)) == bytes)
        #expect(try Data(contentsOf: URL(fileURLWithPath: four.path)) == bytes)
        #expect(one.compressedDigest == two.compressedDigest && two.compressedDigest == again.compressedDigest)
        #expect(one.uncompressedDigest == four.uncompressedDigest)
        #expect(one.uncompressedSize > 4 << 20)
        // Several independent members: the gzip magic + fixed header appears once per chunk of tar.
        let header = Data(GzipMember.header)
        var members = 0
        var searchStart = bytes.startIndex
        while let found = bytes.range(of: header, in: searchStart..<bytes.endIndex) {
            members += 1
            searchStart = found.upperBound
        }
        let chunk = UInt64(ArtifactBuildOptions.chunkSize)
        #expect(members >= Int((one.uncompressedSize + chunk - 1) / chunk))
    }

    @Test func layerDigestsSizesAndFileMatchTheStreams() async throws {
        let tree = try payload(bytes: 3 << 20, files: 12)
        let out = try ScratchDirectory()
        let destination = out.url("artifact.tgz")
        let layer = try ArtifactBuilder.build(source: .directory(path: tree.path), destinationPath: destination)
        let gzipBytes = try Data(contentsOf: URL(fileURLWithPath: destination))
        let tar = try tarBytes(.directory(path: tree.path))
        #expect(layer.path == destination)
        #expect(layer.compressedSize == UInt64(gzipBytes.count))
        #expect(layer.compressedDigest == sha256(gzipBytes))
        #expect(layer.uncompressedSize == UInt64(tar.count))
        #expect(layer.uncompressedDigest == sha256(tar))
        #expect(try ArtifactBuilder.tarDigest(source: .directory(path: tree.path)) == TarDigest(digest: sha256(tar), size: UInt64(tar.count)))
        #expect(Array(gzipBytes.prefix(10)) == [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff])

        // Mode 0640 whatever the umask, and no temporary file left beside it.
        var info = stat()
        #expect(stat(destination, &info) == 0 && info.st_mode & 0o777 == 0o640)
        #expect(!FileManager.default.fileExists(atPath: destination + ".tmp"))

        // gzip(1), Python and our own zlib reader all decompress to exactly our tar stream.
        let gunzip = try await shell("gzip -dc '\(destination)'")
        #expect(gunzip.status == 0, "\(gunzip.stderr)")
        #expect(gunzip.stdout == tar)
        let python = try await shell("python3 -c 'import gzip,sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1],\"rb\").read()))' '\(destination)'")
        #expect(python.status == 0, "\(python.stderr)")
        #expect(python.stdout == tar)
        #expect(try drain(GzipDecompressingReader(FileBodyReader(path: destination))) == tar)
        #expect(try await shell("gzip -t '\(destination)'").status == 0)
    }

    /// Random data takes the stored (level 0) path; it must still decompress, with gzip(1), to exactly our tar.
    @Test func incompressibleChunksRoundTrip() async throws {
        let tree = try ScratchDirectory()
        var random = PayloadGenerator.Random(seed: 99)
        try PayloadGenerator.randomBytes(size: 3 << 20, random: &random).write(to: URL(fileURLWithPath: tree.url("noise.bin")))
        try Data(String(repeating: "kind: ConfigMap\n", count: 4096).utf8).write(to: URL(fileURLWithPath: tree.url("text.yaml")))
        let out = try ScratchDirectory()
        let destination = out.url("artifact.tgz")
        let layer = try ArtifactBuilder.build(source: .directory(path: tree.path), destinationPath: destination)
        let tar = try tarBytes(.directory(path: tree.path))
        let gunzip = try await shell("gzip -dc '\(destination)'")
        #expect(gunzip.status == 0, "\(gunzip.stderr)")
        #expect(gunzip.stdout == tar)
        // Stored chunks add only block headers: a few bytes per 64 KiB, far below what compressing noise could save.
        #expect(layer.compressedSize < layer.uncompressedSize)
        #expect(Double(layer.compressedSize) > Double(3 << 20) * 0.999)
    }

    @Test func compressedSizeStaysWithinThreePercentOfGzipLevelSix() async throws {
        let tree = try payload(seed: 7, bytes: 6 << 20, files: 60)
        let out = try ScratchDirectory()
        let layer = try ArtifactBuilder.build(source: .directory(path: tree.path), destinationPath: out.url("a.tgz"))
        try tarBytes(.directory(path: tree.path)).write(to: URL(fileURLWithPath: out.url("a.tar")))
        let reference = try await shell("gzip -6 -n -c '\(out.url("a.tar"))' | wc -c")
        let referenceSize = try #require(Double(reference.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        let ratio = Double(layer.compressedSize) / referenceSize
        #expect(ratio <= 1.03, "ours \(layer.compressedSize) vs gzip -6 \(referenceSize)")
    }

    @Test func failedBuildLeavesNoFileBehind() throws {
        let out = try ScratchDirectory()
        let destination = out.url("artifact.tgz")
        #expect(throws: ArtifactError.self) {
            try ArtifactBuilder.build(source: .directory(path: out.url("missing")), destinationPath: destination)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
        #expect(throws: ArtifactError.self) {
            try ArtifactBuilder.build(source: .standardInput(Data("x".utf8)), destinationPath: out.url("no/such/dir/a.tgz"))
        }
    }

    @Test func readerHandlesForeignMultiMemberGzip() async throws {
        let out = try ScratchDirectory()
        try out.file("a.txt", "first\n")
        try out.file("b.txt", "second\n")
        let result = try await shell("cd '\(out.path)' && (gzip -c a.txt; pigz -c b.txt) > both.gz")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: try drain(GzipDecompressingReader(FileBodyReader(path: out.url("both.gz")))), as: UTF8.self) == "first\nsecond\n")
        let truncated = try Data(contentsOf: URL(fileURLWithPath: out.url("both.gz"))).dropLast(5)
        #expect(throws: ArtifactError.self) { try drain(GzipDecompressingReader(DataBodyReader(Data(truncated)))) }
        #expect(throws: ArtifactError.self) { try drain(GzipDecompressingReader(DataBodyReader(Data()))) }
        #expect(throws: ArtifactError.self) { try drain(GzipDecompressingReader(DataBodyReader(Data("not gzip".utf8)))) }
    }

    struct Boom: Error {}

    @Test func pipelineErrorsStopEveryThreadAndSurface() throws {
        // The producer fails after several chunks (more than fit in flight): the error surfaces, nothing hangs.
        let gzip = ParallelGzip(level: 6, threads: 2, chunkSize: 64 << 10)
        var consumed = 0
        #expect(throws: Boom.self) {
            try gzip.run(produce: { emit in
                var chunk = ChunkBuffer(capacity: 64 << 10)
                for _ in 0..<10 {
                    chunk.count = chunk.capacity
                    chunk = try emit(chunk)
                }
                throw Boom()
            }, consume: { _ in consumed += 1 })
        }
        #expect(consumed <= 10)

        // The writer fails: the producer is released from its wait and the error surfaces.
        let second = ParallelGzip(level: 6, threads: 2, chunkSize: 64 << 10)
        #expect(throws: Boom.self) {
            try second.run(produce: { emit in
                var chunk = ChunkBuffer(capacity: 64 << 10)
                for _ in 0..<100 {
                    chunk.count = chunk.capacity
                    chunk = try emit(chunk)
                }
            }, consume: { _ in throw Boom() })
        }
    }
}

@Suite struct ChunkRelayTests {
    struct Stop: Error, Equatable { var side: String }

    /// Fills and emits `count` chunks whose first byte is their index.
    func produce(_ count: Int, thenThrow error: Error? = nil) -> (@escaping TarChunker.Emit) throws -> Void {
        { emit in
            var chunk = ChunkBuffer(capacity: 16)
            for index in 0..<count {
                chunk.storage.storeBytes(of: UInt8(truncatingIfNeeded: index), as: UInt8.self)
                chunk.count = 16
                chunk = try emit(chunk)
                chunk.count = 0
            }
            if let error { throw error }
        }
    }

    @Test func chunksArriveInOrderThroughFewBuffers() throws {
        var seen: [UInt8] = []
        try ChunkRelay(chunkSize: 16, depth: 2).run(produce: produce(200), consume: { bytes in
            #expect(bytes.count == 16)
            seen.append(bytes[0])
        })
        #expect(seen == (0..<200).map { UInt8($0) })
    }

    @Test func aProducerErrorEndsTheRunWithThatError() {
        var seen = 0
        #expect(throws: Stop(side: "producer")) {
            try ChunkRelay(chunkSize: 16).run(produce: produce(5, thenThrow: Stop(side: "producer")), consume: { _ in seen += 1 })
        }
        #expect(seen <= 5)
    }

    @Test func aConsumerErrorStopsTheProducerInsteadOfHangingIt() {
        // The producer would emit forever: it must be released (and stop) when the consumer gives up.
        #expect(throws: Stop(side: "consumer")) {
            try ChunkRelay(chunkSize: 16, depth: 2).run(produce: produce(Int.max), consume: { bytes in
                if bytes[0] == 3 { throw Stop(side: "consumer") }
            })
        }
    }
}
