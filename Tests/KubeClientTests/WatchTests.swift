import Foundation
import HTTPTransport
import JSON
import TestSupport
import Testing

@testable import KubeClient

private let ociRepositories = APIResource(group: "source.toolkit.fluxcd.io", version: "v1", plural: "ocirepositories", kind: "OCIRepository")

/// Event lines as recorded from a real watch (Tests/Fixtures/kube-api/39-watch-stream.json), split into two chunks mid-line.
private func recordedWatchChunks() throws -> [Data] {
    let exchange = try RepositoryPaths.recordedExchange("39-watch-stream.json")
    let events = (exchange["events"] as! [[String: Any]]).dropFirst()
    var stream = Data()
    for event in events {
        stream.append(try JSONSerialization.data(withJSONObject: event))
        stream.append(0x0A)
    }
    let middle = stream.count / 2 + 7
    return [stream.prefix(middle), stream.suffix(from: middle)]
}

private func object(_ name: String, rv: String, generation: Int = 1, handled: String? = nil) -> [String: Any] {
    var status: [String: Any] = [:]
    if let handled { status["lastHandledReconcileAt"] = handled }
    return ["kind": "OCIRepository", "metadata": ["name": name, "resourceVersion": rv, "generation": generation], "status": status]
}

private func line(_ type: String, _ object: [String: Any]) -> Data {
    var data = try! JSONSerialization.data(withJSONObject: ["type": type, "object": object])
    data.append(0x0A)
    return data
}

@Suite struct WatchTests {
    @Test func recordedStreamDecodesInOrder() async throws {
        let chunks = try recordedWatchChunks()
        let transport = ScriptedTransport { _, _ in .stream(status: 200, headers: [:], chunks: chunks, endError: nil) }
        let client = KubeAPIClient(endpoint: KubeEndpoint(server: URL(string: "https://127.0.0.1:1")!), transportFactory: { _ in transport })
        var types: [WatchEvent.EventType] = []
        var generations: [Int] = []
        for try await event in try await client.watchOnce(ociRepositories, namespace: "flux-system", options: ListOptions(resourceVersion: "198", allowWatchBookmarks: true)) {
            types.append(event.type)
            if let generation = event.object.value(at: "metadata.generation")?.intValue { generations.append(generation) }
        }
        #expect(types == [.added, .added, .added, .added, .added, .modified, .modified, .modified, .modified, .modified, .deleted, .bookmark])
        #expect(Array(generations[5...9]) == [1, 2, 3, 4, 4])
        let query = try #require(transport.requests.first?.url.query)
        #expect(query.hasPrefix("watch=1&") && query.contains("resourceVersion=198") && query.contains("allowWatchBookmarks=true"))
    }

