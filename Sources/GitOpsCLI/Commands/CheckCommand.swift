import ArgumentParser
import Flux
import Foundation
import JSON
import KubeClient

struct CheckCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the connection to the cluster, the Flux APIs it serves and your permissions on them.",
        discussion: """
        Exits 0 when every check passes and 1 otherwise, with one line per failed check saying what to do.

        EXAMPLES:
          kubectl gitops check
          kubectl gitops check --context prod -n flux-system
        """)

    @OptionGroup(title: "Kubernetes flags")
    var kube: KubeOptions

    static let verbs = ["get", "list", "create", "patch"]

    func run(_ context: CommandContext) async throws {
        let console = context.console
        let session = try KubeSession.make(options: kube, context: context)
        console.action("checking the connection to the cluster")
        let config = session.config
        console.note("  context:        \(config.isInCluster ? "(in-cluster)" : config.contextName.isEmpty ? "(none)" : config.contextName)")
        console.note("  server:         \(session.server.absoluteString)")
        console.note("  user:           \(config.userName.isEmpty ? "" : config.userName + " ")(\(config.authDescription))")
        console.note("  namespace:      \(session.namespace)")
        let version = try await session.client.getPath("/version")
        console.success("Kubernetes \(version["gitVersion"]?.stringValue ?? "(unknown version)")")

        var failures = 0
        console.action("checking the Flux APIs")
        var resources: [(FluxKind, APIResource)] = []
        for kind in FluxKind.allCases {
            do {
                let resource = try await session.discovery.resource(for: kind)
                console.success("\(kind.rawValue) API served as \(resource.apiVersion)")
                resources.append((kind, resource))
            } catch let error as FluxNotInstalledError {
                failures += 1
                console.failure("\(kind.rawValue): \(error.description)")
            }
        }

        console.action("checking permissions in namespace \(session.namespace)")
        let namespace = session.namespace
        let answers = try await withThrowingTaskGroup(of: (Int, String, Bool, String?).self) { group in
            for (index, (_, resource)) in resources.enumerated() {
                for verb in CheckCommand.verbs {
                    group.addTask {
                        let review: JSONValue = [
                            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                            "spec": ["resourceAttributes": [
                                "namespace": .string(namespace), "verb": .string(verb),
                                "group": .string(resource.group), "resource": .string(resource.plural),
                            ]],
                        ]
                        let answer = try await session.client.post(path: APIResource.selfSubjectAccessReviews.path(namespace: nil), body: review)
                        return (index, verb, answer.value(at: "status.allowed")?.boolValue ?? false, answer.value(at: "status.reason")?.stringValue)
                    }
                }
            }
            var collected: [(Int, String, Bool, String?)] = []
            for try await answer in group { collected.append(answer) }
            return collected
        }
        for (index, (_, resource)) in resources.enumerated() {
            let mine = answers.filter { $0.0 == index }
            let denied = CheckCommand.verbs.filter { verb in !(mine.first { $0.1 == verb }?.2 ?? false) }
            if denied.isEmpty {
                console.success("may \(CheckCommand.verbs.joined(separator: ", ")) \(resource.plural)")
            } else {
                failures += 1
                console.failure("may not \(denied.joined(separator: ", ")) \(resource.plural) in namespace \(namespace): ask a cluster admin for a Role granting these verbs on \(resource.qualifiedPlural), or use another --context")
            }
        }
        if failures > 0 {
            console.failure("\(failures) check\(failures == 1 ? "" : "s") failed")
            throw AlreadyReported()
        }
        console.success("all checks passed")
    }
}
