import Foundation
import GitOpsCLI
import JSON
import Testing
import TestSupport

@Suite struct FluxGetCommandTests {
    let server: KubeTestServer

    init() async throws { server = try await SharedKubeServer.server() }

    /// Seeds a ready source, a failing suspended one and a Kustomization; returns the namespace and a clock that
    /// makes every AGE read 90s.
    func seeded(_ label: String, labels: [String: String] = [:]) async throws -> (namespace: String, now: Date) {
        let ns = try FluxFixtures.namespace(server, label)
        var failing = FluxFixtures.ociRepository("broken", namespace: ns, tag: "9.9.9", ready: false, suspended: true, labels: labels)
        failing["status"] = ["observedGeneration": 1, "conditions": [[
            "type": "Ready", "status": "False", "reason": "OCIArtifactPullFailed",
            "message": "failed to pull artifact: MANIFEST_UNKNOWN: manifest unknown", "lastTransitionTime": "2026-01-01T00:00:00Z"]]]
        try await server.seed(objects: [
            FluxFixtures.ociRepository("podinfo", namespace: ns, labels: labels), failing,
            FluxFixtures.kustomization("podinfo", namespace: ns),
        ])
        let stored = try await FluxFixtures.stored(server, ["sources", "oci"], name: "podinfo", namespace: ns)
        let created = try #require(stored[path: "metadata", "creationTimestamp"]?.stringValue)
        let formatter = ISO8601DateFormatter()
        let date = try #require(formatter.date(from: created))
        return (ns, date.addingTimeInterval(90))
    }

