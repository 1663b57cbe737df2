import Flux
import Foundation
import JSON
import KubeClient
import KubeConfig

/// Looks values up for completion: kubeconfig names from the files (no cluster call), object names and namespaces
/// from the API server within a hard deadline. Failures and timeouts answer nothing and print nothing.
struct LiveCompletionValues: CompletionValueProvider {
    var context: CommandContext
    var deadlineSeconds: Double = 1

    /// `KUBECTL_GITOPS_COMPLETION_TIMEOUT` (seconds) for clusters that are slow to answer; one second otherwise.
    static func deadline(environment: [String: String]) -> Double {
        guard let value = environment["KUBECTL_GITOPS_COMPLETION_TIMEOUT"].flatMap(Double.init), value > 0, value.isFinite else { return 1 }
        return value
    }

    func candidates(for request: DynamicValues, scope: CompletionScope) async -> [CompletionCandidate] {
        switch request {
        case .kubeconfigContexts: return KubeconfigNames.read(.contexts, scope: scope, context: context)
        case .kubeconfigClusters: return KubeconfigNames.read(.clusters, scope: scope, context: context)
        case .kubeconfigUsers: return KubeconfigNames.read(.users, scope: scope, context: context)
        case .namespaces, .fluxNames:
            let quiet = Console(stdout: BufferSink(), stderr: BufferSink())
            var quietContext = context
            quietContext.console = quiet
            let silentContext = quietContext
            var kube = scope.kube
            if kube.requestTimeout == nil { kube.requestTimeout = "\(Int(deadlineSeconds.rounded(.up)))s" }
            let options = kube
            let lookup: @Sendable () async throws -> [CompletionCandidate] = {
                let session = try KubeSession.make(options: options, context: silentContext)
                return try await LiveCompletionValues.names(request, session: session)
            }
            return (try? await Deadline.firstAnswer(within: deadlineSeconds, lookup)) ?? []
        }
    }

    static func names(_ request: DynamicValues, session: KubeSession) async throws -> [CompletionCandidate] {
        switch request {
        case .namespaces:
            return try await session.client.list(.namespaces, namespace: nil).items.compactMap(candidate)
        case .fluxNames(let kind, _):
            // Try the preferred version first instead of asking discovery: one round trip when Flux is current.
            var lastError: Error?
            for version in FluxKind.supportedVersions {
                do {
                    let list = try await session.client.list(kind.resource(version: version), namespace: session.namespace)
                    return list.items.compactMap(candidate)
                } catch let error as KubeAPIError where error.isNotFound {
                    lastError = error
                }
            }
            throw lastError ?? CancellationError()
        default:
            return []
        }
    }

    /// The name, described by the Ready condition when the object has one.
    private static func candidate(_ object: JSONValue) -> CompletionCandidate? {
        guard let name = object.value(at: "metadata.name")?.stringValue else { return nil }
        let ready = object.value(at: "status.conditions")?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
        let description: String
        switch ready?["status"]?.stringValue {
        case "True": description = "Ready"
        case "False": description = "Not ready: " + (ready?["reason"]?.stringValue ?? "")
        default: description = ""
        }
        return CompletionCandidate(name, description: description)
    }
}

/// Context, cluster and user names from the kubeconfig files kubectl would load and merge; nothing is resolved and
/// no cluster is called.
enum KubeconfigNames {
    enum Field { case contexts, clusters, users }

    static func read(_ field: Field, scope: CompletionScope, context: CommandContext) -> [CompletionCandidate] {
        let environment = KubeEnvironment(variables: context.environment, workingDirectory: context.workingDirectory)
        guard let config = try? KubeConfigLoader(environment: environment).load(explicitPath: scope.kube.kubeconfig) else { return [] }
        switch field {
        case .contexts:
            return config.contextNames.map { name in
                let details = config.contexts[name]
                var parts: [String] = []
                if let cluster = details?.cluster, !cluster.isEmpty { parts.append("cluster \(cluster)") }
                if let namespace = details?.namespace, !namespace.isEmpty { parts.append("namespace \(namespace)") }
                if name == config.currentContext { parts.insert("current", at: 0) }
                return CompletionCandidate(name, description: parts.joined(separator: ", "))
            }
        case .clusters:
            return config.clusterNames.map { CompletionCandidate($0, description: config.clusters[$0]?.server ?? "") }
        case .users:
            return config.userNames.map { CompletionCandidate($0) }
        }
    }
}

enum Deadline {
    /// The operation's answer, or `KubeTimeoutError` after `seconds` — without waiting for an operation that ignores
    /// cancellation (a transport blocked on a silent server), which a task group would.
    static func firstAnswer<T: Sendable>(within seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let gate = OnceGate<T>()
        return try await withCheckedThrowingContinuation { continuation in
            gate.install(continuation)
            let work = Task {
                do { gate.finish(.success(try await operation())) } catch { gate.finish(.failure(error)) }
            }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                gate.finish(.failure(KubeTimeoutError(seconds: seconds)))
                work.cancel()
            }
        }
    }

    private final class OnceGate<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, Error>?
        private var pending: Result<T, Error>?

        func install(_ continuation: CheckedContinuation<T, Error>) {
            lock.lock()
            if let pending {
                self.pending = nil
                lock.unlock()
                continuation.resume(with: pending)
                return
            }
            self.continuation = continuation
            lock.unlock()
        }

        func finish(_ result: Result<T, Error>) {
            lock.lock()
            guard let continuation else {
                if pending == nil { pending = result }
                lock.unlock()
                return
            }
            self.continuation = nil
            lock.unlock()
            continuation.resume(with: result)
        }
    }
}
