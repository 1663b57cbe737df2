import Foundation
import Yams

/// A JSON value whose objects keep their key order, so output can follow kubectl's field order and
/// unknown kubeconfig content survives a round trip unchanged.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// Semantic equality: objects compare as maps (key order ignored), as the API server and Go see them.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.isEqual(to: rhs, orderMatters: false)
    }

    /// Equality that also requires the same key order (for output that must match kubectl's layout).
    public func isIdentical(to other: JSONValue) -> Bool {
        isEqual(to: other, orderMatters: true)
    }

    private func isEqual(to other: JSONValue, orderMatters: Bool) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.integer(a), .double(b)), let (.double(b), .integer(a)): return Double(a) == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqual(to: $1, orderMatters: orderMatters) }
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            if orderMatters {
                return zip(a, b).allSatisfy { $0.key == $1.key && $0.value.isEqual(to: $1.value, orderMatters: true) }
            }
            return a.allSatisfy { entry in
                b.first { $0.key == entry.key }.map { entry.value.isEqual(to: $0.value, orderMatters: false) } ?? false
            }
        default: return false
        }
    }

    /// The value of an object's key; setting nil removes the key, setting on a non-object makes it one.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case let .object(entries) = self else { return nil }
            return entries.first { $0.key == key }?.value
        }
        set {
            var entries: [(key: String, value: JSONValue)] = []
            if case let .object(existing) = self { entries = existing }
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key: key, value: newValue))
            }
            self = .object(entries)
        }
    }

    public var stringValue: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    /// Objects with their keys sorted, recursively: what Go produces when it round-trips through a map.
    public var sortingKeys: JSONValue {
        switch self {
        case let .array(items): return .array(items.map(\.sortingKeys))
        case let .object(entries):
            return .object(entries.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value.sortingKeys) })
        default: return self
        }
    }

    /// The name Go's encoding/json uses for this kind of value in type errors.
    public var goKindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .integer, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

// MARK: - Rendering

extension JSONValue {
    /// Renders like Go's `json.MarshalIndent(v, "", "    ")`, which is what `kubectl ... -o json` prints.
    public func rendered(indent: String = "    ") -> String {
        var output = ""
        write(to: &output, level: 0, indent: indent)
        return output
    }

    private func write(to output: inout String, level: Int, indent: String) {
        switch self {
        case .null: output += "null"
        case let .bool(value): output += value ? "true" : "false"
        case let .integer(value): output += String(value)
        case let .double(value): output += GoFloat.json(value)
        case let .string(value): output += CanonicalJSON.quoted(value)
        case let .array(items):
            if items.isEmpty { output += "[]"; return }
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += String(repeating: indent, count: level + 1)
                item.write(to: &output, level: level + 1, indent: indent)
                output += index == items.count - 1 ? "\n" : ",\n"
            }
            output += String(repeating: indent, count: level) + "]"
        case let .object(entries):
            if entries.isEmpty { output += "{}"; return }
            output += "{\n"
            for (index, entry) in entries.enumerated() {
                output += String(repeating: indent, count: level + 1) + CanonicalJSON.quoted(entry.key) + ": "
                entry.value.write(to: &output, level: level + 1, indent: indent)
                output += index == entries.count - 1 ? "\n" : ",\n"
            }
            output += String(repeating: indent, count: level) + "}"
        }
    }
}

// MARK: - Parsing

public struct JSONParseError: Error, CustomStringConvertible {
    public var description: String
}

