import Foundation
import HTTPTransport
import JSON
import KubeConfig
import Testing
import TestSupport

@testable import KubeClient

private let ociRepositories = APIResource(group: "source.toolkit.fluxcd.io", version: "v1", plural: "ocirepositories", kind: "OCIRepository")

/// The protocol the plugin's curl transport speaks to the test API server, which offers ALPN h2 and http/1.1 like
/// kube-apiserver: HTTP/2 is what kubectl and the plugin use by default; HTTP/1.1 is forced through TransportOptions.
enum WireProtocol: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case http2 = "HTTP/2"
    case http1 = "HTTP/1.1"

    var testDescription: String { rawValue }

    var httpVersion: TransportOptions.HTTPVersion {
        switch self {
        case .http2: return .http2OverTLS
        case .http1: return .http1_1
        }
    }
}

/// The plugin's API client over the real curl transport, against the kube test server.
@Suite struct HTTP2APIServerTests {
    private static func client(_ server: KubeTestServer, _ wire: WireProtocol, certificate: Bool = false) -> KubeAPIClient {
        var options = TransportOptions(caPEM: Data(server.caPEM.utf8), httpVersion: wire.httpVersion)
        var credentials: (any CredentialProvider)? = StaticCredentialProvider(.bearerToken(server.adminToken), description: "admin token")
        if certificate {
            options.clientCertificatePEM = Data(server.clientCertPEM.utf8)
            options.clientKeyPEM = Data(server.clientKeyPEM.utf8)
            credentials = nil
        }
        return KubeAPIClient(endpoint: KubeEndpoint(server: URL(string: server.url)!, transportOptions: options, credentials: credentials),
                             transportFactory: { CurlTransport(options: $0) })
    }

    private static func ociRepository(_ name: String) -> [String: Any] {
        ["apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
         "metadata": ["name": name, "namespace": "flux-system"],
         "spec": ["interval": "1m", "url": "oci://registry.example/podinfo", "ref": ["tag": "6.3.5"]]]
    }

    /// `threads` and `activeRequests` (API requests whose handler has not returned, open watches among them).
    private static func state(_ server: KubeTestServer) async throws -> (threads: Int, activeRequests: Int) {
        let data = try await server.control("GET", "state", body: nil)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (json["threads"] as? Int ?? -1, json["activeRequests"] as? Int ?? -1)
    }

    @Test(arguments: WireProtocol.allCases)
    func getListAndCreateAreLoggedWithTheirProtocol(_ wire: WireProtocol) async throws {
        let server = try await KubeTestServer.start()
        defer { server.stop() }
        try await server.seed(objects: [Self.ociRepository("a"), Self.ociRepository("b")])
        let client = Self.client(server, wire)
        let object = try await client.get(ociRepositories, namespace: "flux-system", name: "a")
        #expect(object.value(at: "metadata.name")?.stringValue == "a")
        let created = try await client.create(ociRepositories, namespace: "flux-system",
                                              object: try JSONValue(parsing: JSONSerialization.data(withJSONObject: Self.ociRepository("c"))))
        #expect(created.value(at: "metadata.name")?.stringValue == "c")
        let list = try await Self.client(server, wire, certificate: true).list(ociRepositories, namespace: "flux-system")
        #expect(list.items.compactMap { $0.value(at: "metadata.name")?.stringValue } == ["a", "b", "c"])

        let log = try await server.requests()
        #expect(log.map(\.method) == ["GET", "POST", "GET"])
        #expect(log.map(\.protocol) == Array(repeating: wire.rawValue, count: 3))
        #expect(log.map(\.auth) == ["token", "token", "certificate"])
        #expect(log.map(\.user) == ["admin", "admin", "admin"])
        #expect(log.map(\.status) == [200, 201, 200])
        // The create's body went with its length on both protocols.
        #expect(log[1].headers["Content-Length"] != nil && log[1].headers["Transfer-Encoding"] == nil)
    }

    @Test(arguments: WireProtocol.allCases)
    func watchDeliversEvents(_ wire: WireProtocol) async throws {
        let server = try await KubeTestServer.start()
        defer { server.stop() }
        try await server.seed(objects: [Self.ociRepository("a")])
        let client = Self.client(server, wire)
        let feed = WatchFeed(try await client.watchOnce(ociRepositories, namespace: "flux-system", options: ListOptions(timeoutSeconds: 120)))
        #expect(await feed.waitFor(count: 1) == ["ADDED a"])
        _ = try await client.create(ociRepositories, namespace: "flux-system",
                                    object: try JSONValue(parsing: JSONSerialization.data(withJSONObject: Self.ociRepository("b"))))
        try await server.writeStatus(kind: "OCIRepository", name: "b", status: ["observedGeneration": 1])
        #expect(await feed.waitFor(count: 3) == ["ADDED a", "ADDED b", "MODIFIED b"])
        await feed.cancel()
        let watches = try await server.requests().filter { $0.query["watch"] == "1" }
        #expect(watches.count == 1)
        #expect(watches.first?.protocol == wire.rawValue)
        #expect(watches.first?.status == 200)
    }

