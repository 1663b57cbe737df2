import Foundation
import JSON
import Yams

// Writing a kubeconfig back: typed fields are laid over each stanza's raw document, so fields this version does
// not know (and every extension) survive a read-modify-write cycle. Secrets are written as they are; this is a
// file format, not a display (use ConfigView for that).

/// Decodes with client-go's rules (`KubeConfigDecoder`) and encodes the full document, unknown fields included.
extension KubeConfig: Codable {
    public init(from decoder: Decoder) throws {
        let document = try JSONValue(from: decoder)
        do {
            self = try KubeConfigDecoder.decodeConfig(document)
        } catch let failure as KubeConfigDecoder.Failure {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: failure.message))
        }
    }

    public func encode(to encoder: Encoder) throws {
        try document().encode(to: encoder)
    }

    /// Parses kubeconfig YAML (what a file holds).
    public init(yaml: String) throws {
        do {
            self = try KubeConfigDecoder.decode(yaml: yaml)
        } catch let failure as KubeConfigDecoder.Failure {
            throw KubeConfigError(.load, failure.message)
        }
    }

    /// The kubeconfig as YAML, ready to be written to a file.
    public func yaml() throws -> String {
        try Yams.serialize(node: document().yamlNode)
    }

    /// The whole document: each stanza's raw content with the typed fields laid over it, lists in name order.
    public func document() -> JSONValue {
        let typed = ConfigView.json(self, redact: false)
        var top = overlay(raw: raw, typed: typed, known: ["apiVersion", "kind", "preferences", "clusters", "users", "contexts", "current-context", "extensions"])
        func replaceList(_ key: String, stanzaKey: String, raws: [String: JSONValue]) {
            guard case let .array(items)? = top[key] else { return }
            let merged: [JSONValue] = items.map { item in
                guard let name = item["name"]?.stringValue, let stanza = item[stanzaKey], let rawStanza = raws[name] else { return item }
                return .object([(key: "name", value: .string(name)), (key: stanzaKey, value: overlay(raw: rawStanza, typed: stanza, known: nil))])
            }
            top = top.setting(key, .array(merged))
        }
        replaceList("clusters", stanzaKey: "cluster", raws: clusters.mapValues(\.raw))
        replaceList("users", stanzaKey: "user", raws: authInfos.mapValues(\.raw))
        replaceList("contexts", stanzaKey: "context", raws: contexts.mapValues(\.raw))
        // Empty lists are written as absent rather than null.
        if case let .object(entries) = top {
            top = .object(entries.filter { $0.value != .null })
        }
        return top
    }

    /// `typed` fields win; raw fields that the typed form knows about but left out (now empty) are dropped;
    /// everything else in `raw` stays where it was. `known` nil means every field `typed` could emit for the stanza.
    private func overlay(raw: JSONValue, typed: JSONValue, known: Set<String>?) -> JSONValue {
        guard case let .object(typedEntries) = typed else { return typed }
        let knownKeys = known ?? Self.stanzaFields
        var result: [(key: String, value: JSONValue)] = []
        if case let .object(rawEntries) = raw {
            for entry in rawEntries {
                if let value = typed[entry.key] { result.append((key: entry.key, value: value)) }
                else if !knownKeys.contains(entry.key) { result.append(entry) }
            }
        }
        for entry in typedEntries where !result.contains(where: { $0.key == entry.key }) { result.append(entry) }
        return .object(result)
    }

    private static let stanzaFields: Set<String> = [
        "server", "tls-server-name", "insecure-skip-tls-verify", "certificate-authority", "certificate-authority-data",
        "proxy-url", "disable-compression", "extensions", "client-certificate", "client-certificate-data", "client-key",
        "client-key-data", "token", "tokenFile", "as", "as-uid", "as-groups", "as-user-extra", "username", "password",
        "auth-provider", "exec", "cluster", "user", "namespace",
    ]
}

extension JSONValue {
    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case var .object(entries) = self else { return self }
        if let index = entries.firstIndex(where: { $0.key == key }) { entries[index].value = value }
        else { entries.append((key: key, value: value)) }
        return .object(entries)
    }

    var yamlNode: Node {
        switch self {
        case .null: return Node("null", Tag(.null))
        case let .bool(flag): return Node(flag ? "true" : "false", Tag(.bool))
        case let .integer(number): return Node(String(number), Tag(.int))
        case let .double(number): return Node(GoFloat.json(number), Tag(.float))
        case let .string(text): return Node(text, Tag(.str), .doubleQuoted)
        case let .array(items): return Node(items.map(\.yamlNode))
        case let .object(entries): return Node(entries.map { (Node($0.key), $0.value.yamlNode) })
        }
    }
}
