import Foundation
import HTTPTransport
import TestSupport
import Testing

/// The Python fixture speaks HTTP/1.1 only; Debian's docker-registry (Go) offers h2 over TLS, so it shows
/// that our head parsing copes with `HTTP/2 200` and HTTP/2 framing.
@Suite struct HTTP2Tests {
    @Test func tlsServerOfferingH2IsSpokenToInHTTP2() async throws {
        let registry = try GoRegistry(certificateDirectory: fixture.certificateDirectory)
        defer { registry.stop() }
        let transport = CurlTransport(options: TransportOptions(caPEM: fixture.caPEM))
        let response = try await transport.send(HTTPRequest(url: URL(string: "https://127.0.0.1:\(registry.port)/v2/")!))
        #expect(response.status == 200)
        // HTTP/2 carries header names in lower case; Go's HTTP/1.1 writes them canonicalised (Content-Type).
        let names = response.headers.map(\.name)
        #expect(names.contains("docker-distribution-api-version"))
        #expect(names.allSatisfy { $0 == $0.lowercased() })

        let missing = try await transport.stream(HTTPRequest(url: URL(string: "https://127.0.0.1:\(registry.port)/v2/none/manifests/latest")!))
        #expect(missing.status == 404)
        var body = Data()
        for try await chunk in missing.body { body.append(chunk) }
        #expect(String(decoding: body, as: UTF8.self).contains("MANIFEST_UNKNOWN"))
    }
}

/// docker-registry on a free 127.0.0.1 port with the fixture's server certificate.
final class GoRegistry {
    let port: Int
    private let process = Process()
    private let directory: URL

    init(certificateDirectory: URL) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        let config = """
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: \(directory.path)/data
            http:
              addr: 127.0.0.1:\(port)
              tls:
                certificate: \(certificateDirectory.path)/server.pem
                key: \(certificateDirectory.path)/server-key.pem
            """
        let configFile = directory.appendingPathComponent("config.yml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", configFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilListening()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    private func waitUntilListening() throws {
        for _ in 0..<100 {
            if Self.canConnect(port: port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw HTTPFixtureError(message: "docker-registry did not listen on 127.0.0.1:\(port)")
    }

    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HTTPFixtureError(message: "cannot bind a free port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func canConnect(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