    /// Random namespace suffixes masked, so goldens stay stable.
    func masked(_ text: String, _ namespaces: String...) -> String {
        var result = text
        for ns in namespaces {
            let label = ns.split(separator: "-").dropLast().joined(separator: "-")
            result = result.replacingOccurrences(of: ns, with: "\(label)-xxxxxx")
        }
        for pattern in [#""uid": "[^"]+""#, #""resourceVersion": "[0-9]+""#, #""creationTimestamp": "[^"]+""#,
                        #"uid: [0-9a-f-]+"#, #"resourceVersion: "[0-9]+""#, #"creationTimestamp: "[^"]+""#] {
            let regex = try! NSRegularExpression(pattern: pattern)
            let replacement = pattern.contains("\": ") ? pattern.components(separatedBy: ": ")[0] + ": \"MASKED\"" : pattern.components(separatedBy: ": ")[0] + ": MASKED"
            result = regex.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: replacement)
        }
        return result
    }

    @Test func tablesInEveryLayout() async throws {
        let (ns, now) = try await seeded("gettable")
        let table = await runFlux(["get", "sources", "oci", "-n", ns], server: server, now: now)
        #expect(table.code == 0, "\(table.stderr)")
        #expect(table.stderr.isEmpty)
        try FluxGoldens.check(table.stdout, "get-sources-oci.txt")
        // flux's get_oci golden values: NAME, REVISION, SUSPENDED, READY, MESSAGE (digests cut to 8).
        let goldenRow = try FluxGoldens.flux("oci/get_oci.golden").split(separator: "\n")[1]
            .split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        let podinfoRow = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("podinfo") })
            .split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(Array(podinfoRow[1...4]) == Array(goldenRow[1...4]))
        #expect(podinfoRow[5] == "90s")

        let wide = await runFlux(["get", "source", "oci", "-n", ns, "-o", "wide"], server: server, now: now)
        try FluxGoldens.check(wide.stdout, "get-sources-oci-wide.txt")
        #expect(wide.stdout.contains(FluxFixtures.revision), "wide shows full digests")

        let noHeader = await runFlux(["get", "sources", "oci", "-n", ns, "--no-header"], server: server, now: now)
        #expect(noHeader.code == 0)
        #expect(!noHeader.stdout.contains("REVISION"))
        #expect(noHeader.stdout.split(separator: "\n").count == 2)

        let ks = await runFlux(["get", "ks", "-n", ns], server: server, now: now)
        try FluxGoldens.check(ks.stdout, "get-kustomizations.txt")

        let all = await runFlux(["get", "all", "-n", ns], server: server, now: now)
        try FluxGoldens.check(all.stdout, "get-all.txt")
    }

    @Test func structuredOutputs() async throws {
        let (ns, now) = try await seeded("getout")
        let name = await runFlux(["get", "sources", "oci", "-n", ns, "-o", "name"], server: server, now: now)
        #expect(name.stdout == "ocirepository.source.toolkit.fluxcd.io/broken\nocirepository.source.toolkit.fluxcd.io/podinfo\n")
        let allNames = await runFlux(["get", "all", "-n", ns, "-o", "name"], server: server, now: now)
        #expect(allNames.stdout.hasSuffix("kustomization.kustomize.toolkit.fluxcd.io/podinfo\n"))

        let json = await runFlux(["get", "sources", "oci", "-n", ns, "-o", "json"], server: server, now: now)
        #expect(json.code == 0, "\(json.stderr)")
        let list = try JSONValue(parsing: json.stdout)
        #expect(list["kind"] == "List")
        #expect(list["apiVersion"] == "v1")
        #expect(list["items"]?.arrayValue?.count == 2)
        #expect(!json.stdout.contains("managedFields"))
        try FluxGoldens.check(masked(json.stdout, ns), "get-sources-oci.json")

        let yaml = await runFlux(["get", "sources", "oci", "-n", ns, "-o", "yaml"], server: server, now: now)
        try FluxGoldens.check(masked(yaml.stdout, ns), "get-sources-oci.yaml")

        let single = await runFlux(["get", "ks", "podinfo", "-n", ns, "-o", "json"], server: server, now: now)
        let object = try JSONValue(parsing: single.stdout)
        #expect(object["kind"] == "Kustomization", "a named get prints the object, as kubectl does")
    }

    @Test func selectorsAndAllNamespaces() async throws {
        let marker = "run\(UUID().uuidString.prefix(6).lowercased())"
        let (first, now) = try await seeded("geta", labels: ["test": marker])
        let (second, _) = try await seeded("getb", labels: ["test": marker])

        let across = await runFlux(["get", "sources", "oci", "-A", "-l", "test=\(marker)"], server: server, now: now)
        #expect(across.code == 0, "\(across.stderr)")
        let rows = across.stdout.split(separator: "\n").dropFirst()
        #expect(across.stdout.hasPrefix("NAMESPACE"))
        #expect(rows.count == 4)
        #expect(Set(rows.map { String($0.split(separator: "\t")[0]).trimmingCharacters(in: .whitespaces) }) == [first, second])

        let notReady = await runFlux(["get", "sources", "oci", "-n", first, "--status-selector", "ready=false"], server: server, now: now)
        #expect(notReady.stdout.split(separator: "\n").count == 2)
        #expect(notReady.stdout.contains("broken"))
        #expect(!notReady.stdout.contains("podinfo"))
        let notTrue = await runFlux(["get", "sources", "oci", "-n", first, "--status-selector", "ready!=true"], server: server, now: now)
        #expect(notTrue.stdout == notReady.stdout)

        let labelled = await runFlux(["get", "sources", "oci", "-n", first, "-l", "test=nothing"], server: server, now: now)
        #expect(labelled.code == 0)
        #expect(labelled.stdout.isEmpty)
        #expect(labelled.stderr == "No resources found in \(first) namespace.\n")
        let none = await runFlux(["get", "ks", "-A", "-l", "test=nothing"], server: server, now: now)
        #expect(none.code == 0)
        #expect(none.stderr == "No resources found\n")
    }

    @Test func aMissingNamedObjectIsTheServersNotFound() async throws {
        let ns = try FluxFixtures.namespace(server, "getmissing")
        let result = await runFlux(["get", "kustomization", "non-existent-resource", "-n", ns], server: server)
        #expect(result.code == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "Error from server (NotFound): kustomizations.kustomize.toolkit.fluxcd.io \"non-existent-resource\" not found\n")
    }

    @Test func watchPrintsTheTableThenOneRowPerChange() async throws {
        let (ns, now) = try await seeded("getwatch")
        let (console, out, err) = Console.capturing()
        let context = CommandContext(environment: ["HOME": CLITestPaths.emptyHome, "KUBECONFIG": server.kubeconfigPath],
                                     workingDirectory: FileManager.default.currentDirectoryPath, console: console,
                                     transportFactory: CommandContext.live().transportFactory, now: { now })
        let watcher = Task { await CLI.run(arguments: ["get", "ks", "-n", ns, "--watch"], context: context) }
        defer { watcher.cancel() }
        #expect(await eventually { out.text.split(separator: "\n").count == 2 }, "initial table: \(out.text) \(err.text)")
        #expect(out.text.hasPrefix("NAME"))
        try await server.writeStatus(kind: "Kustomization", namespace: ns, name: "podinfo", status: [
            "observedGeneration": 1, "conditions": [[
                "type": "Ready", "status": "False", "reason": "BuildFailed", "message": "kustomize build failed",
                "lastTransitionTime": "2026-01-01T00:00:00Z"]]])
        #expect(await eventually { out.text.contains("kustomize build failed") }, "change row: \(out.text) \(err.text)")
        let lines = out.text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[2].hasPrefix("podinfo"))
        #expect(lines[2].contains("\tFalse"))
        watcher.cancel()
        _ = await watcher.value
    }
}

/// Polls `condition` for up to `seconds`.
func eventually(seconds: Double = 10, _ condition: @escaping () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 50_000_000)
    }
    return condition()
}
