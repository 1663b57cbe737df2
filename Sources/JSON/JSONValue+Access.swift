import Foundation

extension JSONValue {
    /// An object from a dictionary, keys in Go's order (what the API server would send back).
    public static func dictionary(_ members: [String: JSONValue]) -> JSONValue {
        .object(members.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
    }

    public init(parsing data: Data) throws {
        self = try JSONValue.parse(data)
    }

    public init(parsing text: String) throws {
        self = try JSONValue.parse(text)
    }

    /// Any `Encodable` (e.g. a typed Flux object) as a JSON value.
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONValue.parse(try JSONEncoder().encode(value))
    }

    /// The value decoded into a typed `Decodable`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(compactString.utf8))
    }

    // MARK: Paths

    /// Follows a dotted path of object keys, e.g. `value(at: "metadata.name")`.
    public func value(at path: String) -> JSONValue? {
        value(at: path.split(separator: ".").map(String.init))
    }

    public func value(at keys: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in keys { current = current?[key] }
        return current
    }

    /// Nested lookup: `object[path: "status", "artifact", "revision"]` (keys may contain dots).
    public subscript(path keys: String...) -> JSONValue? {
        value(at: keys)
    }

    /// Sets (or with nil removes) a value at a dotted path, creating intermediate objects.
    public mutating func set(_ value: JSONValue?, at path: String) {
        setValue(value, at: path.split(separator: ".").map(String.init))
    }

    public mutating func setValue(_ value: JSONValue?, at keys: [String]) {
        guard let first = keys.first else { return }
        if keys.count == 1 {
            self[first] = value
            return
        }
        var child = self[first] ?? .object([])
        child.setValue(value, at: Array(keys.dropFirst()))
        self[first] = child
    }

    // MARK: Typed views

    public var boolValue: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    public var integerValue: Int64? {
        switch self {
        case let .integer(value): return value
        case let .double(value) where value.rounded() == value && abs(value) < 9.0e15: return Int64(value)
        default: return nil
        }
    }

    public var intValue: Int? { integerValue.flatMap { Int(exactly: $0) } }

    public var arrayValue: [JSONValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    /// An object's entries in their order.
    public var objectEntries: [(key: String, value: JSONValue)]? {
        if case let .object(entries) = self { return entries }
        return nil
    }

    /// An object as a dictionary (order dropped).
    public var objectValue: [String: JSONValue]? {
        guard case let .object(entries) = self else { return nil }
        return Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    // MARK: Text

    /// One line, keys in their current order (request bodies).
    public var compactString: String {
        switch self {
        case .null, .bool, .integer, .double, .string: return rendered()
        case let .array(items): return "[" + items.map(\.compactString).joined(separator: ",") + "]"
        case let .object(entries):
            return "{" + entries.map { CanonicalJSON.quoted($0.key) + ":" + $0.value.compactString }.joined(separator: ",") + "}"
        }
    }

    /// Request body bytes.
    public var data: Data { Data(compactString.utf8) }
}

/// Codable through keyed containers, so object key order survives a round trip.
extension JSONValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let flag = try? container.decode(Bool.self) { self = .bool(flag); return }
        if let number = try? container.decode(Int64.self) { self = .integer(number); return }
        if let number = try? container.decode(Double.self) { self = .double(number); return }
        if let text = try? container.decode(String.self) { self = .string(text); return }
        if let items = try? container.decode([JSONValue].self) { self = .array(items); return }
        let keyed = try decoder.container(keyedBy: AnyKey.self)
        self = .object(try keyed.allKeys.map { (key: $0.stringValue, value: try keyed.decode(JSONValue.self, forKey: $0)) })
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case let .bool(flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case let .integer(number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case let .double(number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case let .string(text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case let .array(items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case let .object(entries):
            var container = encoder.container(keyedBy: AnyKey.self)
            for entry in entries { try container.encode(entry.value, forKey: AnyKey(entry.key)) }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    /// Keeps the literal's key order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}
