import Foundation
import JSON

extension KubeAPIClient {
    /// Lists, then watches from the list's version, as kubectl's `get -w` does: yields the current objects as
    /// `.added` first, then every change. A dropped stream resumes from the last version seen; a 410 lists again
    /// and yields what changed meanwhile (objects gone as `.deleted`, the others as `.modified`).
    public func listAndWatch(_ resource: APIResource, namespace: String?, options: ListOptions = ListOptions()) -> AsyncThrowingStream<WatchEvent, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var known: [String: JSONValue] = [:]
                    var version = try await relist(resource, namespace: namespace, options: options, known: &known) { continuation.yield($0) }
                    var failures = 0
                    while !Task.isCancelled {
                        var watchOptions = options
                        watchOptions.resourceVersion = version
                        watchOptions.allowWatchBookmarks = true
                        watchOptions.timeoutSeconds = 300
                        do {
                            for try await event in try await watchOnce(resource, namespace: namespace, options: watchOptions) {
                                failures = 0
                                if event.type == .error {
                                    let status = KubeStatus(json: event.object) ?? KubeStatus(message: "watch failed", reason: "InternalError", code: 500)
                                    throw KubeAPIError(status: status, httpStatus: status.code)
                                }
                                version = event.resourceVersion ?? version
                                guard event.type != .bookmark else { continue }
                                let key = KubeAPIClient.objectKey(event.object)
                                if event.type == .deleted { known[key] = nil } else { known[key] = event.object }
                                continuation.yield(event)
                            }
                        } catch let error as KubeAPIError where error.isExpired {
                            version = try await relist(resource, namespace: namespace, options: options, known: &known) { continuation.yield($0) }
                        } catch let error where KubeAPIClient.isStreamInterruption(error) || error is KubeConnectionError {
                            failures += 1
                            if failures > 5 { throw error }
                            try await Task.sleep(nanoseconds: UInt64(100_000_000 * failures))
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Lists and reports the difference against what the caller has seen; returns the list's version.
    private func relist(_ resource: APIResource, namespace: String?, options: ListOptions, known: inout [String: JSONValue],
                        yield: (WatchEvent) -> Void) async throws -> String {
        let list = try await self.list(resource, namespace: namespace, options: options)
        var current: [String: JSONValue] = [:]
        for item in list.items { current[KubeAPIClient.objectKey(item)] = item }
        for (key, object) in known where current[key] == nil {
            yield(WatchEvent(type: .deleted, object: object))
        }
        for item in list.items {
            let key = KubeAPIClient.objectKey(item)
            if let previous = known[key] {
                if previous.value(at: "metadata.resourceVersion") != item.value(at: "metadata.resourceVersion") {
                    yield(WatchEvent(type: .modified, object: item))
                }
            } else {
                yield(WatchEvent(type: .added, object: item))
            }
        }
        known = current
        return list.resourceVersion
    }

    static func objectKey(_ object: JSONValue) -> String {
        "\(object.value(at: "metadata.namespace")?.stringValue ?? "")/\(object.value(at: "metadata.name")?.stringValue ?? "")"
    }
}
