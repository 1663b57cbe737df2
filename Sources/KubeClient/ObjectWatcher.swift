import Foundation
import HTTPTransport
import JSON

/// What a watcher saw of the object: its latest state, or that it is gone.
public enum ObservedObject: Sendable {
    case present(JSONValue)
    case deleted
}

extension KubeAPIClient {
    /// Watches one object (field selector on its name) until `decide` returns a value.
    ///
    /// Starts from `resourceVersion` so no change after it is missed; a dropped stream resumes from the last
    /// version seen, and a 410 Expired re-reads the object and watches again from its current version.
    public func watchObject<Result: Sendable>(
        _ resource: APIResource, namespace: String?, name: String, from resourceVersion: String?,
        decide: @Sendable (ObservedObject) throws -> Result?
    ) async throws -> Result {
        var lastVersion = resourceVersion
        if lastVersion == nil {
            let current = try await getOrDeleted(resource, namespace: namespace, name: name)
            if let result = try decide(current.observed) { return result }
            lastVersion = current.version
        }
        var consecutiveFailures = 0
        while true {
            try Task.checkCancellation()
            let options = ListOptions(fieldSelector: "metadata.name=\(name)", resourceVersion: lastVersion,
                                      timeoutSeconds: 300, allowWatchBookmarks: true)
            do {
                let events = try await watchOnce(resource, namespace: namespace, options: options)
                for try await event in events {
                    consecutiveFailures = 0
                    switch event.type {
                    case .added, .modified:
                        lastVersion = event.resourceVersion ?? lastVersion
                        if let result = try decide(.present(event.object)) { return result }
                    case .deleted:
                        lastVersion = event.resourceVersion ?? lastVersion
                        if let result = try decide(.deleted) { return result }
                    case .bookmark:
                        lastVersion = event.resourceVersion ?? lastVersion
                    case .error:
                        let status = KubeStatus(json: event.object) ?? KubeStatus(message: "watch failed", reason: "InternalError", code: 500)
                        let error = KubeAPIError(status: status, httpStatus: status.code)
                        guard error.isExpired else { throw error }
                        // Too old to resume: read the object as it is now, then watch from there.
                        let current = try await getOrDeleted(resource, namespace: namespace, name: name)
                        if let result = try decide(current.observed) { return result }
                        lastVersion = current.version
                    }
                }
            } catch let error as KubeAPIError where error.isExpired {
                let current = try await getOrDeleted(resource, namespace: namespace, name: name)
                if let result = try decide(current.observed) { return result }
                lastVersion = current.version
            } catch is KubeConnectionError where consecutiveFailures < 5 {
                consecutiveFailures += 1
                try await Task.sleep(nanoseconds: UInt64(200_000_000 * consecutiveFailures))
            } catch let error where KubeAPIClient.isStreamInterruption(error) && consecutiveFailures < 5 {
                consecutiveFailures += 1
            }
            // The stream ended (server timeout or a cut connection): resume from the last version seen.
        }
    }

    private func getOrDeleted(_ resource: APIResource, namespace: String?, name: String) async throws -> (observed: ObservedObject, version: String?) {
        do {
            let object = try await get(resource, namespace: namespace, name: name)
            return (.present(object), object.value(at: "metadata.resourceVersion")?.stringValue)
        } catch let error as KubeAPIError where error.isNotFound {
            return (.deleted, nil)
        }
    }

    /// A body that stops mid-way (connection reset, truncated chunk) is worth resuming; anything else — a decoding
    /// bug, or the caller's own decision to fail — ends the watch.
    static func isStreamInterruption(_ error: Error) -> Bool {
        error is TransportError
    }
}

/// Runs `operation`, failing with `KubeTimeoutError` when it takes longer than `seconds`.
public func withDeadline<T: Sendable>(seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
            throw KubeTimeoutError(seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

public struct KubeTimeoutError: Error, Sendable, CustomStringConvertible {
    public var seconds: Double
    public init(seconds: Double) { self.seconds = seconds }
    public var description: String { "timed out after \(KubeTimeoutError.format(seconds))" }

    static func format(_ seconds: Double) -> String {
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds) / 60)m" }
        if seconds.rounded() == seconds { return "\(Int(seconds))s" }
        return String(format: "%.1fs", seconds)
    }
}
