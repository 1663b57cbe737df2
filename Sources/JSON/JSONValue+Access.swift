import Foundation

extension JSONValue {
    public init(parsing data: Data) throws {
        self = try JSONValue.parse(data)
    }

    /// Follows a dotted path of object keys, e.g. `value(at: "metadata.name")`.
    public func value(at path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") {
            current = current?[String(key)]
        }
        return current
    }

    /// Sets (or with nil removes) a value at a dotted path, creating intermediate objects.
    public mutating func set(_ value: JSONValue?, at path: String) {
        set(value, keys: path.split(separator: ".").map(String.init)[...])
    }

    private mutating func set(_ value: JSONValue?, keys: ArraySlice<String>) {
        guard let first = keys.first else { return }
        if keys.count == 1 {
            self[first] = value
            return
        }
        var child = self[first] ?? .object([])
        child.set(value, keys: keys.dropFirst())
        self[first] = child
    }

    public var boolValue: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case let .integer(value): return Int(exactly: value)
        case let .double(value) where value.rounded() == value && abs(value) < 9.0e15: return Int(value)
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    /// An object's entries in their order.
    public var objectEntries: [(key: String, value: JSONValue)]? {
        if case let .object(entries) = self { return entries }
        return nil
    }

    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// JSON with sorted keys (Go's map order); `pretty` indents like kubectl's `-o json`.
    public func serialized(pretty: Bool = false, indent: Int = 4) -> Data {
        Data((pretty ? sortingKeys.rendered(indent: String(repeating: " ", count: indent)) : sortingKeys.compactString).utf8)
    }

    /// One line, keys in their current order.
    public var compactString: String {
        switch self {
        case .null: return "null"
        case let .bool(value): return value ? "true" : "false"
        case let .integer(value): return String(value)
        case let .double(value): return JSONValue.formatDouble(value)
        case let .string(value): return JSONValue.quote(value)
        case let .array(items): return "[" + items.map(\.compactString).joined(separator: ",") + "]"
        case let .object(entries):
            return "{" + entries.map { JSONValue.quote($0.key) + ":" + $0.value.compactString }.joined(separator: ",") + "}"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(Int64(value)) }
    /// Keeps the literal's key order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
}
