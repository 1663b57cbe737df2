import Foundation
import JSON
import Testing
import TestSupport

@Suite struct FluxLifecycleCommandTests {
    let server: KubeTestServer

    init() async throws { server = try await SharedKubeServer.server() }

    func suspended(_ server: KubeTestServer, _ args: [String], name: String, namespace: String) async throws -> Bool {
        let object = try await FluxFixtures.stored(server, args, name: name, namespace: namespace)
        return object[path: "spec", "suspend"] == true
    }

    @Test func suspendMatchesFluxGoldensIncludingMultipleArguments() async throws {
        let ns = try FluxFixtures.namespace(server, "suspend")
        try await server.seed(objects: [FluxFixtures.ociRepository("thrfg", namespace: ns), FluxFixtures.kustomization("tkfg", namespace: ns)])
        let oci = await runFlux(["suspend", "source", "oci", "thrfg", "-n=\(ns)"], server: server)
        #expect(oci.code == 0, "\(oci.stderr)")
        #expect(oci.stderr == (try FluxGoldens.flux("oci/suspend_oci.golden", namespace: ns)))
        #expect(try await suspended(server, ["sources", "oci"], name: "thrfg", namespace: ns))

        let ks = await runFlux(["suspend", "kustomization", "tkfg", "-n=\(ns)"], server: server)
        #expect(ks.stderr == (try FluxGoldens.flux("kustomization/suspend_kustomization_from_git.golden", namespace: ns)))

        // The server is shared with tests running alongside: look only at requests after this point.
        let mark = try await server.requests().last?.seq ?? 0
        let multiple = await runFlux(["suspend", "kustomization", "tkfg", "foo", "tkfg", "bar", "-n=\(ns)"], server: server)
        #expect(multiple.code == 0)
        #expect(multiple.stderr == (try FluxGoldens.flux("kustomization/suspend_kustomization_from_git_multiple_args.golden", namespace: ns)))
        // One merge patch per distinct name.
        let patches = try await server.requests().filter { $0.seq > mark && $0.method == "PATCH" && $0.path.contains("/namespaces/\(ns)/") }
        #expect(patches.map { $0.path.split(separator: "/").last.map(String.init) ?? "" } == ["tkfg", "foo", "bar"])
        #expect(patches.allSatisfy { $0.headers["Content-Type"] == "application/merge-patch+json" && $0.body == #"{"spec":{"suspend":true}}"# })
    }

    @Test func resumeWaitsForOneNameAndMatchesTheGoldens() async throws {
        let ns = try FluxFixtures.namespace(server, "resume")
        try await server.seed(objects: [FluxFixtures.ociRepository("thrfg", namespace: ns, suspended: true),
                                  FluxFixtures.kustomization("tkfg", namespace: ns, suspended: true)])
        let resumed: @Sendable ([String: Any]) -> Bool = { (($0["spec"] as? [String: Any])?["suspend"]) == nil }

        var controller = FluxFixtures.markReady(server, kind: "OCIRepository", namespace: ns, name: "thrfg", when: resumed)
        let oci = await runFlux(["resume", "source", "oci", "thrfg", "-n=\(ns)", "--timeout", "20s"], server: server)
        var marked = await controller.value
        #expect(marked)
        #expect(oci.code == 0, "\(oci.stderr)")
        #expect(oci.stderr == (try FluxGoldens.flux("oci/resume_oci.golden", namespace: ns)))
        #expect(try await !suspended(server, ["sources", "oci"], name: "thrfg", namespace: ns))

        // `resume ks tkfg foo --wait`: the missing name is reported, then the wait.
        controller = FluxFixtures.markReady(server, kind: "Kustomization", namespace: ns, name: "tkfg", revision: "6.3.5@sha1:67e2c98a60dc92283531412a9e604dd4bae005a9", when: resumed)
        let withWait = await runFlux(["resume", "kustomization", "tkfg", "foo", "--wait", "-n=\(ns)", "--timeout", "20s"], server: server)
        marked = await controller.value
        #expect(marked)
        #expect(withWait.code == 0, "\(withWait.stderr)")
        let golden = try FluxGoldens.flux("kustomization/resume_kustomization_from_git_multiple_args_wait.golden", namespace: ns)
            .replacingOccurrences(of: "Kustomization object 'tkfg' not found in \(ns) namespace", with: "Kustomization foo not found in \(ns) namespace")
        #expect(withWait.stderr == golden)

        // Two arguments, no --wait: no waiting (the object is not made Ready here, so a wait would time out).
        let mark = try await server.requests().last?.seq ?? 0
        let twice = await runFlux(["resume", "kustomization", "tkfg", "tkfg", "-n=\(ns)", "--timeout", "2s"], server: server)
        #expect(twice.code == 0, "\(twice.stderr)")
        #expect(twice.stderr == (try FluxGoldens.flux("kustomization/resume_kustomization_from_git_multiple_args.golden", namespace: ns)))
        let patches = try await server.requests().filter { $0.seq > mark && $0.method == "PATCH" && $0.path.contains("/namespaces/\(ns)/") }
        #expect(patches.count == 1)
        #expect(patches.first?.body == #"{"spec":{"suspend":null}}"#)
    }

