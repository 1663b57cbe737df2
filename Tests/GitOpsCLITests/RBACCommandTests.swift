import Foundation
import Testing
import TestSupport

/// Commands against the test server's RBAC table (Tests/Support/kube-test-server/rbac.py): `check` as identities
/// with fewer rights, `--as`/`--as-group` impersonation, and waits through the controllers' in-progress status.
@Suite(.serialized) struct RBACCommandTests {
    /// The SelfSubjectAccessReviews one run sent, as (user, group, resource, verb, namespace).
    struct Review: Hashable, CustomStringConvertible {
        var user: String
        var group: String
        var resource: String
        var verb: String
        var namespace: String
        var description: String { "\(user): \(verb) \(resource).\(group) in \(namespace)" }
    }

    static func reviews(_ server: KubeTestServer, after mark: Int) async throws -> [Review] {
        try await server.requests().filter {
            $0.seq > mark && $0.method == "POST" && $0.path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
        }.map { request in
            #expect(request.status == 201)
            let body = try JSONSerialization.jsonObject(with: Data((request.body ?? "").utf8)) as? [String: Any]
            #expect(body?["kind"] as? String == "SelfSubjectAccessReview")
            let attributes = (body?["spec"] as? [String: Any])?["resourceAttributes"] as? [String: Any] ?? [:]
            return Review(user: request.user ?? "", group: attributes["group"] as? String ?? "",
                          resource: attributes["resource"] as? String ?? "", verb: attributes["verb"] as? String ?? "",
                          namespace: attributes["namespace"] as? String ?? "")
        }
    }

    /// What `check` asks for: get, list, create, patch on both Flux kinds in `namespace`.
    static func expectedReviews(user: String, namespace: String) -> Set<Review> {
        Set([("source.toolkit.fluxcd.io", "ocirepositories"), ("kustomize.toolkit.fluxcd.io", "kustomizations")]
            .flatMap { group, resource in
                ["get", "list", "create", "patch"].map {
                    Review(user: user, group: group, resource: resource, verb: $0, namespace: namespace)
                }
            })
    }

    static func lastSeq(_ server: KubeTestServer) async throws -> Int {
        try await server.requests().last?.seq ?? 0
    }

