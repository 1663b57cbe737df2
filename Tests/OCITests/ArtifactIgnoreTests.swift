import Foundation
import Testing
@testable import OCI

@Suite struct ArtifactIgnoreTests {
    func tree() throws -> ScratchDirectory {
        let tree = try ScratchDirectory()
        try tree.file(".git/config", "[core]")
        try tree.file(".gitignore", "*.tmp")
        try tree.file("apps/app.yaml", "a")
        try tree.file("apps/logo.png", "png")
        try tree.file("apps/bundle.tar.gz", "tgz")
        try tree.file("apps/readme.md", "docs")
        try tree.file("deploy/keep.yaml", "k")
        try tree.file("deploy/drop.yaml", "d")
        try tree.file("notes.txt", "n")
        return tree
    }

    @Test func defaultsDropVCSFilesAndBinaryExtensionsButWalkIgnoredDirectories() throws {
        let tree = try tree()
        #expect(try entryNames(.directory(path: tree.path)) ==
                [".", "apps", "apps/app.yaml", "apps/readme.md", "deploy", "deploy/drop.yaml", "deploy/keep.yaml", "notes.txt"])
    }

    @Test func ignorePathsReplaceTheDefaults() throws {
        let tree = try tree()
        let names = try entryNames(.directory(path: tree.path), ArtifactBuildOptions(ignorePaths: ["*.yaml"]))
        #expect(names == [".", ".git", ".git/config", ".gitignore", "apps", "apps/bundle.tar.gz", "apps/logo.png",
                          "apps/readme.md", "deploy", "notes.txt"])
    }

    @Test func addIgnorePathsExtendWhicheverSetApplies() throws {
        let tree = try tree()
        let withDefaults = try entryNames(.directory(path: tree.path), ArtifactBuildOptions(addIgnorePaths: ["*.md", "notes.txt"]))
        #expect(withDefaults == [".", "apps", "apps/app.yaml", "deploy", "deploy/drop.yaml", "deploy/keep.yaml"])
        let withReplacement = try entryNames(.directory(path: tree.path), ArtifactBuildOptions(ignorePaths: ["apps/"], addIgnorePaths: ["/deploy/drop.yaml"]))
        #expect(withReplacement == [".", ".git", ".git/config", ".gitignore", "deploy", "deploy/keep.yaml", "notes.txt"])
    }

    @Test func negationReincludesAndAMatchedDirectoryOnlyLosesItsOwnEntry() throws {
        let tree = try tree()
        let options = ArtifactBuildOptions(ignorePaths: ["deploy/", "!deploy/keep.yaml", "/deploy/drop.yaml", ".git/", "*.png", "*.tar.gz"])
        let names = try entryNames(.directory(path: tree.path), options)
        // `deploy` itself is ignored but its children are matched one by one: keep.yaml is re-included.
        #expect(names == [".", ".gitignore", "apps", "apps/app.yaml", "apps/readme.md", "deploy/keep.yaml", "notes.txt"])
    }

    @Test func matcherFollowsGitignoreSyntax() {
        let matcher = IgnoreMatcher(patterns: [
            "# a comment", "", "*.log", "!important.log", "/build/", "docs/**/*.tmp", "cache?", "[abc]x.yaml",
            "[!d]y.yaml", "secret\\*", "trailing   ",
        ])
        #expect(matcher.isIgnored("a/b/debug.log", isDirectory: false))
        #expect(!matcher.isIgnored("a/important.log", isDirectory: false))
        #expect(matcher.isIgnored("build", isDirectory: true))
        #expect(!matcher.isIgnored("build", isDirectory: false)) // dir-only pattern
        #expect(matcher.isIgnored("build/out.bin", isDirectory: false)) // below a matched anchored directory
        #expect(!matcher.isIgnored("src/build", isDirectory: true)) // anchored to the root
        #expect(matcher.isIgnored("docs/x.tmp", isDirectory: false)) // ** matches zero directories
        #expect(matcher.isIgnored("docs/a/b/x.tmp", isDirectory: false))
        #expect(!matcher.isIgnored("other/x.tmp", isDirectory: false))
        #expect(matcher.isIgnored("cache1", isDirectory: true))
        #expect(!matcher.isIgnored("cache12", isDirectory: true))
        #expect(matcher.isIgnored("bx.yaml", isDirectory: false))
        #expect(!matcher.isIgnored("dx.yaml", isDirectory: false))
        #expect(matcher.isIgnored("ey.yaml", isDirectory: false))
        #expect(!matcher.isIgnored("dy.yaml", isDirectory: false))
        #expect(matcher.isIgnored("secret*", isDirectory: false))
        #expect(!matcher.isIgnored("secretX", isDirectory: false))
        #expect(matcher.isIgnored("trailing", isDirectory: false)) // trailing spaces trimmed
        #expect(!matcher.isIgnored("# a comment", isDirectory: false))
        #expect(!matcher.isIgnored("", isDirectory: true))
    }
}