    @Test func resumeReportsAFailedReconciliation() async throws {
        let ns = try FluxFixtures.namespace(server, "resumefail")
        try await server.seed(objects: [FluxFixtures.kustomization("tkfg", namespace: ns, suspended: true)])
        let writer = Task.detached {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                if let object = try? await server.writeStatus(kind: "Kustomization", namespace: ns, name: "tkfg", status: [:], merge: true),
                   ((object["spec"] as? [String: Any])?["suspend"]) == nil {
                    let generation = (object["metadata"] as? [String: Any])?["generation"] as? Int ?? 1
                    _ = try? await server.writeStatus(kind: "Kustomization", namespace: ns, name: "tkfg", status: [
                        "observedGeneration": generation, "conditions": [[
                            "type": "Ready", "status": "False", "reason": "BuildFailed", "message": "kustomization path not found",
                            "observedGeneration": generation, "lastTransitionTime": "2026-01-01T00:00:00Z"]]])
                    return
                }
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
        }
        let result = await runFlux(["resume", "ks", "tkfg", "-n", ns, "--timeout", "20s"], server: server)
        await writer.value
        #expect(result.code == 1)
        #expect(result.stderr.contains("✗ Kustomization \(ns)/tkfg reconciliation failed: kustomization path not found\n"))
        #expect(result.stderr.hasSuffix("error: reconciliation failed for 1 Kustomization(s)\n"))
    }

