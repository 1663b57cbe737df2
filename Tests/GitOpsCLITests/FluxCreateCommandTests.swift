import Foundation
import JSON
import Testing
import TestSupport

@Suite struct FluxCreateCommandTests {
    let server: KubeTestServer

    init() async throws { server = try await SharedKubeServer.server() }
    static let url = "oci://ghcr.io/stefanprodan/manifests/podinfo"

    @Test func createThenUnchangedThenConfiguredWithServerSideApply() async throws {
        let ns = try FluxFixtures.namespace(server, "create")
        let base = ["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "6.3.5", "--interval", "10m",
                    "--label", "team=apps", "-n", ns, "--wait=false"]
        let first = await runFlux(base, server: server)
        #expect(first.code == 0, "\(first.stderr)")
        #expect(first.stderr == "► applying OCIRepository \(ns)/podinfo\n✔ OCIRepository \(ns)/podinfo created\n")
        #expect(first.stdout.isEmpty)

        // The server (validating with the real CRD schema) accepted and stored what we generated.
        let stored = try await FluxFixtures.stored(server, ["sources", "oci"], name: "podinfo", namespace: ns)
        #expect(stored[path: "spec", "ref", "tag"] == "6.3.5")
        #expect(stored[path: "spec", "interval"] == "10m0s")
        #expect(stored[path: "spec", "url"]?.stringValue == Self.url)
        #expect(stored[path: "metadata", "labels", "team"] == "apps")
        #expect(stored[path: "metadata", "managedFields"] == nil)

        let again = await runFlux(base, server: server)
        #expect(again.code == 0, "\(again.stderr)")
        #expect(again.stderr.hasSuffix("✔ OCIRepository \(ns)/podinfo unchanged\n"))

        let changed = await runFlux(base.map { $0 == "6.3.5" ? "6.3.6" : $0 }, server: server)
        #expect(changed.code == 0, "\(changed.stderr)")
        #expect(changed.stderr.hasSuffix("✔ OCIRepository \(ns)/podinfo configured\n"))

        let relabelled = await runFlux(base.map { $0 == "team=apps" ? "team=web" : $0 }, server: server)
        #expect(relabelled.stderr.hasSuffix("✔ OCIRepository \(ns)/podinfo configured\n"))
    }

