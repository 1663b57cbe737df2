import Foundation
import HTTPTransport
import Testing
import TestSupport
import Yams
@testable import GitOpsCLI
#if canImport(Glibc)
import Glibc
#endif

private let root = RepositoryPaths.packageRoot

private func loadManifest(_ url: URL = root.appendingPathComponent("plugin.yaml")) throws -> [String: Any] {
    let text = try String(contentsOf: url, encoding: .utf8)
    return try #require(try Yams.load(yaml: text) as? [String: Any])
}

private func platforms(_ manifest: [String: Any]) throws -> [[String: Any]] {
    let spec = try #require(manifest["spec"] as? [String: Any])
    return try #require(spec["platforms"] as? [[String: Any]])
}

/// krew's validation (validate.go) and krew-index's CI rules, as far as they can be checked offline.
private func krewProblems(_ manifest: [String: Any]) -> [String] {
    var problems: [String] = []
    func matches(_ text: String, _ pattern: String) -> Bool { text.range(of: pattern, options: .regularExpression) != nil }
    if manifest["apiVersion"] as? String != "krew.googlecontainertools.github.com/v1alpha2" { problems.append("apiVersion") }
    if manifest["kind"] as? String != "Plugin" { problems.append("kind") }
    let name = (manifest["metadata"] as? [String: Any])?["name"] as? String ?? ""
    let reserved = ["CON", "PRN", "AUX", "NUL"] + (1...9).flatMap { ["COM\($0)", "LPT\($0)"] }
    if !matches(name, #"^[\w-]+$"#) || reserved.contains(name.uppercased()) { problems.append("metadata.name \(name)") }
    guard let spec = manifest["spec"] as? [String: Any] else { return problems + ["spec"] }
    let version = spec["version"] as? String ?? ""
    if !matches(version, #"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"#) { problems.append("version \(version)") }
    let short = spec["shortDescription"] as? String ?? ""
    if short.isEmpty || short.contains("\n") || short.count > 60 { problems.append("shortDescription must be one short line") }
    if (spec["description"] as? String ?? "").isEmpty { problems.append("description") }
    if (spec["homepage"] as? String ?? "").isEmpty { problems.append("homepage") }
    let supported: Set<String> = ["windows/386", "windows/amd64", "windows/arm64", "linux/386", "linux/amd64", "linux/arm",
                                  "linux/arm64", "linux/ppc64le", "darwin/386", "darwin/amd64", "darwin/arm64"]
    var claimed: [String] = []
    let platforms = spec["platforms"] as? [[String: Any]] ?? []
    if platforms.isEmpty { problems.append("no platforms") }
    for platform in platforms {
        let labels = ((platform["selector"] as? [String: Any])?["matchLabels"] as? [String: String]) ?? [:]
        if labels.isEmpty || !Set(labels.keys).isSubset(of: ["os", "arch"]) { problems.append("selector \(labels)") }
        // With only matchLabels, a selector matches exactly the os/arch pairs it names.
        let pairs = supported.filter { pair in
            let parts = pair.split(separator: "/").map(String.init)
            return labels["os"].map { $0 == parts[0] } ?? true && labels["arch"].map { $0 == parts[1] } ?? true
        }
        if pairs.isEmpty { problems.append("selector \(labels) matches no supported platform") }
        for pair in pairs where claimed.contains(pair) { problems.append("platforms overlap on \(pair)") }
        claimed += pairs
        let uri = platform["uri"] as? String ?? ""
        if !(uri.hasSuffix(".tar.gz") || uri.hasSuffix(".zip")) || !uri.hasPrefix("https://") { problems.append("uri \(uri)") }
        if !matches(platform["sha256"] as? String ?? "", "^[a-f0-9]{64}$") { problems.append("sha256 must be 64 lowercase hex") }
        if (platform["bin"] as? String ?? "").isEmpty { problems.append("bin") }
        if let files = platform["files"] as? [[String: Any]] {
            if files.isEmpty { problems.append("files is empty") }
            for file in files where (file["from"] as? String ?? "").isEmpty || (file["to"] as? String ?? "").isEmpty {
                problems.append("files entry \(file) needs from and to")
            }
        }
    }
    return problems
}

@Test func manifestFollowsKrewRules() throws {
    let manifest = try loadManifest()
    #expect(krewProblems(manifest) == [])
    let spec = try #require(manifest["spec"] as? [String: Any])
    #expect(spec["version"] as? String == "v\(KubectlGitOpsVersion.current)")
    #expect((spec["caveats"] as? String ?? "").contains("kubectl gitops completion install"))
    let pairs = try platforms(manifest).map { platform -> String in
        let labels = (platform["selector"] as? [String: Any])?["matchLabels"] as? [String: String] ?? [:]
        return "\(labels["os"] ?? "")/\(labels["arch"] ?? "")"
    }
    #expect(pairs == ["linux/amd64", "linux/arm64"])
    for platform in try platforms(manifest) {
        let uri = platform["uri"] as? String ?? ""
        let arch = pairs[try platforms(manifest).firstIndex { ($0["uri"] as? String) == uri } ?? 0].split(separator: "/")[1]
        #expect(uri.hasSuffix("/kubectl-gitops_v\(KubectlGitOpsVersion.current)_linux_\(arch).tar.gz"), "uri \(uri) names the archive make release builds")
        #expect(platform["bin"] as? String == "kubectl-gitops")
    }
}

@Test func theValidatorCatchesWhatKrewRejects() throws {
    var manifest = try loadManifest()
    var spec = try #require(manifest["spec"] as? [String: Any])
    var platforms = try platforms(manifest)
    platforms[1]["selector"] = platforms[0]["selector"]
    platforms[0]["sha256"] = String(repeating: "A", count: 64)
    spec["platforms"] = platforms
    spec["shortDescription"] = "two\nlines"
    spec["version"] = "0.1.0"
    manifest["spec"] = spec
    let problems = krewProblems(manifest)
    #expect(problems.contains("platforms overlap on linux/amd64"))
    #expect(problems.contains("sha256 must be 64 lowercase hex"))
    #expect(problems.contains("shortDescription must be one short line"))
    #expect(problems.contains("version 0.1.0"))
}

/// Files under `directory`, relative, with directories too (krew globs match both).
private func layout(_ directory: URL) throws -> [String] {
    let enumerator = try #require(FileManager.default.enumerator(atPath: directory.path))
    return enumerator.compactMap { $0 as? String }.sorted()
}

@Test func everyFileTheManifestCopiesIsInTheReleaseLayout() async throws {
    let stage = FileManager.default.temporaryDirectory.appendingPathComponent("stage-\(UUID().uuidString)")
    let binary = FileManager.default.temporaryDirectory.appendingPathComponent("fake-binary-\(UUID().uuidString)")
    defer {
        try? FileManager.default.removeItem(at: stage)
        try? FileManager.default.removeItem(at: binary)
    }
    try Data("#!/bin/sh\n".utf8).write(to: binary)
    // The same target `make release` uses to lay the archive out.
    let made = try await runExternal("/usr/bin/make", ["-s", "stage", "STAGE=\(stage.path)", "BINARY=\(binary.path)"], directory: root)
    #expect(made.status == 0, "make stage: \(made.stderr)")
    let files = try layout(stage)
    #expect(files.contains("LICENSE") && files.contains("kubectl-gitops") && files.contains("completions/kubectl_complete-gitops"))
    #expect(files.filter { $0.hasPrefix("man/") && $0.hasSuffix(".1") }.count == ManPages.visibleCommands(CommandTree.root).count)
    for platform in try platforms(try loadManifest()) {
        let copies = try #require(platform["files"] as? [[String: String]])
        var installed: Set<String> = []
        for copy in copies {
            let pattern = try #require(copy["from"])
            let matched = files.filter { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }
            #expect(!matched.isEmpty, "files.from \(pattern) matches nothing in the archive")
            let target = copy["to"] == "." ? "" : (copy["to"] ?? "") + "/"
            installed.formUnion(matched.map { target + ($0 as NSString).lastPathComponent })
        }
        #expect(installed.contains(platform["bin"] as? String ?? "?"), "bin is installed")
        #expect(installed.contains("LICENSE"), "krew-index requires a license file to be extracted")
        #expect(installed.contains("completions/kubectl_complete-gitops"))
    }
}

@Test func releaseManifestGetsTheArchiveShaForItsArchitectureOnly() async throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-\(UUID().uuidString)/plugin.yaml")
    defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
    let sha = String(repeating: "ab", count: 32)
    let made = try await runExternal("/usr/bin/make", ["-s", "manifest", "SHA256=\(sha)", "ARCH=arm64", "MANIFEST_OUT=\(out.path)"], directory: root)
    #expect(made.status == 0, "make manifest: \(made.stderr)")
    let filled = try loadManifest(out)
    #expect(krewProblems(filled) == [])
    let shas = try platforms(filled).map { $0["sha256"] as? String }
    let committed = try platforms(try loadManifest()).map { $0["sha256"] as? String }
    #expect(shas == [committed[0], sha])
    let refused = try await runExternal("/usr/bin/make", ["-s", "manifest", "SHA256=ABC", "MANIFEST_OUT=\(out.path)"], directory: root)
    #expect(refused.status != 0)
}

@Test func licenseIsApache() throws {
    let text = try String(contentsOf: root.appendingPathComponent("LICENSE"), encoding: .utf8)
    #expect(text.contains("Licensed under the Apache License, Version 2.0"))
    #expect(text.contains("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION"))
}
