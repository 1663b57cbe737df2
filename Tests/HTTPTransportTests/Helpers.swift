import Foundation
import HTTPTransport
import TestSupport

/// What the fixture's /echo endpoint saw.
struct Echo: Decodable {
    var method: String
    var path: String
    var query: String
    var headers: [[String]]
    var bodyBytes: Int
    var sha256: String
    var chunked: Bool
    var connection: Int
    var requestOnConnection: Int
    var clientPort: Int
    var tls: Bool
    var sni: String?
    var clientCertificate: String?
    var proxiedHost: String?

    func header(_ name: String) -> String? {
        headers.first { $0[0].caseInsensitiveCompare(name) == .orderedSame }?[1]
    }
}

struct Attempts: Decodable { var attempts: Int }

var fixture: HTTPFixtureServer { HTTPFixtureServer.shared }

func decode<T: Decodable>(_ type: T.Type, _ response: HTTPResponse) throws -> T {
    try JSONDecoder().decode(type, from: response.body)
}

func uniqueKey() -> String { UUID().uuidString }

/// A reader of `totalBytes` made of one block repeated, produced on the fly; it records the largest buffer asked for
/// and the highest resident memory seen while the upload ran.
final class RepeatingBlockReader: HTTPBodyReader {
    let block: [UInt8]
    let totalBytes: Int
    private(set) var produced = 0
    private(set) var calls = 0
    private(set) var largestRead = 0

    init(block: [UInt8], totalBytes: Int) {
        self.block = block
        self.totalBytes = totalBytes
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        calls += 1
        largestRead = max(largestRead, buffer.count)
        var written = 0
        let wanted = min(buffer.count, totalBytes - produced)
        block.withUnsafeBytes { source in
            while written < wanted {
                let offset = (produced + written) % block.count
                let piece = min(wanted - written, block.count - offset)
                (buffer.baseAddress! + written).copyMemory(from: source.baseAddress! + offset, byteCount: piece)
                written += piece
            }
        }
        produced += written
        return written
    }
}

/// SHA-256 of `block` repeated `times`, computed by Python (the tests have no hashing library of their own).
func sha256Hex(ofBlock block: [UInt8], repeated times: Int) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import hashlib,sys; b=sys.stdin.buffer.read(); print(hashlib.sha256(b*\(times)).hexdigest())"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(block))
    try input.fileHandleForWriting.close()
    let digest = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: digest, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

func randomBlock(_ size: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

/// Collects log lines from any thread.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    func append(_ line: String) {
        lock.lock()
        storage.append(line)
        lock.unlock()
    }
}

/// Records the waits a RetryingTransport asks for instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [TimeInterval] = []

    var delays: [TimeInterval] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    var sleep: @Sendable (TimeInterval) async throws -> Void {
        { [self] seconds in
            lock.withLock { storage.append(seconds) }
        }
    }
}