    @Test func createWaitsForReadyByWatchingAndPrintsTheRevision() async throws {
        let ns = try FluxFixtures.namespace(server, "createwait")
        let controller = FluxFixtures.markReady(server, kind: "OCIRepository", namespace: ns, name: "thrfg")
        let result = await runFlux(["create", "source", "oci", "thrfg", "--url", Self.url, "--tag", "6.3.5",
                                    "--interval", "10m", "-n", ns, "--timeout", "20s"], server: server)
        let marked = await controller.value
        #expect(marked)
        #expect(result.code == 0, "\(result.stderr)")
        // flux's create_source_oci golden, with the object named in the apply lines.
        #expect(result.stderr == """
            ► applying OCIRepository \(ns)/thrfg
            ✔ OCIRepository \(ns)/thrfg created
            ◎ waiting for OCIRepository reconciliation
            ✔ OCIRepository reconciliation completed
            ✔ fetched revision: \(FluxFixtures.revision)

            """)
    }

    @Test func createTimesOutWithTheLastStatus() async throws {
        let ns = try FluxFixtures.namespace(server, "createtimeout")
        let result = await runFlux(["create", "source", "oci", "slow", "--url", Self.url, "--tag", "1.0.0", "-n", ns,
                                    "--timeout", "1s"], server: server)
        #expect(result.code == 1)
        #expect(result.stderr.contains("error: timed out after"))
        #expect(result.stderr.contains("waiting for OCIRepository \(ns)/slow to become ready"))
    }

    @Test func createKustomizationWaitsAndKeepsWaitResourcesApart() async throws {
        let ns = try FluxFixtures.namespace(server, "createks")
        let controller = FluxFixtures.markReady(server, kind: "Kustomization", namespace: ns, name: "podinfo")
        let result = await runFlux(["create", "ks", "podinfo", "--source", "OCIRepository/podinfo", "--path", "./deploy/dev",
                                    "--prune=true", "--interval", "5m", "--health-check", "Deployment/frontend.dev",
                                    "--depends-on", "infra", "--target-namespace", "apps", "-n", ns, "--timeout", "20s"],
                                   server: server)
        let marked = await controller.value
        #expect(marked)
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr == """
            ✚ generating Kustomization
            ► applying Kustomization \(ns)/podinfo
            ✔ Kustomization \(ns)/podinfo created
            ◎ waiting for Kustomization reconciliation
            ✔ Kustomization podinfo is ready
            ✔ applied revision \(FluxFixtures.revision)

            """)
        let stored = try await FluxFixtures.stored(server, ["ks"], name: "podinfo", namespace: ns)
        #expect(stored[path: "spec", "wait"] == nil, "--wait is the CLI's wait, not spec.wait")
        #expect(stored[path: "spec", "timeout"] == "2m0s")
        #expect(stored[path: "spec", "healthChecks"] == [["apiVersion": "apps/v1", "kind": "Deployment", "name": "frontend", "namespace": "dev"]])
        #expect(stored[path: "spec", "dependsOn"] == [["name": "infra"]])
        #expect(stored[path: "spec", "sourceRef"] == ["kind": "OCIRepository", "name": "podinfo"])

        let withWait = await runFlux(["create", "ks", "podinfo", "--source", "OCIRepository/podinfo", "--wait-resources",
                                      "-n", ns, "--wait=false"], server: server)
        #expect(withWait.code == 0, "\(withWait.stderr)")
        #expect(withWait.stderr.hasSuffix("✔ Kustomization \(ns)/podinfo configured\n"))
        let updated = try await FluxFixtures.stored(server, ["ks"], name: "podinfo", namespace: ns)
        #expect(updated[path: "spec", "wait"] == true)
    }

    @Test func conflictWithAnotherManagerNamesItAndForceTakesOver() async throws {
        let ns = try FluxFixtures.namespace(server, "conflict")
        let object = FluxFixtures.ociRepository("podinfo", namespace: ns, ready: false)
        _ = try await server.control("POST", "objects", body: ["objects": [object], "manager": "flux-cli"])
        let args = ["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "7.0.0", "-n", ns, "--wait=false"]
        let result = await runFlux(args, server: server)
        #expect(result.code == 1)
        #expect(result.stderr.contains("Error from server (Conflict): Apply failed with"))
        #expect(result.stderr.contains("conflicts with \"flux-cli\" using source.toolkit.fluxcd.io/v1:"))
        #expect(result.stderr.contains(".spec.ref.tag"))
        #expect(result.stderr.contains("rerun with --force-conflicts"))

        let forced = await runFlux(args + ["--force-conflicts"], server: server)
        #expect(forced.code == 0, "\(forced.stderr)")
        #expect(forced.stderr.hasSuffix("✔ OCIRepository \(ns)/podinfo configured\n"))
        let stored = try await FluxFixtures.stored(server, ["sources", "oci"], name: "podinfo", namespace: ns)
        #expect(stored[path: "spec", "ref", "tag"] == "7.0.0")
    }

    @Test func serverDryRunSendsDryRunAllAndStoresNothing() async throws {
        try await withOwnServer { server in
            let result = await runFlux(["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "6.3.5",
                                        "--dry-run=server"], server: server)
            #expect(result.code == 0, "\(result.stderr)")
            #expect(result.stderr.contains("✔ OCIRepository flux-system/podinfo created (server dry run)"))
            let writes = try await server.requests().filter { $0.method == "PATCH" }
            #expect(writes.count == 1)
            #expect(writes.first?.query["dryRun"] == "All")
            #expect(writes.first?.query["fieldManager"] == "kubectl-gitops")
            #expect(writes.first?.headers["Content-Type"] == "application/apply-patch+yaml")
            let get = await runFlux(["get", "sources", "oci", "podinfo"], server: server)
            #expect(get.code == 1)
            #expect(get.stderr == "Error from server (NotFound): ocirepositories.source.toolkit.fluxcd.io \"podinfo\" not found\n")
        }
    }

    @Test func exportAndClientDryRunNeverTouchTheCluster() async throws {
        try await withOwnServer { server in
            let export = await runFlux(["create", "source", "oci", "podinfo", "--url=\(Self.url)", "--tag=6.3.5",
                                        "--interval", "10m", "--export"], server: server)
            #expect(export.code == 0, "\(export.stderr)")
            let exportGolden = try FluxGoldens.flux("oci/export.golden")
            #expect(export.stdout == exportGolden)
            #expect(export.stderr.isEmpty)

            let secret = await runFlux(["create", "source", "oci", "podinfo", "--url=\(Self.url)", "--tag=6.3.5",
                                        "--interval", "10m", "--secret-ref=creds", "--export"], server: server)
            let secretGolden = try FluxGoldens.flux("oci/export_with_secret.golden")
            #expect(secret.stdout == secretGolden)
            let layer = await runFlux(["create", "source", "oci", "podinfo", "--url=\(Self.url)", "--tag=6.3.5", "--interval", "10m",
                                       "--layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip:copy", "--export"],
                                      server: server)
            let layerGolden = try FluxGoldens.flux("oci/export_with_layer_selector.golden")
            #expect(layer.stdout == layerGolden)
            let verify = await runFlux(["create", "source", "oci", "podinfo", "--url=\(Self.url)", "--tag=6.3.5", "--interval", "10m",
                                        "--verify-provider=cosign", "--verify-secret-ref=cosign-pub", "--export"], server: server)
            let verifyGolden = try FluxGoldens.flux("oci/export_with_verify_secret.golden")
            #expect(verify.stdout == verifyGolden)

            let ks = await runFlux(["create", "ks", "podinfo", "--source=OCIRepository/podinfo", "--target-namespace=default",
                                    "--prune=true", "--interval=5m", "--wait-resources", "--export"], server: server)
            #expect(ks.stdout == """
                ---
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata:
                  name: podinfo
                  namespace: flux-system
                spec:
                  interval: 5m0s
                  path: ./
                  prune: true
                  sourceRef:
                    kind: OCIRepository
                    name: podinfo
                  targetNamespace: default
                  timeout: 2m0s
                  wait: true

                """)

            let dryRun = await runFlux(["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "6.3.5",
                                        "--dry-run=client"], server: server)
            #expect(dryRun.code == 0, "\(dryRun.stderr)")
            #expect(dryRun.stderr.contains("client dry run, nothing sent"))
            let bootstrap = await runFlux(["bootstrap", "oci", "podinfo", "--url", "oci://registry.internal/podinfo",
                                           "--tag", "staging", "--dry-run=client"], server: server)
            #expect(bootstrap.code == 0, "\(bootstrap.stderr)")
            let sent = try await server.requests()
            #expect(sent.isEmpty)
        }
    }

    @Test func badInputSendsNothingAndNamesTheFlag() async throws {
        try await withOwnServer { server in
            let cases: [([String], String)] = [
                (["create", "source", "oci"], "error: name is required\n"),
                (["create", "source", "oci", "podinfo"], "error: url is required\n"),
                (["create", "source", "oci", "podinfo", "--url=\(Self.url)", "--tag=6.3.5", "--verify-secret-ref=cosign-pub"],
                 "error: a verification provider must be specified when a secret is specified\n"),
                (["create", "source", "oci", "podinfo", "--url=\(Self.url)", "--tag=6.3.5", "--verify-issuer=github.com"],
                 "error: a verification provider must be specified when OIDC issuer/subject is specified\n"),
                (["create", "source", "oci", "podinfo", "--url=\(Self.url)", "--tag=6.3.5",
                  "--layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip:move"],
                 "error: invalid --layer-selector \"application/vnd.cncf.helm.chart.content.v1.tar+gzip:move\": operation must be \"extract\" or \"copy\"\n"),
                (["create", "kustomization", "my-app", "--path=./deploy", "--export"], "error: source is required\n"),
                (["create", "source", "oci", "podinfo", "--url", "https://example.com/x", "--tag", "1"], "--url"),
                (["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "1", "--interval", "soon"], "error: --interval \"soon\""),
                (["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "1", "--timeout", "5 minutes"], "error: --timeout \"5 minutes\""),
                (["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "1", "--provider", "ibm"], "error: --provider \"ibm\""),
                (["create", "source", "oci", "podinfo", "--url", Self.url, "--digest", "sha256:abc"], "error: --digest \"sha256:abc\""),
                (["create", "ks", "podinfo", "--source", "OCIRepository/podinfo", "--health-check", "Pod/x"], "error: --health-check \"Pod/x\""),
                (["create", "ks", "podinfo", "--source", "OCIRepository/podinfo", "--path", "../up"], "error: --path \"../up\""),
                (["bootstrap", "oci", "podinfo", "--url", Self.url], "error: --tag is required"),
                (["bootstrap", "oci", "podinfo", "--url", Self.url, "--tag", "1", "--ks-interval", "x"], "error: --ks-interval \"x\""),
                (["get", "ks", "--status-selector", "ready"], "--status-selector \"ready\""),
                (["suspend", "ks"], "give at least one name, or --all"),
                (["delete", "ks", "podinfo"], "pass --yes"),
                (["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "1", "--dry-run=maybe"], "--dry-run"),
            ]
            for (arguments, expected) in cases {
                let result = await runFlux(arguments, server: server)
                #expect(result.code != 0, "\(arguments) succeeded")
                #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
            }
            let sent = try await server.requests()
            #expect(sent.isEmpty, "bad input must not send any request: \(sent.map(\.path))")
        }
    }

    @Test func serverErrorsAreShownAsTheServerSaidThem() async throws {
        let forbidden = await runFlux(["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "1", "--wait=false",
                                       "--context", "test-viewer"], server: server)
        #expect(forbidden.code == 1)
        #expect(forbidden.stderr.hasSuffix("""
            Error from server (Forbidden): ocirepositories.source.toolkit.fluxcd.io "podinfo" is forbidden: \
            User "viewer" cannot patch resource "ocirepositories" in API group "source.toolkit.fluxcd.io" in the namespace "flux-system"

            """))
        // 404 from a write: the namespace does not exist (the recorded message).
        let missing = await runFlux(["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "1", "--wait=false",
                                     "-n", "nope"], server: server)
        #expect(missing.code == 1)
        #expect(missing.stderr.hasSuffix("Error from server (NotFound): namespaces \"nope\" not found\n"), "\(missing.stderr)")
    }

    @Test func usesV1beta2WhenThatIsAllTheClusterServes() async throws {
        try await withOwnServer(.init(fluxVersion: .v1beta2)) { server in
            let result = await runFlux(["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "6.3.5", "--wait=false"],
                                       server: server)
            #expect(result.code == 0, "\(result.stderr)")
            let patch = try #require(try await server.requests().first { $0.method == "PATCH" })
            #expect(patch.path == "/apis/source.toolkit.fluxcd.io/v1beta2/namespaces/flux-system/ocirepositories/podinfo")
            #expect(patch.body?.contains("\"apiVersion\":\"source.toolkit.fluxcd.io/v1beta2\"") == true)
            let get = await runFlux(["get", "sources", "oci", "-o", "name"], server: server)
            #expect(get.stdout == "ocirepository.source.toolkit.fluxcd.io/podinfo\n")

            // bootstrap asks discovery per group: OCIRepository in v1beta2, Kustomization in v1.
            try await server.clearRequests()
            let bootstrap = await runFlux(["bootstrap", "oci", "app", "--url", Self.url, "--tag", "1.0.0", "--wait=false"], server: server)
            #expect(bootstrap.code == 0, "\(bootstrap.stderr)")
            let paths = try await server.requests().filter { $0.method == "PATCH" }.map(\.path)
            #expect(paths == ["/apis/source.toolkit.fluxcd.io/v1beta2/namespaces/flux-system/ocirepositories/app",
                              "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/app"])
        }
    }

    @Test func fluxNotInstalledSaysSo() async throws {
        try await withOwnServer(.init(fluxVersion: .none)) { server in
            for arguments in [["create", "source", "oci", "podinfo", "--url", Self.url, "--tag", "1"], ["get", "all"],
                              ["suspend", "ks", "x"]] {
                let result = await runFlux(arguments, server: server)
                #expect(result.code == 1)
                #expect(result.stderr == "error: Flux is not installed in this cluster: the API \(arguments[0] == "suspend" ? "kustomize" : "source").toolkit.fluxcd.io is not served (install Flux, then run kubectl gitops check)\n")
            }
        }
    }

    @Test func bootstrapCreatesTheGuidesPairAndWaitsForBoth() async throws {
        let guideArguments = ["bootstrap", "oci", "podinfo", "--url", "oci://registry.internal/podinfo", "--tag", "staging",
                              "--target-namespace", "apps"]
        let export = await runFlux(guideArguments + ["--export"], server: server)
        #expect(export.code == 0, "\(export.stderr)")
        try FluxGoldens.check(export.stdout, "bootstrap-oci-export.yaml")

        let ns = try FluxFixtures.namespace(server, "bootstrap")
        let source = FluxFixtures.markReady(server, kind: "OCIRepository", namespace: ns, name: "podinfo", revision: "staging@sha256:\(FluxFixtures.digest)")
        let kustomization = FluxFixtures.markReady(server, kind: "Kustomization", namespace: ns, name: "podinfo", revision: "staging@sha256:\(FluxFixtures.digest)")
        let result = await runFlux(guideArguments + ["-n", ns, "--timeout", "20s"], server: server)
        let sourceMarked = await source.value
        let kustomizationMarked = await kustomization.value
        #expect(sourceMarked && kustomizationMarked)
        #expect(result.code == 0, "\(result.stderr)")
        #expect(result.stderr == """
            ► applying OCIRepository \(ns)/podinfo
            ✔ OCIRepository \(ns)/podinfo created
            ► applying Kustomization \(ns)/podinfo
            ✔ Kustomization \(ns)/podinfo created
            ◎ waiting for OCIRepository reconciliation
            ✔ OCIRepository reconciliation completed
            ✔ fetched revision: staging@sha256:\(FluxFixtures.digest)
            ◎ waiting for Kustomization reconciliation
            ✔ Kustomization podinfo is ready
            ✔ applied revision staging@sha256:\(FluxFixtures.digest)

            """)
        // What the server stored equals the export (apart from the namespace and server defaults).
        let stored = try await FluxFixtures.stored(server, ["ks"], name: "podinfo", namespace: ns)
        #expect(stored[path: "spec", "wait"] == true)
        #expect(stored[path: "spec", "targetNamespace"] == "apps")
        let again = await runFlux(guideArguments + ["-n", ns, "--timeout", "20s", "--wait=false"], server: server)
        #expect(again.stderr.contains("✔ OCIRepository \(ns)/podinfo unchanged"))
        #expect(again.stderr.contains("✔ Kustomization \(ns)/podinfo unchanged"))
    }
}
