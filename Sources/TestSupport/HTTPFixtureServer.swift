import Foundation

/// Runs Tests/Support/http-fixture/server.py: plain HTTP and TLS listeners on free 127.0.0.1 ports with a
/// throwaway PKI (CA, server certificate for 127.0.0.1/localhost/kube.test, client certificate, unrelated CA).
/// The server ends when `stop()` is called or the test process exits (it watches its stdin).
public final class HTTPFixtureServer: @unchecked Sendable {
    public let httpPort: Int
    public let httpsPort: Int
    public let certificateDirectory: URL
    public let caPEM: Data
    /// A CA that signed nothing the fixture serves: trusting only it must fail verification.
    public let otherCAPEM: Data
    public let clientCertificatePEM: Data
    public let clientKeyPEM: Data

    private let process: Process
    private let input: Pipe
    private let lock = NSLock()
    private var stopped = false

    /// One fixture shared by every test of the process; its endpoints keep per-key state, so tests stay apart.
    public static let shared: HTTPFixtureServer = {
        do { return try HTTPFixtureServer() } catch { fatalError("cannot start the HTTP fixture server: \(error)") }
    }()

    public static var scriptPath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Support/http-fixture/server.py").path
    }

    public init() throws {
        certificateDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("http-fixture-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: certificateDirectory, withIntermediateDirectories: true)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scriptPath, "--cert-dir", certificateDirectory.path]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()

        var announcement = Data()
        while !announcement.contains(0x0A) {
            let piece = output.fileHandleForReading.availableData
            if piece.isEmpty { break }
            announcement.append(piece)
        }
        struct Ports: Decodable { var http: Int; var https: Int }
        guard let line = announcement.split(separator: 0x0A).first,
              let ports = try? JSONDecoder().decode(Ports.self, from: Data(line)) else {
            process.terminate()
            throw HTTPFixtureError(message: "the HTTP fixture server at \(Self.scriptPath) did not announce its ports (is python3 with the cryptography module installed?)")
        }
        httpPort = ports.http
        httpsPort = ports.https
        let directory = certificateDirectory
        func pem(_ name: String) throws -> Data {
            try Data(contentsOf: directory.appendingPathComponent(name))
        }
        caPEM = try pem("ca.pem")
        otherCAPEM = try pem("other-ca.pem")
        clientCertificatePEM = try pem("client.pem")
        clientKeyPEM = try pem("client-key.pem")
    }

    deinit { stop() }

    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: certificateDirectory)
    }

    /// `http://127.0.0.1:port` + path (with query).
    public func httpURL(_ pathAndQuery: String) -> URL {
        URL(string: "http://127.0.0.1:\(httpPort)\(pathAndQuery)")!
    }

    /// `https://host:port` + path; the host defaults to 127.0.0.1, which the server certificate names.
    public func httpsURL(_ pathAndQuery: String, host: String = "127.0.0.1") -> URL {
        URL(string: "https://\(host):\(httpsPort)\(pathAndQuery)")!
    }
}

public struct HTTPFixtureError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
