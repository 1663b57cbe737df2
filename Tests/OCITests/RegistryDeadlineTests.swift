import Foundation
import HTTPTransport
import Testing
import TestSupport
@testable import OCI

/// Retries against a scripted registry: Retry-After is honoured on every retried request (blob downloads too), a
/// timed-out request is not sent again, and `--request-timeout` bounds a step with its retries.
@Suite struct RegistryDeadlineTests {
    static let reference = try! OCIReference(parsing: "oci://registry.example.com/app:v1")
    static let content = Data("layer bytes".utf8)
    static var descriptor: RegistryDescriptor {
        RegistryDescriptor(mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: SHA256Hasher.digest(of: content), size: Int64(content.count))
    }

    final class Waits: @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [TimeInterval] = []
        func add(_ seconds: TimeInterval) { lock.withLock { recorded.append(seconds) } }
        var values: [TimeInterval] { lock.withLock { recorded } }
    }

    static func client(_ transport: ScriptedTransport, waits: Waits, overallTimeout: TimeInterval? = nil) -> RegistryClient {
        RegistryClient(transport: transport, options: RegistryClientOptions(
            plainHTTP: true, initialBackoff: 0.25, sleep: { waits.add($0) }, overallTimeout: overallTimeout))
    }

    @Test func blobDownloadsHonourRetryAfter() async throws {
        let content = Self.content
        let transport = ScriptedTransport { _, index in
            index == 0 ? .response(HTTPResponse(status: 503, headers: ["Retry-After": "1"], body: Data("{}".utf8)))
                : .response(HTTPResponse(status: 200, headers: [:], body: content))
        }
        let waits = Waits()
        let destination = FileManager.default.temporaryDirectory.appendingPathComponent("blob-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: destination) }
        try await Self.client(transport, waits: waits).downloadBlob(Self.descriptor, from: Self.reference, to: destination)
        #expect(transport.requests.count == 2)
        #expect(waits.values == [1.0], "waited \(waits.values) instead of the registry's Retry-After")
        #expect(FileManager.default.contents(atPath: destination) == content)
    }

    @Test func aTimedOutRequestIsNotSentAgain() async throws {
        let transport = ScriptedTransport { request, _ in
            .failure(TransportError(kind: .timedOut, server: "http://registry.example.com", message: "the request timed out"))
        }
        let waits = Waits()
        await #expect(throws: RegistryError.self) { _ = try await Self.client(transport, waits: waits).listTags(Self.reference) }
        #expect(transport.requests.count == 1, "a timed-out request was retried")
        #expect(waits.values.isEmpty)
    }

    @Test func theRequestTimeoutBoundsRetriesAndEachAttempt() async throws {
        // Always overloaded, asking for 5 s: with a 2 s bound no wait fits, so one attempt, bounded to 2 s.
        let transport = ScriptedTransport { _, _ in
            .response(HTTPResponse(status: 503, headers: ["Retry-After": "5"], body: Data("{}".utf8)))
        }
        let waits = Waits()
        await #expect(throws: RegistryError.self) {
            _ = try await Self.client(transport, waits: waits, overallTimeout: 2).listTags(Self.reference)
        }
        #expect(transport.requests.count == 1)
        #expect(waits.values.isEmpty)
        let timeout = try #require(transport.requests.first?.timeout)
        #expect(timeout > 0 && timeout <= 2)

        // Without the bound the same registry is retried, honouring its Retry-After.
        let unbounded = ScriptedTransport { _, _ in
            .response(HTTPResponse(status: 503, headers: ["Retry-After": "5"], body: Data("{}".utf8)))
        }
        let patient = Waits()
        await #expect(throws: RegistryError.self) { _ = try await Self.client(unbounded, waits: patient).listTags(Self.reference) }
        #expect(unbounded.requests.count == 4)
        #expect(patient.values == [5, 5, 5])
    }
}
