import Foundation
import JSON
import Testing
@testable import Flux

@Suite struct TableTests {
    static let ociDigest = "6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871"
    static let gitCommit = "67e2c98a60dc92283531412a9e604dd4bae005a9"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func timestamp(secondsAgo: Double) -> JSONValue {
        let formatter = ISO8601DateFormatter()
        return .string(formatter.string(from: now.addingTimeInterval(-secondsAgo)))
    }

    static func ociRepository(name: String = "thrfg", namespace: String = "oci-test-1", ready: JSONValue? = nil,
                              suspended: Bool = false, age: Double = 3 * 3600) -> JSONValue {
        let revision = "6.3.5@sha256:\(ociDigest)"
        var object: JSONValue = [
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "generation": 1,
                         "creationTimestamp": timestamp(secondsAgo: age)],
            "spec": ["url": "oci://ghcr.io/stefanprodan/manifests/podinfo", "ref": ["tag": "6.3.5"], "interval": "10m"],
            "status": [
                "observedGeneration": 1,
                "artifact": ["revision": .string(revision), "digest": .string("sha256:" + ociDigest)],
                "conditions": [ready ?? ["type": "Ready", "status": "True", "reason": "Succeeded",
                                         "message": .string("stored artifact for digest '\(revision)'"), "observedGeneration": 1]],
            ],
        ]
        if suspended { object.setValue(true, at: ["spec", "suspend"]) }
        return object
    }

    static func kustomization(name: String = "tkfg") -> JSONValue {
        let revision = "6.3.5@sha1:\(gitCommit)"
        return [
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": ["name": .string(name), "namespace": "tkfg-1", "generation": 1,
                         "creationTimestamp": timestamp(secondsAgo: 2 * 86400 + 3 * 3600)],
            "spec": ["sourceRef": ["kind": "GitRepository", "name": "tkfg"], "path": "./deploy/overlays/dev",
                     "prune": true, "interval": "5m", "targetNamespace": "dev"],
            "status": [
                "lastAppliedRevision": .string(revision),
                "conditions": [["type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                                "message": .string("Applied revision: \(revision)")]],
            ],
        ]
    }

    @Test func getOCIGoldenByteForByteWithoutAge() throws {
        let expected = try Fixtures.text("flux-goldens/oci/get_oci.golden")
        let table = FluxTable.render([Self.ociRepository()], kind: .ociRepository, options: FluxTableOptions(showAge: false, now: Self.now))
        #expect(table == expected)
    }

    @Test func getKustomizationGoldenByteForByteWithoutAge() throws {
        let expected = try Fixtures.text("flux-goldens/kustomization/get_kustomization_from_git.golden")
        let table = FluxTable.render([Self.kustomization()], kind: .kustomization, options: FluxTableOptions(showAge: false, now: Self.now))
        #expect(table == expected)
    }

    @Test func defaultTableHasAgeAndTheGoldensValues() throws {
        let table = FluxTable.render([Self.ociRepository()], kind: .ociRepository, options: FluxTableOptions(now: Self.now))
        #expect(table == """
            NAME \tREVISION             \tSUSPENDED\tREADY\tMESSAGE                                           \tAGE 
            thrfg\t6.3.5@sha256:6c959c51\tFalse    \tTrue \tstored artifact for digest '6.3.5@sha256:6c959c51'\t3h \t

            """)
        // The same values as flux's golden, cell by cell.
        let golden = try Fixtures.text("flux-goldens/oci/get_oci.golden")
        let goldenCells = golden.split(separator: "\n")[1].split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        let ourCells = table.split(separator: "\n")[1].split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(Array(ourCells.prefix(5)) == goldenCells)
    }

    @Test func allNamespacesWideAndGetAll() {
        let waiting = Self.ociRepository(name: "fresh", namespace: "apps", ready: nil, age: 5)
        var noStatus = waiting
        noStatus.setValue(nil, at: ["status"])
        noStatus.setValue(["digest": .string("sha256:" + Self.ociDigest)], at: ["spec", "ref"])
        let objects = [Self.ociRepository(suspended: true), noStatus]
        let table = FluxTable.render(objects, kind: .ociRepository,
                                     options: FluxTableOptions(allNamespaces: true, wide: true, qualifiedNames: true, now: Self.now))
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            == ["NAMESPACE", "NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE", "AGE", "URL", "REF"])
        let first = lines[1].split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(first == ["oci-test-1", "ocirepository/thrfg", "6.3.5@sha256:\(Self.ociDigest)", "True", "True",
                          "stored artifact for digest '6.3.5@sha256:\(Self.ociDigest)'", "3h",
                          "oci://ghcr.io/stefanprodan/manifests/podinfo", "6.3.5"])
        let second = lines[2].split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(second == ["apps", "ocirepository/fresh", "", "False", "False", "waiting to be reconciled", "5s",
                           "oci://ghcr.io/stefanprodan/manifests/podinfo", "sha256:\(Self.ociDigest)"])
        #expect(lines[1].hasSuffix("\t") && !lines[0].hasSuffix("\t"))

        let kustomizations = FluxTable.render([Self.kustomization()], kind: .kustomization,
                                              options: FluxTableOptions(wide: true, noHeader: true, qualifiedNames: true, now: Self.now))
        #expect(kustomizations.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            == ["kustomization/tkfg", "6.3.5@sha1:\(Self.gitCommit)", "False", "True", "Applied revision: 6.3.5@sha1:\(Self.gitCommit)",
                "2d3h", "GitRepository/tkfg-1/tkfg", "./deploy/overlays/dev", "dev", ""])
    }

    @Test func getAllAndFullDigests() {
        let text = FluxTable.renderAll([(.ociRepository, [Self.ociRepository()]), (.kustomization, []),
                                        (.kustomization, [Self.kustomization()])], options: FluxTableOptions(showAge: false))
        let blocks = text.components(separatedBy: "\n\n")
        #expect(blocks.count == 2)
        #expect(blocks[0].contains("\nocirepository/thrfg\t") && blocks[1].contains("\nkustomization/tkfg\t"))
        let full = FluxTable.render([Self.ociRepository()], kind: .ociRepository, options: FluxTableOptions(fullDigests: true))
        #expect(full.contains("6.3.5@sha256:\(Self.ociDigest)\t"))
    }

    @Test func digestShortening() {
        let hex40 = String(repeating: "a1", count: 20)
        #expect(FluxTable.shortenDigests("rev@sha1:\(hex40)") == "rev@sha1:a1a1a1a1")
        #expect(FluxTable.shortenDigests("x \(hex40) y") == "x a1a1a1a1 y")
        #expect(FluxTable.shortenDigests(String(hex40.dropLast())) == String(hex40.dropLast()))  // 39: kept
        #expect(FluxTable.shortenDigests(String(repeating: "f", count: 129)) == String(repeating: "f", count: 129))
        #expect(FluxTable.shortenDigests("g" + hex40) == "g" + hex40)  // not a word of its own
        #expect(FluxTable.shortenDigests(hex40.uppercased()) == hex40.uppercased())
        #expect(FluxTable.shortenDigests("'\(hex40)'") == "'a1a1a1a1'")
    }

    static let ageCases: [(Double, String)] = [
        (0.0, "0s"), (-1.5, "0s"), (-3.0, "<invalid>"), (5, "5s"), (119, "119s"), (120, "2m"), (182, "3m2s"), (599, "9m59s"),
        (600, "10m"), (10799, "179m"), (10800, "3h"), (4 * 3600, "4h"), (4 * 3600 + 1800, "4h30m"), (8 * 3600, "8h"),
        (47 * 3600, "47h"), (2 * 86400 + 3 * 3600, "2d3h"), (3 * 86400, "3d"), (8 * 86400, "8d"), (400 * 86400, "400d"),
        (730 * 86400, "2y"), (800 * 86400, "2y70d"), (3000 * 86400, "8y"),
        ]

    @Test(arguments: ageCases)
    func ages(_ seconds: Double, _ expected: String) {
        #expect(FluxTable.humanAge(seconds) == expected)
    }

    @Test func unknownAgeWithoutTimestamp() {
        var object = Self.ociRepository()
        object.setValue(nil, at: ["metadata", "creationTimestamp"])
        let row = FluxTable.row(for: object, kind: .ociRepository, options: FluxTableOptions(now: Self.now))
        #expect(row.last == "<unknown>")
    }
}

@Suite struct ListOutputTests {
    static let objects = [TableTests.ociRepository(name: "a"), TableTests.ociRepository(name: "b")]

    @Test func names() {
        #expect(FluxListOutput.render(Self.objects, format: .name)
            == "ocirepository.source.toolkit.fluxcd.io/a\nocirepository.source.toolkit.fluxcd.io/b\n")
        #expect(FluxListOutput.render([TableTests.kustomization()], format: .name) == "kustomization.kustomize.toolkit.fluxcd.io/tkfg\n")
    }

    @Test func jsonListLikeKubectl() throws {
        var object: JSONValue = [
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
            "metadata": ["name": "a", "managedFields": [["manager": "x"]], "labels": [:]],
            "spec": ["ignore": "<a> & b", "insecure": false, "list": []],
        ]
        object.setValue(1.5, at: ["status", "ratio"])
        let text = FluxListOutput.render([object], format: .json)
        #expect(text == """
            {
                "apiVersion": "v1",
                "items": [
                    {
                        "apiVersion": "source.toolkit.fluxcd.io/v1",
                        "kind": "OCIRepository",
                        "metadata": {
                            "labels": {},
                            "name": "a"
                        },
                        "spec": {
                            "ignore": "\\u003ca\\u003e \\u0026 b",
                            "insecure": false,
                            "list": []
                        },
                        "status": {
                            "ratio": 1.5
                        }
                    }
                ],
                "kind": "List",
                "metadata": {
                    "resourceVersion": ""
                }
            }

            """)
        // And it parses back to the same list.
        #expect(try JSONValue(parsing: text) == FluxListOutput.list([object]))
    }

    @Test func yamlListLikeKubectl() {
        let object: JSONValue = [
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
            "metadata": ["name": "a", "namespace": "flux-system", "creationTimestamp": "2026-11-26T01:30:24Z"],
            "spec": ["interval": "1m", "ref": ["tag": "6.3.5"], "url": "oci://r/a"],
            "status": ["observedGeneration": -1, "conditions": [["type": "Ready", "status": "True", "message": ""]]],
        ]
        #expect(FluxListOutput.render([object], format: .yaml) == """
            apiVersion: v1
            items:
            - apiVersion: source.toolkit.fluxcd.io/v1
              kind: OCIRepository
              metadata:
                creationTimestamp: "2026-11-26T01:30:24Z"
                name: a
                namespace: flux-system
              spec:
                interval: 1m
                ref:
                  tag: 6.3.5
                url: oci://r/a
              status:
                conditions:
                - message: ""
                  status: "True"
                  type: Ready
                observedGeneration: -1
            kind: List
            metadata:
              resourceVersion: ""

            """)
        #expect(FluxListOutput.render([], format: .yaml) == "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n")
    }
}

@Suite struct TimestampParsingTests {
    @Test func rfc3339FormsTheAPIWrites() {
        #expect(FluxTable.parseTimestamp("1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
        #expect(FluxTable.parseTimestamp("2026-11-26T01:30:24Z")?.timeIntervalSince1970 == 1_795_656_624)
        #expect(FluxTable.parseTimestamp("2026-11-26T01:30:24.5Z")?.timeIntervalSince1970 == 1_795_656_624.5)
        #expect(FluxTable.parseTimestamp("2026-11-26T02:30:24+01:00")?.timeIntervalSince1970 == 1_795_656_624)
        #expect(FluxTable.parseTimestamp("2000-02-29T12:00:00Z")?.timeIntervalSince1970 == 951_825_600)
        for bad in ["", "2026-11-26", "2026-13-01T00:00:00Z", "2026-11-26T01:30:24", "2026-11-26T01:30:24Zx", "2026-11-26 01:30:24Z"] {
            #expect(FluxTable.parseTimestamp(bad) == nil, "\(bad)")
        }
    }

    @Test func digestsAreCutOnlyInLongLowerHexWords() {
        let digest = String(repeating: "ab", count: 32)
        #expect(FluxTable.shortenDigests("v1@sha256:\(digest) ok") == "v1@sha256:abababab ok")
        #expect(FluxTable.shortenDigests("X\(digest)") == "X\(digest)")
        #expect(FluxTable.shortenDigests("short abcdef12") == "short abcdef12")
    }
}