extension JSONValue {
    /// Parses JSON text keeping the key order of every object.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Data(text.utf8))
    }

    public static func parse(_ data: Data) throws -> JSONValue {
        var parser = JSONParser(bytes: Array(data))
        return try parser.parseDocument()
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes that keeps object key order.
private struct JSONParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw error("unexpected data after the JSON value") }
        return value
    }

    func error(_ message: String) -> JSONParseError {
        JSONParseError(description: "invalid JSON at byte \(index): \(message)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func parseValue(depth: Int) throws -> JSONValue {
        guard depth < 512 else { throw error("nested too deeply") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipWhitespace()
                let value = try parseValue(depth: depth + 1)
                // A repeated key keeps its last value (Go's decoder), in the place of the first.
                if let existing = members.firstIndex(where: { $0.key == key }) {
                    members[existing].value = value
                } else {
                    members.append((key: key, value: value))
                }
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw error("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null"); return .null
        default:
            return try parseNumber()
        }
    }

    mutating func expectLiteral(_ literal: String) throws {
        let literalBytes = Array(literal.utf8)
        guard index + literalBytes.count <= bytes.count, Array(bytes[index..<index + literalBytes.count]) == literalBytes else {
            throw error("unexpected token")
        }
        index += literalBytes.count
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = index
        func digits() -> Int {
            let digitStart = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            return index - digitStart
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0 else { throw error("unexpected token") }
        guard integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw error("leading zero in number") }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            isInteger = false
            guard digits() > 0 else { throw error("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            isInteger = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("expected digits in exponent") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .integer(value) }
        guard let value = Double(text) else { throw error("invalid number") }
        return .double(value)
    }

    mutating func parseString() throws -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: most strings have no escapes and decode straight from the input bytes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let text = String(validating: bytes[start..<index], as: UTF8.self) else { throw error("invalid UTF-8 in string") }
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in string") }
            index += 1
        }
        var decoded = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                guard let text = String(validating: decoded, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
                return text
            }
            if byte < 0x20 { throw error("control character in string") }
            index += 1
            if byte != UInt8(ascii: "\\") {
                decoded.append(byte)
                continue
            }
            guard index < bytes.count else { throw error("unterminated escape") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
            case UInt8(ascii: "b"): decoded.append(0x08)
            case UInt8(ascii: "f"): decoded.append(0x0C)
            case UInt8(ascii: "n"): decoded.append(0x0A)
            case UInt8(ascii: "r"): decoded.append(0x0D)
            case UInt8(ascii: "t"): decoded.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800...0xDBFF).contains(code), index + 1 < bytes.count,
                   bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    let saved = index
                    index += 2
                    let low = try parseHex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = saved
                    }
                }
                decoded.append(contentsOf: Array(String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8))
            default:
                throw error("invalid escape")
            }
        }
    }

    mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw error("invalid \\u escape")
        }
        index += 4
        return value
    }
}

// MARK: - YAML

extension JSONValue {
    /// Converts a composed YAML node the way sigs.k8s.io/yaml does (YAML 1.1 scalars, so `yes`/`no`/`on`/`off`
    /// are booleans); mapping keys become strings.
    public init(yaml node: Node) {
        switch node {
        case let .scalar(scalar):
            self = JSONValue.resolvePlainScalar(scalar)
        case let .mapping(mapping):
            var entries: [(key: String, value: JSONValue)] = []
            var merged: [(key: String, value: JSONValue)] = []
            for (key, value) in mapping {
                // `<<: *anchor` merge keys, as Go's yaml.v2 applies them: explicit keys win.
                if key.scalar?.string == "<<", key.scalar?.style == .plain {
                    let sources: [Node] = value.sequence.map(Array.init) ?? [value]
                    for case let .object(pairs) in sources.map(JSONValue.init(yaml:)) {
                        for pair in pairs where !merged.contains(where: { $0.key == pair.key }) { merged.append(pair) }
                    }
                    continue
                }
                let keyText: String
                switch JSONValue(yaml: key) {
                case let .string(text): keyText = text
                case let .bool(flag): keyText = flag ? "true" : "false"
                case let .integer(number): keyText = String(number)
                case let .double(number): keyText = GoFloat.json(number)
                case .null: keyText = "null"
                default: keyText = key.scalar?.string ?? ""
                }
                // A repeated key keeps its last value, in the position of the first.
                if let index = entries.firstIndex(where: { $0.key == keyText }) {
                    entries[index].value = JSONValue(yaml: value)
                } else {
                    entries.append((key: keyText, value: JSONValue(yaml: value)))
                }
            }
            for pair in merged where !entries.contains(where: { $0.key == pair.key }) { entries.append(pair) }
            self = .object(entries)
        case let .sequence(sequence):
            self = .array(sequence.map { JSONValue(yaml: $0) })
        case .alias:
            self = .null
        }
    }

    private static func resolvePlainScalar(_ scalar: Node.Scalar) -> JSONValue {
        let text = scalar.string
        guard scalar.style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        default: break
        }
        let digits = text.replacingOccurrences(of: "_", with: "")
        if digits.range(of: #"^[-+]?(0|[1-9][0-9]*)$"#, options: .regularExpression) != nil, let value = Int64(digits) {
            return .integer(value)
        }
        if digits.range(of: #"^[-+]?0x[0-9a-fA-F]+$"#, options: .regularExpression) != nil {
            let negative = digits.hasPrefix("-")
            let hex = digits.drop { $0 == "-" || $0 == "+" }.dropFirst(2)
            if let value = Int64(hex, radix: 16) { return .integer(negative ? -value : value) }
        }
        if digits.range(of: #"^[-+]?0[0-7]+$"#, options: .regularExpression) != nil {
            let negative = digits.hasPrefix("-")
            if let value = Int64(digits.drop { $0 == "-" || $0 == "+" }, radix: 8) { return .integer(negative ? -value : value) }
        }
        if digits.range(of: #"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil,
           let value = Double(digits) {
            return .double(value)
        }
        return .string(text)
    }
}