    @Test func checkAsTheViewerReportsExactlyTheWritesItMayNotDo() async throws {
        try await withOwnServer { server in
            let result = await runFlux(["check", "--context", "test-viewer"], server: server)
            #expect(result.code == 1)
            let failures = result.stderr.split(separator: "\n").filter { $0.hasPrefix("✗") }
            #expect(failures == [
                "✗ may not create, patch ocirepositories in namespace flux-system: ask a cluster admin for a Role granting these verbs on ocirepositories.source.toolkit.fluxcd.io, or use another --context",
                "✗ may not create, patch kustomizations in namespace flux-system: ask a cluster admin for a Role granting these verbs on kustomizations.kustomize.toolkit.fluxcd.io, or use another --context",
                "✗ 2 checks failed",
            ], "\(result.stderr)")
            let sent = try await Self.reviews(server, after: 0)
            #expect(sent.count == 8)
            #expect(Set(sent) == Self.expectedReviews(user: "viewer", namespace: "flux-system"), "\(sent)")
        }
    }

    @Test func checkAsDevPassesInAppsAndNamesTheDeniedVerbsElsewhere() async throws {
        try await withOwnServer { server in
            // test-dev's namespace is apps, where dev may do everything on Flux objects.
            let apps = await runFlux(["check", "--context", "test-dev"], server: server)
            #expect(apps.code == 0, "\(apps.stderr)")
            #expect(apps.stderr.contains("namespace:      apps"))
            #expect(apps.stderr.contains("✔ may get, list, create, patch ocirepositories\n"))
            #expect(apps.stderr.contains("✔ may get, list, create, patch kustomizations\n"))
            #expect(Set(try await Self.reviews(server, after: 0)) == Self.expectedReviews(user: "dev", namespace: "apps"))

            // flux-system: read-only.
            var mark = try await Self.lastSeq(server)
            let fluxSystem = await runFlux(["check", "--context", "test-dev", "-n", "flux-system"], server: server)
            #expect(fluxSystem.code == 1)
            #expect(fluxSystem.stderr.contains("✗ may not create, patch ocirepositories in namespace flux-system: "), "\(fluxSystem.stderr)")
            #expect(fluxSystem.stderr.contains("✗ may not create, patch kustomizations in namespace flux-system: "))
            #expect(!fluxSystem.stderr.contains("may not get"))
            let sent = try await Self.reviews(server, after: mark)
            #expect(sent.count == 8)
            #expect(Set(sent) == Self.expectedReviews(user: "dev", namespace: "flux-system"), "\(sent)")

            // Anywhere else: nothing.
            mark = try await Self.lastSeq(server)
            let other = await runFlux(["check", "--context", "test-dev", "-n", "default"], server: server)
            #expect(other.code == 1)
            #expect(other.stderr.contains("✗ may not get, list, create, patch ocirepositories in namespace default: "), "\(other.stderr)")
            #expect(other.stderr.contains("✗ may not get, list, create, patch kustomizations in namespace default: "))
            #expect(Set(try await Self.reviews(server, after: mark)) == Self.expectedReviews(user: "dev", namespace: "default"))
        }
    }

    @Test func checkAsAnImpersonatedUserAsksForThatUser() async throws {
        try await withOwnServer { server in
            let result = await runFlux(["check", "--as", "dev", "-n", "flux-system"], server: server)
            #expect(result.code == 1)
            #expect(result.stderr.contains("✗ may not create, patch ocirepositories in namespace flux-system: "), "\(result.stderr)")
            let requests = try await server.requests().filter { $0.path.hasSuffix("/selfsubjectaccessreviews") }
            #expect(requests.count == 8)
            #expect(requests.allSatisfy { $0.user == "dev" && $0.impersonatedBy == "admin" && $0.auth == "token" })
            #expect(Set(try await Self.reviews(server, after: 0)) == Self.expectedReviews(user: "dev", namespace: "flux-system"))
        }
    }

    @Test func aWriteAsTheViewerFailsWithTheForbiddenLineAndTheLogShowsTheImpersonation() async throws {
        try await withOwnServer { server in
            try await server.seed(objects: [FluxFixtures.ociRepository("podinfo", namespace: "flux-system")])
            let result = await runFlux(["suspend", "source", "oci", "podinfo", "--as", "viewer"], server: server)
            #expect(result.code == 1)
            #expect(result.stderr.hasSuffix("""
                Error from server (Forbidden): ocirepositories.source.toolkit.fluxcd.io "podinfo" is forbidden: \
                User "viewer" cannot patch resource "ocirepositories" in API group "source.toolkit.fluxcd.io" in the namespace "flux-system"

                """), "\(result.stderr)")
            let log = try await server.requests()
            let patches = log.filter { $0.method == "PATCH" }
            #expect(patches.count == 1)
            let patch = try #require(patches.first)
            #expect(patch.status == 403)
            #expect(patch.user == "viewer")
            #expect(patch.impersonatedBy == "admin")
            #expect(patch.groups == ["system:authenticated"])
            #expect(patch.impersonate?.user == "viewer")
            // Reads were made as the viewer too, and were allowed.
            #expect(log.filter { $0.method == "GET" }.allSatisfy { $0.user == "viewer" && $0.impersonatedBy == "admin" && $0.status == 200 })
            let raw = String(decoding: try await server.control("GET", "requests", body: nil), as: UTF8.self)
            #expect(!raw.contains(server.adminToken))

            // --as-group system:masters gives the impersonated user every right.
            let masters = await runFlux(["suspend", "source", "oci", "podinfo", "--as", "viewer", "--as-group", "system:masters"],
                                        server: server)
            #expect(masters.code == 0, "\(masters.stderr)")
            let accepted = try await server.requests().filter { $0.method == "PATCH" }.last
            #expect(accepted?.status == 200)
            #expect(accepted?.groups == ["system:masters", "system:authenticated"])
        }
    }

    @Test func impersonationByANonAdminIsRefusedWithKubesMessage() async throws {
        try await withOwnServer { server in
            let viewer = await runFlux(["get", "sources", "oci", "--context", "test-viewer", "--as", "admin"], server: server)
            #expect(viewer.code == 1)
            #expect(viewer.stderr.hasSuffix("""
                Error from server (Forbidden): users "admin" is forbidden: \
                User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope

                """), "\(viewer.stderr)")
            let dev = await runFlux(["get", "ks", "--context", "test-dev", "--as", "dev", "--as-group", "ops"], server: server)
            #expect(dev.code == 1)
            #expect(dev.stderr.hasSuffix("""
                Error from server (Forbidden): users "dev" is forbidden: \
                User "dev" cannot impersonate resource "users" in API group "" at the cluster scope

                """), "\(dev.stderr)")
            let log = try await server.requests()
            #expect(!log.isEmpty)
            #expect(log.allSatisfy { $0.status == 403 && $0.impersonatedBy == nil && $0.impersonate != nil })
            #expect(Set(log.compactMap(\.user)) == ["viewer", "dev"])
        }
    }

    @Test func dataAcrossAllNamespacesIsForbiddenForDev() async throws {
        try await withOwnServer { server in
            let result = await runFlux(["get", "sources", "oci", "--context", "test-dev", "-A"], server: server)
            #expect(result.code == 1)
            #expect(result.stderr.hasSuffix("""
                Error from server (Forbidden): ocirepositories.source.toolkit.fluxcd.io is forbidden: \
                User "dev" cannot list resource "ocirepositories" in API group "source.toolkit.fluxcd.io" at the cluster scope

                """), "\(result.stderr)")
        }
    }

    /// The controllers write Reconciling=True / Ready=Unknown before every result; create (no reconcile token) and
    /// reconcile (with one) must both wait through it to the Ready result.
    @Test func waitsGoThroughTheInProgressStatusToTheResult() async throws {
        let registry = try await RegistryServer.start(.plainHTTP)
        defer { registry.cleanUp() }
        let digest = try registry.pushFluxArtifact("demo/app", tag: "1.0.0", files: [
            "deploy/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
        ])
        try await withOwnServer(.init(controllers: true, reactionDelayMilliseconds: 50)) { server in
            let created = await runFlux(["create", "source", "oci", "app", "--url", "oci://\(registry.host)/demo/app",
                                         "--tag", "1.0.0", "--timeout", "30s"], server: server)
            #expect(created.code == 0, "\(created.stderr)")
            #expect(created.stderr.contains("✔ fetched revision: 1.0.0@\(digest)\n"), "\(created.stderr)")
            let ks = await runFlux(["create", "ks", "app", "--source", "OCIRepository/app", "--path", "./deploy",
                                    "--target-namespace", "apps", "--timeout", "30s"], server: server)
            #expect(ks.code == 0, "\(ks.stderr)")
            #expect(ks.stderr.contains("✔ applied revision 1.0.0@\(digest)\n"), "\(ks.stderr)")

            func sequence(_ kind: String) async throws -> [String] {
                try await server.statusWrites().filter { $0.kind == kind && $0.name == "app" }.map { write in
                    "\(write.readyStatus ?? "-")/\(write.reason ?? "-")/\(write.reconciling == true ? "reconciling" : "done")"
                }
            }
            #expect(try await sequence("OCIRepository") == ["Unknown/Progressing/reconciling", "True/Succeeded/done"])
            #expect(try await sequence("Kustomization") == ["Unknown/Progressing/reconciling", "True/ReconciliationSucceeded/done"])
            let versions = try await server.statusWrites().compactMap { $0.resourceVersion.flatMap(Int.init) }
            #expect(versions == versions.sorted() && Set(versions).count == versions.count, "\(versions)")

            try await server.setReactionDelay(milliseconds: 0)
            let reconciled = await runFlux(["reconcile", "ks", "app", "--with-source", "--timeout", "30s"], server: server)
            #expect(reconciled.code == 0, "\(reconciled.stderr)")
            #expect(reconciled.stderr.contains("✔ fetched revision 1.0.0@\(digest) in "), "\(reconciled.stderr)")
            #expect(reconciled.stderr.contains("✔ applied revision 1.0.0@\(digest) in "), "\(reconciled.stderr)")
            #expect(try await sequence("OCIRepository").suffix(2) == ["Unknown/Progressing/reconciling", "True/Succeeded/done"])
            #expect(try await sequence("Kustomization").suffix(2) == ["Unknown/Progressing/reconciling", "True/ReconciliationSucceeded/done"])
            // Each wait was one watch, not polling.
            let watches = try await server.requests().filter { ["1", "true"].contains($0.query["watch"] ?? "") }
            #expect(watches.count >= 4, "\(watches.map(\.path))")
        }
    }

    /// Here only Ready=Unknown says the reconcile is still running: the controller took the Kustomization up for a new
    /// source revision, so its generation is observed and no reconcile token is involved. A `create` of the same
    /// Kustomization meanwhile must wait (it opens a watch) and report the new revision, not the previous one.
    @Test func createWaitsWhileTheControllerReportsReadyUnknown() async throws {
        let registry = try await RegistryServer.start(.plainHTTP)
        defer { registry.cleanUp() }
        let first = try registry.pushFluxArtifact("demo/app", tag: "1.0.0", files: [
            "deploy/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
        ])
        try await withOwnServer(.init(controllers: true)) { server in
            let createKustomization = ["create", "ks", "app", "--source", "OCIRepository/app", "--path", "./deploy",
                                       "--target-namespace", "apps", "--timeout", "30s"]
            let source = await runFlux(["create", "source", "oci", "app", "--url", "oci://\(registry.host)/demo/app",
                                        "--tag", "1.0.0", "--timeout", "30s"], server: server)
            #expect(source.code == 0, "\(source.stderr)")
            let created = await runFlux(createKustomization, server: server)
            #expect(created.stderr.contains("✔ applied revision 1.0.0@\(first)\n"), "\(created.stderr)")

            // The next Kustomization reconcile stops after its in-progress write until released.
            try await server.control("POST", "controllers", body: ["holdAfterProgress": ["Kustomization"]])
            let second = try registry.pushFluxArtifact("demo/app", tag: "1.0.0", files: [
                "deploy/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-2\n",
            ])
            let fetched = await runFlux(["reconcile", "source", "oci", "app", "--timeout", "30s"], server: server)
            #expect(fetched.stderr.contains("✔ fetched revision 1.0.0@\(second) in "), "\(fetched.stderr)")
            func kustomizationWrites() async throws -> [String] {
                try await server.statusWrites().filter { $0.kind == "Kustomization" }.map { $0.readyStatus ?? "-" }
            }
            var bound = Date().addingTimeInterval(30)  // only a bound for a broken run, never asserted
            while try await kustomizationWrites() != ["Unknown", "True", "Unknown"], Date() < bound {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            #expect(try await kustomizationWrites() == ["Unknown", "True", "Unknown"])

            let mark = try await Self.lastSeq(server)
            let finished = Flag()
            let waiting = Task {
                let result = await runFlux(createKustomization, server: server)
                finished.set()
                return result
            }
            var watched = false
            bound = Date().addingTimeInterval(30)
            while !watched, !finished.isSet, Date() < bound {
                watched = try await server.requests().contains {
                    $0.seq > mark && $0.path.hasSuffix("/kustomizations") && ["1", "true"].contains($0.query["watch"] ?? "")
                }
                if !watched { try await Task.sleep(nanoseconds: 20_000_000) }
            }
            #expect(watched, "create ended on Ready=Unknown instead of waiting")
            #expect(!finished.isSet)
            try await server.control("POST", "controllers", body: ["holdAfterProgress": [String]()])
            let result = await waiting.value
            #expect(result.code == 0, "\(result.stderr)")
            #expect(result.stderr.contains("✔ applied revision 1.0.0@\(second)\n"), "\(result.stderr)")
            #expect(try await kustomizationWrites() == ["Unknown", "True", "Unknown", "True"])
        }
    }
}

/// Set once, read from another task.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