    @Test func watchObjectSkipsBookmarksAndStopsWhenDecided() async throws {
        let transport = ScriptedTransport { _, _ in
            .stream(status: 200, headers: [:], chunks: [
                line("BOOKMARK", ["kind": "OCIRepository", "metadata": ["resourceVersion": "11"]]),
                line("MODIFIED", object("podinfo", rv: "12")),
                line("MODIFIED", object("podinfo", rv: "13", handled: "token")),
            ], endError: nil)
        }
        let client = KubeAPIClient(endpoint: KubeEndpoint(server: URL(string: "https://127.0.0.1:1")!), transportFactory: { _ in transport })
        let version = try await client.watchObject(ociRepositories, namespace: "flux-system", name: "podinfo", from: "10") { observed -> String? in
            guard case .present(let object) = observed, object.value(at: "status.lastHandledReconcileAt")?.stringValue == "token" else { return nil }
            return object.value(at: "metadata.resourceVersion")?.stringValue
        }
        #expect(version == "13")
        #expect(transport.requests.count == 1)
        #expect(transport.requests[0].url.query?.contains("fieldSelector=metadata.name%3Dpodinfo") == true
            || transport.requests[0].url.query?.contains("fieldSelector=metadata.name=podinfo") == true)
    }

    @Test func cutStreamResumesFromTheLastVersionWithoutLosingTheChange() async throws {
        let transport = ScriptedTransport { request, index in
            if index == 0 {
                // The connection drops after one event.
                return .stream(status: 200, headers: [:], chunks: [line("MODIFIED", object("podinfo", rv: "21"))],
                               endError: TransportError(kind: .other, server: "https://127.0.0.1:1", message: "connection reset"))
            }
            return .stream(status: 200, headers: [:], chunks: [line("MODIFIED", object("podinfo", rv: "22", handled: "token"))], endError: nil)
        }
        let client = KubeAPIClient(endpoint: KubeEndpoint(server: URL(string: "https://127.0.0.1:1")!), transportFactory: { _ in transport })
        let found = try await client.watchObject(ociRepositories, namespace: "flux-system", name: "podinfo", from: "20") { observed -> Bool? in
            guard case .present(let object) = observed else { return nil }
            return object.value(at: "status.lastHandledReconcileAt")?.stringValue == "token" ? true : nil
        }
        #expect(found)
        #expect(transport.requests.count == 2)
        #expect(transport.requests[1].url.query?.contains("resourceVersion=21") == true)
    }

    @Test func expiredWatchReReadsTheObjectAndWatchesFromItsVersion() async throws {
        let expiredEvent = try RepositoryPaths.recordedExchange("40-watch-expired.json")["events"] as! [[String: Any]]
        var expiredLine = try JSONSerialization.data(withJSONObject: expiredEvent[1])
        expiredLine.append(0x0A)
        let firstLine = expiredLine
        let transport = ScriptedTransport { request, index in
            switch index {
            case 0: return .stream(status: 200, headers: [:], chunks: [firstLine], endError: nil)
            case 1: return .response(.json(200, object("podinfo", rv: "300")))  // the re-read after 410
            default:
                return .stream(status: 200, headers: [:], chunks: [line("MODIFIED", object("podinfo", rv: "301", handled: "token"))], endError: nil)
            }
        }
        let client = KubeAPIClient(endpoint: KubeEndpoint(server: URL(string: "https://127.0.0.1:1")!), transportFactory: { _ in transport })
        let found = try await client.watchObject(ociRepositories, namespace: "flux-system", name: "podinfo", from: "2") { observed -> Bool? in
            guard case .present(let object) = observed else { return nil }
            return object.value(at: "status.lastHandledReconcileAt")?.stringValue == "token" ? true : nil
        }
        #expect(found)
        #expect(transport.requests.map(\.method) == ["GET", "GET", "GET"])
        #expect(transport.requests[1].url.path.hasSuffix("/ocirepositories/podinfo"))
        #expect(transport.requests[2].url.query?.contains("resourceVersion=300") == true)
    }

    @Test func deadlineEndsAWatchThatNeverDecides() async throws {
        let transport = ScriptedTransport { _, _ in .stream(status: 200, headers: [:], chunks: [], endError: nil) }
        let client = KubeAPIClient(endpoint: KubeEndpoint(server: URL(string: "https://127.0.0.1:1")!), transportFactory: { _ in transport })
        await #expect(throws: KubeTimeoutError.self) {
            try await withDeadline(seconds: 0.3) {
                try await client.watchObject(ociRepositories, namespace: "flux-system", name: "podinfo", from: "1") { _ -> Bool? in nil }
            }
        }
    }
}

@Suite struct ListAndWatchTests {
    @Test func listsThenWatchesAndRelistsAfterExpiry() async throws {
        let expired = try RepositoryPaths.recordedExchange("40-watch-expired.json")["events"] as! [[String: Any]]
        var expiredLine = try JSONSerialization.data(withJSONObject: expired[1])
        expiredLine.append(0x0A)
        let errorLine = expiredLine
        let transport = ScriptedTransport { request, index in
            let isWatch = request.url.query?.contains("watch=1") == true
            switch (index, isWatch) {
            case (0, false):
                return .response(.json(200, ["items": [object("a", rv: "5"), object("b", rv: "6")], "metadata": ["resourceVersion": "6"]]))
            case (1, true):
                return .stream(status: 200, headers: [:], chunks: [line("MODIFIED", object("a", rv: "7")), errorLine], endError: nil)
            case (2, false):
                // After the 410: "b" is gone, "a" unchanged since the event, "c" is new.
                return .response(.json(200, ["items": [object("a", rv: "7"), object("c", rv: "9")], "metadata": ["resourceVersion": "9"]]))
            default:
                return .stream(status: 200, headers: [:], chunks: [line("DELETED", object("c", rv: "10"))], endError: nil)
            }
        }
        let client = KubeAPIClient(endpoint: KubeEndpoint(server: URL(string: "https://127.0.0.1:1")!), transportFactory: { _ in transport })
        var seen: [String] = []
        for try await event in client.listAndWatch(ociRepositories, namespace: "flux-system") {
            seen.append("\(event.type.rawValue) \(event.object.value(at: "metadata.name")?.stringValue ?? "?")")
            if seen.count == 6 { break }
        }
        #expect(seen == ["ADDED a", "ADDED b", "MODIFIED a", "DELETED b", "ADDED c", "DELETED c"])
        #expect(transport.requests[3].url.query?.contains("resourceVersion=9") == true)
    }
}
