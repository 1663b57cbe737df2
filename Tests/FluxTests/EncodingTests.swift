import Foundation
import JSON
import Testing
@testable import Flux

@Suite struct EncodingTests {
    @Test func yamlMatchesKubectlForQuotingFoldingAndKeyOrder() throws {
        let input = try JSONValue(parsing: KubectlOracle.configMapInput)
        let rendered = KubeYAML.encode(input)
        let expectedLines = KubectlOracle.configMapYAML.split(separator: "\n", omittingEmptySubsequences: false)
        let renderedLines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, (expected, actual)) in zip(expectedLines, renderedLines).enumerated() where expected != actual {
            Issue.record("line \(index + 1): expected \(expected.debugDescription), got \(actual.debugDescription)")
            break
        }
        #expect(rendered == KubectlOracle.configMapYAML)
    }

    @Test func yamlAndJSONMatchKubectlForNestedStructuresAndNumbers() throws {
        let input = try JSONValue(parsing: KubectlOracle.customResourceInput)
        #expect(KubeYAML.encode(input) == KubectlOracle.customResourceYAML)
        #expect(CanonicalJSON.indented(input) == KubectlOracle.customResourceJSON)
    }

    @Test func yamlReadsBackToTheSameStrings() throws {
        // Yams reads our output back to the original strings (NEL is folded on purpose, as kubectl does; Yams
        // drops an escaped BOM when reading, so that one value is left out).
        let input = try JSONValue(parsing: KubectlOracle.configMapInput)
        let reparsed = try #require(KubeYAML.decodeDocuments(KubeYAML.encode(input)).first)
        let original = try #require(input["data"]?.objectValue)
        let readBack = try #require(reparsed["data"]?.objectValue)
        let differing = original.keys.filter { key in
            let scalars = original[key]!.stringValue!.unicodeScalars
            return !scalars.contains("\u{85}") && !scalars.contains("\u{FEFF}") && readBack[key] != original[key]
        }.sorted()
        #expect(differing.isEmpty, "\(differing.map { "\($0): \(original[$0]!) → \(String(describing: readBack[$0]))" })")
    }

    @Test func scalarsInIsolation() {
        let cases: [(JSONValue, String)] = [
            ("", "\"\"\n"), ("true", "\"true\"\n"), ("6.3.5", "6.3.5\n"), ("10", "\"10\"\n"), ("1m0s", "1m0s\n"),
            ("2026-11-26T01:30:24Z", "\"2026-11-26T01:30:24Z\"\n"), (.null, "null\n"), (.integer(-1), "-1\n"),
            (.double(0.5), "0.5\n"), (.bool(false), "false\n"), ([:], "{}\n"), ([], "[]\n"),
        ]
        for (value, expected) in cases {
            #expect(KubeYAML.encode(value) == expected, "\(value)")
        }
    }

    @Test func jsonParserRejectsMalformedInput() throws {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "tru", "[1] 2", "\"a\u{01}\""] {
            #expect(throws: JSONParseError.self, "\(bad.debugDescription)") { try JSONValue(parsing: bad) }
        }
        #expect(try JSONValue(parsing: "{\"a\":[1,2.5,-3e2,true,null,\"\\ud83d\\ude00\"]}")
            == ["a": [1, 2.5, -300.0, true, nil, "😀"]])
        #expect(try JSONValue(parsing: "9223372036854775808") == .double(9223372036854775808))
    }

    @Test func compactJSONIsSorted() {
        let value: JSONValue = ["b": 1, "a": ["z": true, "y": nil], "B": "x"]
        #expect(CanonicalJSON.compact(value) == #"{"B":"x","a":{"y":null,"z":true},"b":1}"#)
    }

    @Test func typedObjectsRoundTripThroughTheDictionaryView() throws {
        var options = OCIRepositoryOptions(name: "podinfo", url: "oci://ghcr.io/stefanprodan/manifests/podinfo")
        options.tag = "6.3.5"
        options.verifyProvider = "cosign"
        options.verifyIssuer = "github"
        let object = try options.build()
        let view = try JSONValue(encoding: object)
        #expect(view[path: "spec", "interval"] == "1m0s")
        #expect(try view.decode(OCIRepository.self) == object)
        // Unknown fields survive a read–modify–write of the dictionary view.
        var read = view
        read.setValue("future", at: ["spec", "someNewField"])
        read.setValue(true, at: ["spec", "suspend"])
        let text = CanonicalJSON.compact(read)
        #expect(try JSONValue(parsing: text)[path: "spec", "someNewField"] == "future")
    }
}
