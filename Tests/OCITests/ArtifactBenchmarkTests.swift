import Foundation
import Testing
import TestSupport
@testable import OCI

/// Benchmark hooks for bench/push.sh, NOT tests: they run only when BENCH is set (normal runs report them as
/// skipped by design). BENCH=generate writes the payload into BENCH_DIR (BENCH_MIB, BENCH_FILES, BENCH_SEED);
/// BENCH=build builds BENCH_DIR into BENCH_OUTPUT and writes in-process figures to BENCH_RESULT.
@Suite struct ArtifactBenchmark {
    static let environment = ProcessInfo.processInfo.environment

    @Test(.enabled(if: environment["BENCH"] == "generate"))
    func generatePayload() throws {
        let directory = try #require(Self.environment["BENCH_DIR"])
        let mebibytes = Int(Self.environment["BENCH_MIB"] ?? "200") ?? 200
        let files = Int(Self.environment["BENCH_FILES"] ?? "2000") ?? 2000
        let seed = UInt64(Self.environment["BENCH_SEED"] ?? "20261126") ?? 20261126
        let written = try PayloadGenerator(seed: seed).generate(in: directory, totalBytes: mebibytes << 20, fileCount: files)
        #expect(written > 0)
    }

    @Test(.enabled(if: environment["BENCH"] == "build"))
    func buildArtifact() throws {
        let directory = try #require(Self.environment["BENCH_DIR"])
        let output = try #require(Self.environment["BENCH_OUTPUT"])
        let threads = Int(Self.environment["BENCH_THREADS"] ?? "") ?? ProcessInfo.processInfo.activeProcessorCount
        let rssBefore = Self.statusField("VmRSS")
        // Reset the peak-RSS watermark so VmHWM covers the build alone.
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let cpuBefore = Self.cpuSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        let layer = try ArtifactBuilder.build(source: .directory(path: directory), options: ArtifactBuildOptions(threads: threads),
                                              destinationPath: output)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = Self.cpuSeconds() - cpuBefore
        let peak = Self.statusField("VmHWM")
        let report = """
        wall_seconds=\(wall)
        cpu_seconds=\(cpu)
        rss_before_kib=\(rssBefore)
        peak_rss_kib=\(peak)
        compressed_size=\(layer.compressedSize)
        compressed_digest=\(layer.compressedDigest)
        uncompressed_size=\(layer.uncompressedSize)
        uncompressed_digest=\(layer.uncompressedDigest)

        """
        if let path = Self.environment["BENCH_RESULT"] { try report.write(toFile: path, atomically: true, encoding: .utf8) }
        print(report)
        #expect(layer.compressedSize > 0)
    }

    @Test(.enabled(if: environment["BENCH"] == "noop"))
    func baselineProcess() {
        #expect(Self.statusField("VmHWM") > 0)
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// A `kB` field of /proc/self/status.
    static func statusField(_ name: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
        }
        return -1
    }
}
