import Foundation

/// JSON with sorted keys, written like Go's `encoding/json` (what kubectl prints): HTML-safe escapes,
/// `MarshalIndent` layout, numbers in Go's shortest form.
public enum CanonicalJSON {
    /// One line, no spaces: request bodies and stable comparisons.
    public static func compact(_ value: JSONValue) -> String {
        var output = ""
        write(value, into: &output, indent: nil, level: 0)
        return output
    }

    /// kubectl's `-o json`: 4-space indent and a trailing newline.
    public static func indented(_ value: JSONValue, indent: String = "    ") -> String {
        var output = ""
        write(value, into: &output, indent: indent, level: 0)
        return output + "\n"
    }

    /// Go sorts map keys by their UTF-8 bytes.
    static func sorted(_ members: [(key: String, value: JSONValue)]) -> [(key: String, value: JSONValue)] {
        members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
    }

    private static func write(_ value: JSONValue, into output: inout String, indent: String?, level: Int) {
        func newline(_ depth: Int) {
            guard let indent else { return }
            output += "\n" + String(repeating: indent, count: depth)
        }
        switch value {
        case .null: output += "null"
        case let .bool(flag): output += flag ? "true" : "false"
        case let .integer(number): output += String(number)
        case let .double(number): output += GoFloat.json(number)
        case let .string(text): output += quoted(text)
        case let .array(elements):
            guard !elements.isEmpty else { output += "[]"; return }
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += "," }
                newline(level + 1)
                write(element, into: &output, indent: indent, level: level + 1)
            }
            newline(level)
            output += "]"
        case let .object(members):
            guard !members.isEmpty else { output += "{}"; return }
            output += "{"
            for (position, member) in sorted(members).enumerated() {
                if position > 0 { output += "," }
                newline(level + 1)
                output += quoted(member.key) + (indent == nil ? ":" : ": ")
                write(member.value, into: &output, indent: indent, level: level + 1)
            }
            newline(level)
            output += "}"
        }
    }

    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                result += String(format: "\\u%04x", scalar.value)
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

/// Go's float formatting (`strconv.FormatFloat` with the shortest digits).
public enum GoFloat {
    /// Shortest digits and the decimal point position: value = 0.DIGITS × 10^point.
    static func shortestDecimal(_ value: Double) -> (digits: [Character], point: Int) {
        let text = "\(abs(value))"  // Swift prints the shortest round-tripping digits
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = Array(parts[0])
        let fractionPart = parts.count > 1 ? Array(parts[1]) : []
        var digits = integerPart + fractionPart
        var point = integerPart.count + exponent
        while let first = digits.first, first == "0", digits.count > 1 { digits.removeFirst(); point -= 1 }
        while let last = digits.last, last == "0", digits.count > 1 { digits.removeLast() }
        if digits == ["0"] { point = 1 }
        return (digits, point)
    }

    static func fixed(_ digits: [Character], point: Int) -> String {
        if point <= 0 { return "0." + String(repeating: "0", count: -point) + String(digits) }
        if point >= digits.count { return String(digits) + String(repeating: "0", count: point - digits.count) }
        return String(digits[..<point]) + "." + String(digits[point...])
    }

    static func exponential(_ digits: [Character], point: Int, minimumExponentDigits: Int) -> String {
        var text = String(digits[0])
        if digits.count > 1 { text += "." + String(digits[1...]) }
        let exponent = digits == ["0"] ? 0 : point - 1
        var exponentText = String(abs(exponent))
        while exponentText.count < minimumExponentDigits { exponentText = "0" + exponentText }
        return text + "e" + (exponent < 0 ? "-" : "+") + exponentText
    }

    /// `encoding/json`: %f between 1e-6 and 1e21, else %e with a short exponent.
    public static func json(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let sign = value < 0 ? "-" : ""
        let (digits, point) = shortestDecimal(value)
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21) {
            return sign + exponential(digits, point: point, minimumExponentDigits: 1)
        }
        return sign + fixed(digits, point: point)
    }

    /// `strconv.FormatFloat(f, 'g', -1, 64)` as go-yaml writes floats.
    static func yaml(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        let sign = value < 0 ? "-" : ""
        let (digits, point) = shortestDecimal(value)
        let exponent = point - 1
        if digits != ["0"] && (exponent < -4 || exponent >= 6) {
            return sign + exponential(digits, point: point, minimumExponentDigits: 2)
        }
        return sign + fixed(digits, point: point)
    }
}
