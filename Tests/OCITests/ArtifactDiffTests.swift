import Foundation
import HTTPTransport
import Testing
@testable import OCI

@Suite struct ArtifactDiffTests {
    @Test func reportsAddedRemovedAndChangedWithUnifiedDiff() throws {
        let remote = try ScratchDirectory()
        try remote.file("app.yaml", "kind: Deployment\nreplicas: 1\nimage: app:1\n")
        try remote.file("same.yaml", "unchanged\n")
        try remote.file("mode.sh", "#!/bin/sh\n", mode: 0o644)
        try remote.file("gone.yaml", "old\n")
        try remote.data("blob.bin", Data([0, 1, 2, 3]))
        let out = try ScratchDirectory()
        let layer = try ArtifactBuilder.build(source: .directory(path: remote.path), destinationPath: out.url("remote.tgz"))

        let local = try ScratchDirectory()
        try local.file("app.yaml", "kind: Deployment\nreplicas: 3\nimage: app:1\n")
        try local.file("same.yaml", "unchanged\n")
        try local.file("mode.sh", "#!/bin/sh\n", mode: 0o755)
        try local.file("new/extra.yaml", "fresh\n")
        try local.data("blob.bin", Data([0, 1, 2, 4]))

        let result = try ArtifactDiff.compare(local: .directory(path: local.path), remoteLayer: try FileBodyReader(path: layer.path))
        #expect(!result.isIdentical && result.exitCode == 1)
        #expect(result.added.map(\.path) == ["new", "new/extra.yaml"])
        #expect(result.removed.map(\.path) == ["gone.yaml"])
        #expect(result.changed.map(\.path) == ["app.yaml", "blob.bin", "mode.sh"])
        let app = result.changed[0]
        #expect(app.contentChanged && app.modeChange == nil)
        #expect(app.unifiedDiff == """
        --- remote/app.yaml
        +++ local/app.yaml
        @@ -1,3 +1,3 @@
         kind: Deployment
        -replicas: 1
        +replicas: 3
         image: app:1

        """)
        #expect(result.changed[1].contentChanged && result.changed[1].unifiedDiff == nil) // binary
        #expect(result.changed[2].modeChange?.remote == 0o644 && result.changed[2].modeChange?.local == 0o755)
        #expect(!result.changed[2].contentChanged)
    }

    @Test func identicalContentIsIdenticalWhateverTheCompression() async throws {
        let tree = try ScratchDirectory()
        try tree.file("a.yaml", "a: 1\n")
        try tree.data("big.bin", Data(repeating: 7, count: 3 << 20)) // above the text-diff size: chunked comparison
        let out = try ScratchDirectory()
        // The remote layer compressed by another tool (pigz): digests differ, content does not.
        try tarBytes(.directory(path: tree.path)).write(to: URL(fileURLWithPath: out.url("a.tar")))
        #expect(try await shell("pigz -9 -c '\(out.url("a.tar"))' > '\(out.url("a.tgz"))'").status == 0)
        let same = try ArtifactDiff.compare(local: .directory(path: tree.path), remoteLayer: try FileBodyReader(path: out.url("a.tgz")))
        #expect(same.isIdentical && same.exitCode == 0)

        var changed = Data(repeating: 7, count: 3 << 20)
        changed[(2 << 20) + 5] = 8
        try tree.data("big.bin", changed)
        let different = try ArtifactDiff.compare(local: .directory(path: tree.path), remoteLayer: try FileBodyReader(path: out.url("a.tgz")))
        #expect(different.changed.map(\.path) == ["big.bin"] && different.changed[0].contentChanged)
    }

    @Test func stdinSourceComparesAgainstItsFixedName() throws {
        let out = try ScratchDirectory()
        let layer = try ArtifactBuilder.build(source: .standardInput(Data("a: 1\n".utf8)), destinationPath: out.url("s.tgz"))
        let same = try ArtifactDiff.compare(local: .standardInput(Data("a: 1\n\n".utf8)), remoteLayer: try FileBodyReader(path: layer.path))
        #expect(same.isIdentical)
    }

    @Test func unifiedDiffMatchesGNUDiff() async throws {
        var old: [String] = (1...40).map { "line \($0)" }
        var new = old
        new[2] = "changed 3"
        new.remove(at: 10)
        new.insert("inserted after 20", at: 20)
        new[35] = "changed near end"
        new.append("appended")
        old.append("no newline at end")
        let oldText = old.joined(separator: "\n") // last line unterminated
        let newText = new.joined(separator: "\n") + "\n"
        let scratch = try ScratchDirectory()
        try scratch.file("old", oldText)
        try scratch.file("new", newText)
        let gnu = try await shell("cd '\(scratch.path)' && diff -u --label remote/x --label local/x old new")
        #expect(gnu.status == 1)
        let ours = TextDiff.unified(old: oldText, new: newText, oldLabel: "remote/x", newLabel: "local/x")
        #expect(ours == gnu.text)
        #expect(TextDiff.unified(old: "same\n", new: "same\n", oldLabel: "a", newLabel: "b") == "")
        #expect(TextDiff.unified(old: "", new: "x\n", oldLabel: "a", newLabel: "b") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n")
    }

    @Test func editScriptIsMinimal() {
        let a = "ABCABBA".map(String.init)
        let b = "CBABAC".map(String.init)
        let script = TextDiff.editScript(a, b)
        #expect(script.filter { $0 != .equal }.count == 5) // Myers' example: D = 5
        #expect(script.filter { $0 != .insert }.count == a.count)
        #expect(script.filter { $0 != .delete }.count == b.count)
    }
}
