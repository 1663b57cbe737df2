import Foundation
import JSON
import Yams

/// Turns kubeconfig YAML into the model the way client-go does (YAML → JSON → Go structs), so a broken file
/// fails with the same words kubectl prints, e.g.
/// `json: cannot unmarshal string into Go struct field Config.clusters of type []v1.NamedCluster`.
enum KubeConfigDecoder {
    struct Failure: Error {
        var message: String
    }

    static func decode(yaml text: String) throws -> KubeConfig {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Failure(message: yamlErrorMessage(error))
        }
        guard let node else { return KubeConfig() }
        let top = JSONValue(yaml: node)
        if case .null = top { return KubeConfig() }
        return try decodeConfig(top)
    }

    /// `yaml: line N: problem`, as kubectl reports a YAML syntax error.
    static func yamlErrorMessage(_ error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return "yaml: line \(mark.line): \(problem)"
        case let .reader(problem, _, _, _):
            return "yaml: \(problem)"
        default:
            return "yaml: \(error)"
        }
    }

    // MARK: Go encoding/json semantics

    private struct Path {
        var structName: String
        var fields: [String]

        func typeError(_ value: JSONValue, goType: String) -> Failure {
            Failure(message: "json: cannot unmarshal \(value.goKindName) into Go struct field \(structName).\(fields.joined(separator: ".")) of type \(goType)")
        }

        func appending(_ field: String) -> Path { Path(structName: structName, fields: fields + [field]) }
        func inStruct(_ name: String) -> Path { Path(structName: name, fields: fields) }
    }

    /// Calls `handle` for every key in document order that matches a known field (exactly, else case-insensitively,
    /// like encoding/json); unknown keys are ignored.
    private static func forEachField(_ value: JSONValue, known: [String], _ handle: (String, JSONValue) throws -> Void) throws {
        guard case let .object(entries) = value else { return }
        for entry in entries {
            let field = known.first { $0 == entry.key } ?? known.first { $0.lowercased() == entry.key.lowercased() }
            if let field { try handle(field, entry.value) }
        }
    }

    private static func object(_ value: JSONValue, _ path: Path, goType: String) throws -> JSONValue? {
        switch value {
        case .null: return nil
        case .object: return value
        default: throw path.typeError(value, goType: goType)
        }
    }

    private static func string(_ value: JSONValue, _ path: Path, goType: String = "string") throws -> String {
        switch value {
        case .null: return ""
        case let .string(text): return text
        default: throw path.typeError(value, goType: goType)
        }
    }

    private static func bool(_ value: JSONValue, _ path: Path) throws -> Bool {
        switch value {
        case .null: return false
        case let .bool(flag): return flag
        default: throw path.typeError(value, goType: "bool")
        }
    }

    private static func bytes(_ value: JSONValue, _ path: Path) throws -> Data? {
        switch value {
        case .null: return nil
        case let .string(text):
            // Go's base64 decoder skips line breaks, so wrapped data in block scalars loads.
            guard let data = Data(base64Encoded: text.filter { $0 != "\n" && $0 != "\r" && $0 != "\r\n" }) else {
                throw Failure(message: "illegal base64 data in \(path.fields.last ?? "field")")
            }
            return data
        default: throw path.typeError(value, goType: "[]uint8")
        }
    }

    private static func array(_ value: JSONValue, _ path: Path, goType: String) throws -> [JSONValue]? {
        switch value {
        case .null: return nil
        case let .array(items): return items
        default: throw path.typeError(value, goType: goType)
        }
    }

    private static func strings(_ value: JSONValue, _ path: Path) throws -> [String]? {
        guard let items = try array(value, path, goType: "[]string") else { return nil }
        return try items.map { try string($0, path) }
    }

    private static func extensions(_ value: JSONValue, _ path: Path) throws -> [NamedExtension] {
        guard let items = try array(value, path, goType: "[]v1.NamedExtension") else { return [] }
        return try items.map { item in
            guard let item = try object(item, path, goType: "v1.NamedExtension") else {
                return NamedExtension(name: "", payload: .null)
            }
            let inner = path.inStruct("NamedExtension")
            var named = NamedExtension(name: "", payload: .null)
            try forEachField(item, known: ["name", "extension"]) { field, fieldValue in
                switch field {
                case "name": named.name = try string(fieldValue, inner.appending("name"))
                default: named.payload = fieldValue.sortingKeys
                }
            }
            return named
        }
    }

    // MARK: Stanzas

    static func decodeConfig(_ top: JSONValue) throws -> KubeConfig {
        let path = Path(structName: "Config", fields: [])
        guard case .object = top else { throw path.typeError(top, goType: "v1.Config").renamed("json: cannot unmarshal \(top.goKindName) into Go value of type v1.Config") }
        var config = KubeConfig()
        config.raw = top
        var clusterList: [(String, Cluster)] = []
        var userList: [(String, AuthInfo)] = []
        var contextList: [(String, Context)] = []
        try forEachField(top, known: ["preferences", "clusters", "users", "contexts", "current-context", "extensions"]) { field, value in
            let fieldPath = path.appending(field)
            switch field {
            case "preferences":
                guard let value = try object(value, fieldPath, goType: "v1.Preferences") else { return }
                config.preferences = try decodePreferences(value, fieldPath.inStruct("Preferences"))
            case "clusters":
                for item in try array(value, fieldPath, goType: "[]v1.NamedCluster") ?? [] {
                    guard let item = try object(item, fieldPath, goType: "v1.NamedCluster") else { clusterList.append(("", Cluster())); continue }
                    var name = ""
                    var cluster = Cluster()
                    let inner = fieldPath.inStruct("NamedCluster")
                    try forEachField(item, known: ["name", "cluster"]) { key, entry in
                        if key == "name" { name = try string(entry, inner.appending("name")); return }
                        guard let entry = try object(entry, inner.appending("cluster"), goType: "v1.Cluster") else { return }
                        cluster = try decodeCluster(entry, inner.appending("cluster").inStruct("Cluster"))
                    }
                    clusterList.append((name, cluster))
                }
            case "users":
                for item in try array(value, fieldPath, goType: "[]v1.NamedAuthInfo") ?? [] {
                    guard let item = try object(item, fieldPath, goType: "v1.NamedAuthInfo") else { userList.append(("", AuthInfo())); continue }
                    var name = ""
                    var user = AuthInfo()
                    let inner = fieldPath.inStruct("NamedAuthInfo")
                    try forEachField(item, known: ["name", "user"]) { key, entry in
                        if key == "name" { name = try string(entry, inner.appending("name")); return }
                        guard let entry = try object(entry, inner.appending("user"), goType: "v1.AuthInfo") else { return }
                        user = try decodeAuthInfo(entry, inner.appending("user").inStruct("AuthInfo"))
                    }
                    userList.append((name, user))
                }
            case "contexts":
                for item in try array(value, fieldPath, goType: "[]v1.NamedContext") ?? [] {
                    guard let item = try object(item, fieldPath, goType: "v1.NamedContext") else { contextList.append(("", Context())); continue }
                    var name = ""
                    var context = Context()
                    let inner = fieldPath.inStruct("NamedContext")
                    try forEachField(item, known: ["name", "context"]) { key, entry in
                        if key == "name" { name = try string(entry, inner.appending("name")); return }
                        guard let entry = try object(entry, inner.appending("context"), goType: "v1.Context") else { return }
                        context = try decodeContext(entry, inner.appending("context").inStruct("Context"))
                    }
                    contextList.append((name, context))
                }
            case "current-context":
                config.currentContext = try string(value, fieldPath)
            default:
                config.extensions = try extensions(value, fieldPath)
            }
        }
        // Go converts the lists to maps in this order and stops at the first repeated name.
        config.clusters = try keyed(clusterList, listType: "[]NamedCluster", mapType: "map[string]*api.Cluster") { name, cluster in
            "{\(name) \(goDescription(cluster))}"
        }
        config.authInfos = try keyed(userList, listType: "[]NamedAuthInfo", mapType: "map[string]*api.AuthInfo", describe: nil)
        config.contexts = try keyed(contextList, listType: "[]NamedContext", mapType: "map[string]*api.Context") { name, context in
            "{\(name) {\(context.cluster) \(context.user) \(context.namespace) \(goDescription(context.extensions))}}"
        }
        return config
    }

    /// `describe` renders the list like Go's `%v`; nil leaves the list out (users: it would print secrets).
    private static func keyed<Stanza>(_ list: [(String, Stanza)], listType: String, mapType: String,
                                      describe: ((String, Stanza) -> String)?) throws -> [String: Stanza] {
        var result: [String: Stanza] = [:]
        for (name, stanza) in list {
            if result[name] != nil {
                var message = "error converting *\(listType) into *\(mapType): duplicate name \"\(name)\" in list"
                if let describe { message += ": [" + list.map(describe).joined(separator: " ") + "]" }
                throw Failure(message: message)
            }
            result[name] = stanza
        }
        return result
    }

    private static func goDescription(_ cluster: Cluster) -> String {
        let fields = [
            cluster.server, cluster.tlsServerName, String(cluster.insecureSkipTLSVerify), cluster.certificateAuthority,
            goDescription(cluster.certificateAuthorityData), cluster.proxyURL, String(cluster.disableCompression),
            goDescription(cluster.extensions),
        ]
        return "{" + fields.joined(separator: " ") + "}"
    }

    private static func goDescription(_ data: Data?) -> String {
        "[" + (data ?? Data()).map(String.init).joined(separator: " ") + "]"
    }

    private static func goDescription(_ extensions: [NamedExtension]) -> String {
        let items = extensions.map { ext in
            "{\(ext.name) {\(goDescription(Data(ext.payload.compactString.utf8))) <nil>}}"
        }
        return "[" + items.joined(separator: " ") + "]"
    }

    private static func decodePreferences(_ value: JSONValue, _ path: Path) throws -> Preferences {
        var preferences = Preferences()
        preferences.raw = value
        try forEachField(value, known: ["colors", "extensions"]) { field, entry in
            if field == "colors" { preferences.colors = try bool(entry, path.appending(field)) }
            else { preferences.extensions = try extensions(entry, path.appending(field)) }
        }
        return preferences
    }

    private static func decodeCluster(_ value: JSONValue, _ path: Path) throws -> Cluster {
        var cluster = Cluster()
        cluster.raw = value
        let known = ["server", "tls-server-name", "insecure-skip-tls-verify", "certificate-authority",
                     "certificate-authority-data", "proxy-url", "disable-compression", "extensions"]
        try forEachField(value, known: known) { field, entry in
            let fieldPath = path.appending(field)
            switch field {
            case "server": cluster.server = try string(entry, fieldPath)
            case "tls-server-name": cluster.tlsServerName = try string(entry, fieldPath)
            case "insecure-skip-tls-verify": cluster.insecureSkipTLSVerify = try bool(entry, fieldPath)
            case "certificate-authority": cluster.certificateAuthority = try string(entry, fieldPath)
            case "certificate-authority-data": cluster.certificateAuthorityData = try bytes(entry, fieldPath)
            case "proxy-url": cluster.proxyURL = try string(entry, fieldPath)
            case "disable-compression": cluster.disableCompression = try bool(entry, fieldPath)
            default: cluster.extensions = try extensions(entry, fieldPath)
            }
        }
        return cluster
    }

    private static func decodeAuthInfo(_ value: JSONValue, _ path: Path) throws -> AuthInfo {
        var user = AuthInfo()
        user.raw = value
        let known = ["client-certificate", "client-certificate-data", "client-key", "client-key-data", "token", "tokenFile",
                     "as", "as-uid", "as-groups", "as-user-extra", "username", "password", "auth-provider", "exec", "extensions"]
        try forEachField(value, known: known) { field, entry in
            let fieldPath = path.appending(field)
            switch field {
            case "client-certificate": user.clientCertificate = try string(entry, fieldPath)
            case "client-certificate-data": user.clientCertificateData = try bytes(entry, fieldPath)
            case "client-key": user.clientKey = try string(entry, fieldPath)
            case "client-key-data": user.clientKeyData = try bytes(entry, fieldPath)
            case "token": user.token = try string(entry, fieldPath)
            case "tokenFile": user.tokenFile = try string(entry, fieldPath)
            case "as": user.impersonate = try string(entry, fieldPath)
            case "as-uid": user.impersonateUID = try string(entry, fieldPath)
            case "as-groups": user.impersonateGroups = try strings(entry, fieldPath) ?? []
            case "as-user-extra":
                guard case let .object(entries)? = try object(entry, fieldPath, goType: "map[string][]string") else { return }
                for extra in entries {
                    guard let values = try array(extra.value, fieldPath, goType: "[]string") else { continue }
                    user.impersonateUserExtra[extra.key] = try values.map { try string($0, fieldPath) }
                }
            case "username": user.username = try string(entry, fieldPath)
            case "password": user.password = try string(entry, fieldPath)
            case "auth-provider":
                guard let entry = try object(entry, fieldPath, goType: "v1.AuthProviderConfig") else { return }
                let inner = fieldPath.inStruct("AuthProviderConfig")
                var provider = AuthProviderConfig(name: "")
                try forEachField(entry, known: ["name", "config"]) { key, item in
                    if key == "name" { provider.name = try string(item, inner.appending(key)); return }
                    guard case let .object(pairs)? = try object(item, inner.appending(key), goType: "map[string]string") else { return }
                    for pair in pairs { provider.config[pair.key] = try string(pair.value, inner.appending(key)) }
                }
                user.authProvider = provider
            case "exec":
                guard let entry = try object(entry, fieldPath, goType: "v1.ExecConfig") else { return }
                user.exec = try decodeExec(entry, fieldPath.inStruct("ExecConfig"))
            default: user.extensions = try extensions(entry, fieldPath)
            }
        }
        return user
    }

    private static func decodeExec(_ value: JSONValue, _ path: Path) throws -> ExecConfig {
        var exec = ExecConfig()
        exec.raw = value
        let known = ["command", "args", "env", "apiVersion", "installHint", "provideClusterInfo", "interactiveMode"]
        try forEachField(value, known: known) { field, entry in
            let fieldPath = path.appending(field)
            switch field {
            case "command": exec.command = try string(entry, fieldPath)
            case "args": exec.args = try strings(entry, fieldPath)
            case "env":
                guard let items = try array(entry, fieldPath, goType: "[]v1.ExecEnvVar") else { return }
                exec.env = try items.map { item in
                    var variable = ExecEnvVar(name: "", value: "")
                    guard let item = try object(item, fieldPath, goType: "v1.ExecEnvVar") else { return variable }
                    let inner = fieldPath.inStruct("ExecEnvVar")
                    try forEachField(item, known: ["name", "value"]) { key, text in
                        if key == "name" { variable.name = try string(text, inner.appending(key)) }
                        else { variable.value = try string(text, inner.appending(key)) }
                    }
                    return variable
                }
            case "apiVersion": exec.apiVersion = try string(entry, fieldPath)
            case "installHint": exec.installHint = try string(entry, fieldPath)
            case "provideClusterInfo": exec.provideClusterInfo = try bool(entry, fieldPath)
            default: exec.interactiveMode = try string(entry, fieldPath, goType: "v1.ExecInteractiveMode")
            }
        }
        return exec
    }

    private static func decodeContext(_ value: JSONValue, _ path: Path) throws -> Context {
        var context = Context()
        context.raw = value
        try forEachField(value, known: ["cluster", "user", "namespace", "extensions"]) { field, entry in
            let fieldPath = path.appending(field)
            switch field {
            case "cluster": context.cluster = try string(entry, fieldPath)
            case "user": context.user = try string(entry, fieldPath)
            case "namespace": context.namespace = try string(entry, fieldPath)
            default: context.extensions = try extensions(entry, fieldPath)
            }
        }
        return context
    }
}

private extension KubeConfigDecoder.Failure {
    func renamed(_ message: String) -> KubeConfigDecoder.Failure { KubeConfigDecoder.Failure(message: message) }
}