    @Test func suspendAndResumeAll() async throws {
        let ns = try FluxFixtures.namespace(server, "suspendall")
        try await server.seed(objects: [FluxFixtures.kustomization("a", namespace: ns), FluxFixtures.kustomization("b", namespace: ns)])
        let result = await runFlux(["suspend", "ks", "--all", "-n", ns], server: server)
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "✔ kustomization suspended").count == 3)
        #expect(try await suspended(server, ["ks"], name: "a", namespace: ns))
        #expect(try await suspended(server, ["ks"], name: "b", namespace: ns))
        let resumed = await runFlux(["resume", "ks", "--all", "-n", ns], server: server)
        #expect(resumed.code == 0, "\(resumed.stderr)")
        #expect(!resumed.stderr.contains("waiting"), "--all does not wait by default")
        #expect(try await !suspended(server, ["ks"], name: "b", namespace: ns))
    }

    @Test func serverValidationErrorIsShownAsTheServerSaidIt() async throws {
        // The server validates the whole object on update; this one was stored without the required prune.
        let ns = try FluxFixtures.namespace(server, "invalid")
        try await server.seed(objects: [["apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                                   "metadata": ["name": "broken", "namespace": ns],
                                   "spec": ["interval": "1h", "sourceRef": ["kind": "OCIRepository", "name": "x"]]]])
        let result = await runFlux(["suspend", "ks", "broken", "-n", ns], server: server)
        #expect(result.code == 1)
        #expect(result.stderr == """
            The Kustomization "broken" is invalid: \n\
            * spec.prune: Required value
            * <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; \
            correct the existing errors to complete validation

            """)
    }

    @Test func deleteMatchesTheGoldensAndAsksOnATerminal() async throws {
        let ns = try FluxFixtures.namespace(server, "delete")
        try await server.seed(objects: [FluxFixtures.ociRepository("thrfg", namespace: ns), FluxFixtures.kustomization("tkfg", namespace: ns),
                                  FluxFixtures.kustomization("keep", namespace: ns), FluxFixtures.kustomization("asked", namespace: ns)])
        let oci = await runFlux(["delete", "source", "oci", "thrfg", "--silent", "-n=\(ns)"], server: server)
        #expect(oci.code == 0, "\(oci.stderr)")
        #expect(oci.stderr == (try FluxGoldens.flux("oci/delete_oci.golden", namespace: ns)))
        let ks = await runFlux(["delete", "kustomization", "tkfg", "--yes", "-n=\(ns)"], server: server)
        #expect(ks.stderr == (try FluxGoldens.flux("kustomization/delete_kustomization_from_git.golden", namespace: ns)))
        let gone = await runFlux(["get", "ks", "tkfg", "-n", ns], server: server)
        #expect(gone.code == 1)

        let declined = await runFlux(["delete", "ks", "keep", "-n", ns], server: server, stdinIsTerminal: true, answers: ["n"])
        #expect(declined.stderr.hasPrefix("Are you sure you want to delete Kustomization \(ns)/keep? [y/N] "))
        #expect(declined.stderr.contains("✗ Kustomization \(ns)/keep not deleted"))
        let kept = await runFlux(["get", "ks", "keep", "-n", ns], server: server)
        #expect(kept.code == 0)

        let confirmed = await runFlux(["delete", "ks", "asked", "-n", ns], server: server, stdinIsTerminal: true, answers: ["y"])
        #expect(confirmed.code == 0, "\(confirmed.stderr)")
        #expect(confirmed.stderr == """
            Are you sure you want to delete Kustomization \(ns)/asked? [y/N] ► deleting kustomization asked in \(ns) namespace
            ✔ kustomization deleted

            """)

        let missing = await runFlux(["delete", "ks", "nope", "-y", "-n", ns], server: server)
        #expect(missing.code == 1)
        #expect(missing.stderr.hasSuffix("Error from server (NotFound): kustomizations.kustomize.toolkit.fluxcd.io \"nope\" not found\n"))
        let several = await runFlux(["delete", "ks", "nope", "keep", "-y", "-n", ns], server: server)
        #expect(several.code == 1)
        #expect(several.stderr.contains("\"nope\" not found"))
        #expect(several.stderr.hasSuffix("✔ kustomization deleted\n"))
    }

    @Test func deleteWithoutATerminalRefusesAndSendsNothing() async throws {
        try await withOwnServer { server in
            let result = await runFlux(["delete", "ks", "podinfo"], server: server)
            #expect(result.code == 1)
            #expect(result.stderr == "error: refusing to delete without confirmation: stdin is not a terminal; pass --yes to delete Kustomization podinfo\n")
            let sent = try await server.requests()
            #expect(sent.isEmpty)
        }
    }

    @Test func exportMatchesTheGoldenAndDropsServerState() async throws {
        let ns = try FluxFixtures.namespace(server, "export")
        var ks: [String: Any] = ["apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                                 "metadata": ["name": "flux-system", "namespace": ns,
                                              "annotations": ["reconcile.fluxcd.io/requestedAt": "2026-01-01T00:00:00Z"]],
                                 "spec": ["path": "./infrastructure/", "sourceRef": ["kind": "GitRepository", "name": "flux-system"],
                                          "interval": "5m", "prune": true]]
        ks["status"] = FluxFixtures.readyStatus("Kustomization", generation: 1)
        try await server.seed(objects: [ks])
        let result = await runFlux(["export", "kustomization", "flux-system", "-n=\(ns)"], server: server)
        #expect(result.code == 0, "\(result.stderr)")
        let golden = try FluxGoldens.flux("export/ks.yaml").replacingOccurrences(of: "{{ .fluxns }}", with: ns)
        #expect(result.stdout == golden)
        let missing = await runFlux(["export", "ks", "nope", "-n", ns], server: server)
        #expect(missing.code == 1)
        #expect(missing.stderr.contains("Error from server (NotFound)"))
    }

    @Test func exportRoundTrips() async throws {
        let ns = try FluxFixtures.namespace(server, "roundtrip")
        try await server.seed(objects: [FluxFixtures.ociRepository("podinfo", namespace: ns, labels: ["team": "apps"]),
                                  FluxFixtures.ociRepository("other", namespace: ns, tag: "1.0.0")])
        let original = await runFlux(["get", "sources", "oci", "-n", ns, "-o", "json"], server: server)
        let export = await runFlux(["export", "source", "oci", "--all", "-n", ns], server: server)
        #expect(export.code == 0, "\(export.stderr)")
        #expect(export.stdout.hasPrefix("---\napiVersion: source.toolkit.fluxcd.io/v1\n"))
        for forbidden in ["status:", "uid:", "resourceVersion:", "generation:", "creationTimestamp:", "managedFields:"] {
            #expect(!export.stdout.contains(forbidden))
        }
        let documents = try KubeYAML.decodeDocuments(export.stdout)
        #expect(documents.count == 2)

        // Apply the export into a fresh namespace and compare what the server holds.
        let target = try FluxFixtures.namespace(server, "roundtrip2")
        for var document in documents {
            document.setValue(.string(target), at: ["metadata", "namespace"])
            let name = try #require(document[path: "metadata", "name"]?.stringValue)
            let (status, output, errors) = try KubeTestServer.run("/usr/bin/curl", [
                "-sS", "--fail-with-body", "--cacert", server.caPath, "-H", "Authorization: Bearer \(server.adminToken)",
                "-X", "PATCH", "-H", "Content-Type: application/apply-patch+yaml", "--data-binary", document.compactString,
                "\(server.url)/apis/source.toolkit.fluxcd.io/v1/namespaces/\(target)/ocirepositories/\(name)?fieldManager=roundtrip"])
            #expect(status == 0, "\(errors) \(String(decoding: output, as: UTF8.self))")
        }
        let copied = await runFlux(["get", "sources", "oci", "-n", target, "-o", "json"], server: server)
        let before = try JSONValue(parsing: original.stdout)["items"]?.arrayValue ?? []
        let after = try JSONValue(parsing: copied.stdout)["items"]?.arrayValue ?? []
        #expect(before.count == 2)
        // Durations compare by value: the export writes Go's form (10m0s) of what was stored (10m).
        #expect(before.map { normalizedDurations($0["spec"]) } == after.map { normalizedDurations($0["spec"]) })
        #expect(after.first?[path: "spec", "interval"] == "10m0s")
        #expect(before.map { $0[path: "metadata", "labels"] } == after.map { $0[path: "metadata", "labels"] })
    }
}

/// `interval`, `timeout` and `retryInterval` as seconds, so `10m` and `10m0s` compare equal.
func normalizedDurations(_ spec: JSONValue?) -> JSONValue? {
    guard var spec else { return nil }
    for key in ["interval", "timeout", "retryInterval"] {
        guard let text = spec[key]?.stringValue else { continue }
        var seconds = 0.0
        var number = ""
        var unit = ""
        func flush() {
            let value = Double(number) ?? 0
            seconds += value * (["h": 3600, "m": 60, "s": 1, "ms": 0.001][unit] ?? 0)
            (number, unit) = ("", "")
        }
        for character in text {
            if character.isNumber || character == "." {
                if !unit.isEmpty { flush() }
                number.append(character)
            } else {
                unit.append(character)
            }
        }
        flush()
        spec[key] = .double(seconds)
    }
    return spec
}

@Suite struct FluxCompletionTests {
    @Test func namesCompleteToLiveObjectsOfTheKind() async throws {
        let server = try await SharedKubeServer.server()
        let ns = try FluxFixtures.namespace(server, "complete")
        try await server.seed(objects: [FluxFixtures.ociRepository("podinfo", namespace: ns), FluxFixtures.kustomization("apps", namespace: ns)])
        let kustomizations = await runFlux(["__completeNoDesc", "resume", "ks", "-n", ns, ""], server: server)
        #expect(kustomizations.stdout.split(separator: "\n").first == "apps", "\(kustomizations.stdout)")
        let sources = await runFlux(["__completeNoDesc", "delete", "source", "oci", "-n", ns, ""], server: server)
        #expect(sources.stdout.split(separator: "\n").first == "podinfo", "\(sources.stdout)")
        let dependsOn = await runFlux(["__completeNoDesc", "create", "ks", "x", "-n", ns, "--depends-on", ""], server: server)
        #expect(dependsOn.stdout.split(separator: "\n").first == "apps", "\(dependsOn.stdout)")
    }
}
