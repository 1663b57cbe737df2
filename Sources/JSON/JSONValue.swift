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

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.integer(a), .double(b)), let (.double(b), .integer(a)): return Double(a) == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// Equality that ignores the order of object keys (for payloads where order carries no meaning).
    public func isEqualIgnoringKeyOrder(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case let (.array(a), .array(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqualIgnoringKeyOrder($1) }
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { entry in
                b.first { $0.key == entry.key }.map { entry.value.isEqualIgnoringKeyOrder($0.value) } ?? false
            }
        default:
            return self == other
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
        case let .double(value): output += JSONValue.formatDouble(value)
        case let .string(value): output += JSONValue.quote(value)
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
                output += String(repeating: indent, count: level + 1) + JSONValue.quote(entry.key) + ": "
                entry.value.write(to: &output, level: level + 1, indent: indent)
                output += index == entries.count - 1 ? "\n" : ",\n"
            }
            output += String(repeating: indent, count: level) + "}"
        }
    }

    public static func formatDouble(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e21 { return String(Int64(value)) }
        return String(value)
    }

    public static func quote(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "<": result += "\\u003c"
            case ">": result += "\\u003e"
            case "&": result += "\\u0026"
            default:
                if scalar.value < 0x20 {
                    result += String(format: "\\u%04x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
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
        try data.withUnsafeBytes { buffer in
            var parser = OrderedJSONParser(bytes: buffer.bindMemory(to: UInt8.self))
            let value = try parser.parseValue()
            parser.skipWhitespace()
            guard parser.position == parser.bytes.count else { throw parser.fail("trailing characters after JSON value") }
            return value
        }
    }
}

/// Works on UTF-8 bytes: API lists of thousands of objects must parse quickly.
private struct OrderedJSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    func fail(_ message: String) -> JSONParseError {
        JSONParseError(description: "invalid JSON at offset \(position): \(message)")
    }

    mutating func expect(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("expected \(literal)") }
        for index in 0..<count where bytes[position + index] != literal.utf8Start[index] {
            throw fail("expected \(literal)")
        }
        position += count
    }

    mutating func parseValue() throws -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var entries: [(key: String, value: JSONValue)] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(entries) }
            while true {
                skipWhitespace()
                let key = try parseString()
                skipWhitespace()
                try expect(":")
                entries.append((key: key, value: try parseValue()))
                skipWhitespace()
                guard position < bytes.count else { throw fail("unterminated object") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(entries) }
                throw fail("expected , or }")
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                items.append(try parseValue())
                skipWhitespace()
                guard position < bytes.count else { throw fail("unterminated array") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                throw fail("expected , or ]")
            }
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try parseNumber()
        }
    }

    mutating func parseString() throws -> String {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        position += 1
        let start = position
        // Fast path: no escapes, decode the bytes in one go.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            position += 1
        }
        var result = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: result, as: UTF8.self) }
            if byte != UInt8(ascii: "\\") { result.append(byte); continue }
            guard position < bytes.count else { break }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "n"): result.append(0x0A)
            case UInt8(ascii: "t"): result.append(0x09)
            case UInt8(ascii: "r"): result.append(0x0D)
            case UInt8(ascii: "b"): result.append(0x08)
            case UInt8(ascii: "f"): result.append(0x0C)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800..<0xDC00).contains(code), position + 1 < bytes.count,
                   bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                    position += 2
                    let low = try parseHex4()
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                result.append(contentsOf: Array(String(Unicode.Scalar(code) ?? "\u{FFFD}").utf8))
            default: result.append(escape)
            }
        }
        throw fail("unterminated string")
    }

    mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let code = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<position + 4]), as: UTF8.self), radix: 16)
        else { throw fail("bad \\u escape") }
        position += 4
        return code
    }

    mutating func parseNumber() throws -> JSONValue {
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                position += 1
            default:
                break
            }
            if position < bytes.count, !Self.isNumberByte(bytes[position]) { break }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if let integer = Int64(text) { return .integer(integer) }
        if !text.isEmpty, let double = Double(text) { return .double(double) }
        throw fail("bad number \(text)")
    }

    static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return true
        default: return false
        }
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
                case let .double(number): keyText = JSONValue.formatDouble(number)
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
