import Foundation
import JSON

@testable import KubeConfig

/// Builds kubeconfig files in code (kubectx style) instead of copying YAML strings around. The file is written as
/// JSON, which every YAML parser reads.
struct KubeconfigFixture {
    private var clusters: [JSONValue] = []
    private var users: [JSONValue] = []
    private var contexts: [JSONValue] = []
    private var current: String?
    private var extra: [(key: String, value: JSONValue)] = []

    func cluster(_ name: String, server: String, _ fields: [(String, JSONValue)] = []) -> Self {
        var copy = self
        let body: [(key: String, value: JSONValue)] = [(key: "server", value: .string(server))] + fields.map { (key: $0.0, value: $0.1) }
        copy.clusters.append(["name": .string(name), "cluster": .object(body)])
        return copy
    }

    func user(_ name: String, _ fields: [(String, JSONValue)] = []) -> Self {
        var copy = self
        copy.users.append(["name": .string(name), "user": .object(fields.map { (key: $0.0, value: $0.1) })])
        return copy
    }

    func context(_ name: String, cluster: String, user: String, namespace: String? = nil) -> Self {
        var copy = self
        var body: [(key: String, value: JSONValue)] = [(key: "cluster", value: .string(cluster)), (key: "user", value: .string(user))]
        if let namespace { body.append((key: "namespace", value: .string(namespace))) }
        copy.contexts.append(["name": .string(name), "context": .object(body)])
        return copy
    }

    func currentContext(_ name: String) -> Self {
        var copy = self
        copy.current = name
        return copy
    }

    func field(_ key: String, _ value: JSONValue) -> Self {
        var copy = self
        copy.extra.append((key: key, value: value))
        return copy
    }

    var text: String {
        var top: [(key: String, value: JSONValue)] = [(key: "apiVersion", value: "v1"), (key: "kind", value: "Config")]
        if !clusters.isEmpty { top.append((key: "clusters", value: .array(clusters))) }
        if !users.isEmpty { top.append((key: "users", value: .array(users))) }
        if !contexts.isEmpty { top.append((key: "contexts", value: .array(contexts))) }
        if let current { top.append((key: "current-context", value: .string(current))) }
        return JSONValue.object(top + extra).rendered(indent: "  ") + "\n"
    }
}

/// A scratch folder that removes itself; files are written by path relative to it.
final class Sandbox {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ relative: String) -> String { root + "/" + relative }

    @discardableResult
    func write(_ relative: String, _ text: String, executable: Bool = false) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: full) }
        return full
    }

    @discardableResult
    func write(_ relative: String, _ fixture: KubeconfigFixture) throws -> String {
        try write(relative, fixture.text)
    }

    func read(_ relative: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path(relative)))).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A loader whose world is this folder: KUBECONFIG entries and HOME inside it, no service account.
    func loader(kubeconfig entries: [String]? = nil, cwd: String = ".", variables: [String: String] = [:],
                configure: (inout KubeEnvironment) -> Void = { _ in }) -> KubeConfigLoader {
        var all = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": path("home")]
        if let entries { all["KUBECONFIG"] = entries.map { path($0) }.joined(separator: ":") }
        all.merge(variables) { $1 }
        try? FileManager.default.createDirectory(atPath: path(cwd), withIntermediateDirectories: true)
        var environment = KubeEnvironment(
            variables: all, workingDirectory: PathRules.clean(path(cwd)), stdinIsTerminal: false,
            serviceAccountDirectory: path("serviceaccount")
        )
        configure(&environment)
        return KubeConfigLoader(environment: environment)
    }
}