    @Test(arguments: WireProtocol.allCases)
    func cancellingAWatchEndsItOnTheServer(_ wire: WireProtocol) async throws {
        let server = try await KubeTestServer.start()
        defer { server.stop() }
        try await server.seed(objects: [Self.ociRepository("a")])
        let client = Self.client(server, wire)
        _ = try await client.get(ociRepositories, namespace: "flux-system", name: "a")  // the pooled connection is up
        let before = try await Self.state(server)
        #expect(before.activeRequests == 0)

        let feed = WatchFeed(try await client.watchOnce(ociRepositories, namespace: "flux-system", options: ListOptions()))
        #expect(await feed.waitFor(count: 1) == ["ADDED a"])
        #expect(try await Self.state(server).activeRequests == 1)
        await feed.cancel()

        var after = try await Self.state(server)
        for _ in 0..<300 where after.activeRequests != 0 || after.threads > before.threads {
            try await Task.sleep(nanoseconds: 100_000_000)
            after = try await Self.state(server)
        }
        #expect(after.activeRequests == 0, "the server still handles the cancelled watch")
        #expect(after.threads <= before.threads, "a server thread outlived the cancelled watch")
        #expect(try await server.requests().map(\.protocol) == [wire.rawValue, wire.rawValue])
    }

    @Test(arguments: WireProtocol.allCases)
    func cutWatchResumesFromTheLastVersion(_ wire: WireProtocol) async throws {
        let server = try await KubeTestServer.start()
        defer { server.stop() }
        let seeded = try await server.seed(objects: [Self.ociRepository("podinfo")])
        let first = try await server.writeStatus(kind: "OCIRepository", name: "podinfo", status: ["lastHandledReconcileAt": "first"])
        let second = try await server.writeStatus(kind: "OCIRepository", name: "podinfo", status: ["lastHandledReconcileAt": "token"])
        let firstVersion = try #require((first["metadata"] as? [String: Any])?["resourceVersion"] as? String)
        let secondVersion = try #require((second["metadata"] as? [String: Any])?["resourceVersion"] as? String)
        // The first watch is cut after one event: a reset stream on HTTP/2, a missing final chunk on HTTP/1.1.
        try await server.setFaults(cutWatchAfterEvents: 1)

        let client = Self.client(server, wire)
        let found = try await withDeadline(seconds: 120) {
            try await client.watchObject(ociRepositories, namespace: "flux-system", name: "podinfo", from: seeded) { observed -> String? in
                guard case .present(let object) = observed, object.value(at: "status.lastHandledReconcileAt")?.stringValue == "token" else { return nil }
                return object.value(at: "metadata.resourceVersion")?.stringValue
            }
        }
        #expect(found == secondVersion)
        let watches = try await server.requests().filter { $0.query["watch"] == "1" }
        #expect(watches.map { $0.query["resourceVersion"] } == [seeded, firstVersion])
        #expect(watches.map(\.protocol) == [wire.rawValue, wire.rawValue])
        // watchObject stopped reading the resumed watch once it had decided: that watch ends on the server too.
        var active = try await Self.state(server).activeRequests
        for _ in 0..<100 where active != 0 {
            try await Task.sleep(nanoseconds: 100_000_000)
            active = try await Self.state(server).activeRequests
        }
        #expect(active == 0, "the server still serves the watch watchObject left")
    }
}

/// Consumes a watch on a task of its own and collects "TYPE name" for each event.
private final class WatchFeed: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String] = []
    private var task: Task<Void, Never>?

    init(_ events: AsyncThrowingStream<WatchEvent, Error>) {
        task = Task { [self] in
            do {
                for try await event in events {
                    append("\(event.type.rawValue) \(event.object.value(at: "metadata.name")?.stringValue ?? "?")")
                }
            } catch {
                append("failed: \(error)")
            }
        }
    }

    private func append(_ line: String) {
        lock.withLock { seen.append(line) }
    }

    var lines: [String] { lock.withLock { seen } }

    /// The lines once there are `count` of them (or what there is after a minute, for the test to report).
    func waitFor(count: Int) async -> [String] {
        for _ in 0..<600 where lines.count < count {
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
        return lines
    }

    /// Cancels the consuming task, which cancels the watch request, and waits for the task to end.
    func cancel() async {
        task?.cancel()
        await task?.value
    }
}
