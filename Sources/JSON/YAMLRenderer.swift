import Foundation

/// YAML in the style of sigs.k8s.io/yaml (what kubectl and flux print): keys sorted, two-space indent, list items
/// at their parent's indent, strings quoted only when plain text would read as something else.
public enum YAMLRenderer {
    public static func render(_ value: JSONValue) -> String {
        var out = ""
        switch value {
        case .object(let fields) where !fields.isEmpty:
            writeObject(fields, indent: 0, into: &out)
        case .array(let items) where !items.isEmpty:
            writeArray(items, indent: 0, into: &out)
        default:
            out += scalar(value, indent: 0) + "\n"
        }
        return out
    }

    private static func writeObject(_ fields: [(key: String, value: JSONValue)], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            out += pad + quoteIfNeeded(key) + ":"
            switch value {
            case .object(let child) where !child.isEmpty:
                out += "\n"
                writeObject(child, indent: indent + 2, into: &out)
            case .array(let items) where !items.isEmpty:
                out += "\n"
                writeArray(items, indent: indent, into: &out)
            default:
                out += " " + scalar(value, indent: indent + 2) + "\n"
            }
        }
    }

    private static func writeArray(_ items: [JSONValue], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            switch item {
            case .object(let fields) where !fields.isEmpty:
                // The first key shares the dash's line; the rest align under it.
                var nested = ""
                writeObject(fields, indent: indent + 2, into: &nested)
                let body = nested.dropFirst(indent + 2)
                out += pad + "- " + body
            case .array(let children) where !children.isEmpty:
                var nested = ""
                writeArray(children, indent: indent + 2, into: &nested)
                out += pad + "- " + nested.dropFirst(indent + 2)
            default:
                out += pad + "- " + scalar(item, indent: indent + 2) + "\n"
            }
        }
    }

    private static func scalar(_ value: JSONValue, indent: Int) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .double(let number): return JSONValue.formatDouble(number)
        case .string(let text): return string(text, indent: indent)
        case .object: return "{}"
        case .array: return "[]"
        }
    }

    private static func string(_ text: String, indent: Int) -> String {
        if text.contains("\n") {
            // Literal block, as go-yaml writes multi-line strings; "|-" when there is no final newline.
            let pad = String(repeating: " ", count: indent)
            let chomp = text.hasSuffix("\n") ? "|" : "|-"
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if text.hasSuffix("\n") { lines.removeLast() }
            if let first = lines.first, first.hasPrefix(" ") {
                return chomp.replacingOccurrences(of: "|", with: "|2") + "\n" + lines.map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
            }
            return chomp + "\n" + lines.map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
        }
        return quoteIfNeeded(text)
    }

    /// Plain when safe; double quotes when the text would resolve to another type; single quotes when only
    /// YAML syntax characters forbid plain style (go-yaml's choice).
    static func quoteIfNeeded(_ text: String) -> String {
        if text.isEmpty || resolvesToNonString(text) {
            return JSONValue.quote(text).replacingOccurrences(of: "\\u003c", with: "<").replacingOccurrences(of: "\\u003e", with: ">").replacingOccurrences(of: "\\u0026", with: "&")
        }
        if plainAllowed(text) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func resolvesToNonString(_ text: String) -> Bool {
        let lowered = text.lowercased()
        let special: Set<String> = ["~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf", "+.inf"]
        if special.contains(lowered) && (text == lowered || text == text.uppercased() || text == text.prefix(1).uppercased() + text.dropFirst().lowercased()) {
            return true
        }
        // Integers, floats (with exponent), hex/octal, and base-60 forms read as numbers.
        let numberPattern = #"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^0x[0-9a-fA-F_]+$|^0o?[0-7_]+$|^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$"#
        if text.range(of: numberPattern, options: .regularExpression) != nil { return true }
        // Timestamps resolve too (yaml 1.1).
        if text.range(of: #"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|$)"#, options: .regularExpression) != nil { return true }
        return false
    }

    static func plainAllowed(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if first == " " || last == " " { return false }
        let indicators: Set<Unicode.Scalar> = ["-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`"]
        if indicators.contains(first) {
            // "-", "?" and ":" may start a plain scalar when followed by a non-space.
            let second = text.unicodeScalars.dropFirst().first
            guard ["-", "?", ":"].contains(first), let second, second != " " else { return false }
        }
        if text.contains(": ") || text.contains(" #") || text.hasSuffix(":") { return false }
        for scalar in text.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
            return false
        }
        return true
    }
}
