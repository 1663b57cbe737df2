import Foundation
import Yams

/// YAML written the way kubectl and flux write it (sigs.k8s.io/yaml over go-yaml v2): block style, 2-space
/// indent, sequences not indented under their key, keys in go-yaml's order, strings quoted only when they would
/// read back as something else, multi-line strings as literal blocks, long lines folded at 80 columns.
public enum KubeYAML {
    /// One document, without a leading `---`.
    public static func encode(_ value: JSONValue) -> String {
        var emitter = YAMLEmitter()
        emitter.emitDocument(value)
        return emitter.output
    }

    /// Parses a YAML stream into its documents (empty documents skipped), resolving scalars as sigs.k8s.io/yaml
    /// does (YAML 1.1); timestamps stay strings, as Kubernetes reads them.
    public static func decodeDocuments(_ text: String) throws -> [JSONValue] {
        do {
            return try Yams.compose_all(yaml: text).map(JSONValue.init(yaml:)).filter { $0 != .null }
        } catch {
            throw YAMLDecodingError(description: "invalid YAML: \(error)")
        }
    }
}

public struct YAMLDecodingError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

struct YAMLEmitter {
    var output = ""
    var column = 0
    static let bestWidth = 80

    // MARK: Writing primitives

    mutating func put(_ text: String) {
        output += text
        column += text.unicodeScalars.count
    }

    mutating func lineBreak() {
        output += "\n"
        column = 0
    }

    /// Starts a new line at `indent` unless already there.
    mutating func writeIndent(_ indent: Int) {
        if column > 0 { lineBreak() }
        put(String(repeating: " ", count: indent))
    }

    // MARK: Structure

    mutating func emitDocument(_ value: JSONValue) {
        switch value {
        case let .object(members) where !members.isEmpty:
            emitMapping(members, indent: 0, inline: false)
        case let .array(elements) where !elements.isEmpty:
            emitSequence(elements, indent: 0, inline: false)
        default:
            emitScalarOrEmpty(value, indent: 0)
            lineBreak()
        }
    }

    mutating func emitMapping(_ members: [(key: String, value: JSONValue)], indent: Int, inline: Bool) {
        for (position, (key, value)) in members.sorted(by: { YAMLEmitter.keyLess($0.key, $1.key) }).enumerated() {
            if !(inline && position == 0) { writeIndent(indent) }
            if YAMLEmitter.foldNextLines(key).utf8.count > 128 {
                // Too long for a simple key: libyaml writes `? key` and `: value` on separate lines.
                put("? ")
                emitString(key, indent: indent + 2, simpleKey: false)
                writeIndent(indent)
                put(":")
            } else {
                emitKey(key)
                put(":")
            }
            switch value {
            case let .object(child) where !child.isEmpty:
                lineBreak()
                emitMapping(child, indent: indent + 2, inline: false)
            case let .array(elements) where !elements.isEmpty:
                lineBreak()
                emitSequence(elements, indent: indent, inline: false)
            default:
                put(" ")
                emitScalarOrEmpty(value, indent: indent + 2)
                lineBreak()
            }
        }
    }

    mutating func emitSequence(_ elements: [JSONValue], indent: Int, inline: Bool) {
        for (position, element) in elements.enumerated() {
            if !(inline && position == 0) { writeIndent(indent) }
            put("- ")
            switch element {
            case let .object(members) where !members.isEmpty:
                emitMapping(members, indent: indent + 2, inline: true)
            case let .array(inner) where !inner.isEmpty:
                emitSequence(inner, indent: indent + 2, inline: true)
            default:
                emitScalarOrEmpty(element, indent: indent + 2)
                lineBreak()
            }
        }
    }

    mutating func emitScalarOrEmpty(_ value: JSONValue, indent: Int) {
        switch value {
        case .null: put("null")
        case let .bool(flag): put(flag ? "true" : "false")
        case let .integer(number): put(String(number))
        case let .double(number):
            // kubectl writes JSON first and reads it back as YAML: a float JSON prints without '.' or exponent
            // (100.0 → 100) becomes an integer there.
            let jsonText = GoFloat.json(number)
            if number.isFinite, YAMLEmitter.parseGoInteger(jsonText) != nil || YAMLEmitter.parseGoUnsigned(jsonText) != nil {
                put(jsonText)
            } else {
                put(GoFloat.yaml(number))
            }
        case let .string(text): emitString(text, indent: indent, simpleKey: false)
        case .array: put("[]")
        case .object: put("{}")
        }
    }

    mutating func emitKey(_ key: String) {
        emitString(key, indent: 0, simpleKey: true)
    }

    // MARK: Key order (go-yaml v2's sorter: non-letters before letters, digit runs compared as numbers)

    static func sortedKeys(_ keys: [String]) -> [String] {
        keys.sorted(by: keyLess)
    }

    static func keyLess(_ a: String, _ b: String) -> Bool {
        let left = Array(a.unicodeScalars)
        let right = Array(b.unicodeScalars)
        var i = 0
        while i < left.count && i < right.count {
            if left[i] == right[i] { i += 1; continue }
            let leftLetter = left[i].properties.isAlphabetic
            let rightLetter = right[i].properties.isAlphabetic
            if leftLetter && rightLetter { return left[i].value < right[i].value }
            if leftLetter || rightLetter { return rightLetter }
            func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 48 && scalar.value <= 57 }
            var leftNumber: Int64 = 0
            var rightNumber: Int64 = 0
            if left[i] == "0" || right[i] == "0" {
                var j = i - 1
                while j >= 0 && isDigit(left[j]) {
                    if left[j] != "0" { leftNumber = 1; rightNumber = 1; break }
                    j -= 1
                }
            }
            var leftEnd = i
            while leftEnd < left.count && isDigit(left[leftEnd]) {
                leftNumber = leftNumber &* 10 &+ Int64(left[leftEnd].value - 48)
                leftEnd += 1
            }
            var rightEnd = i
            while rightEnd < right.count && isDigit(right[rightEnd]) {
                rightNumber = rightNumber &* 10 &+ Int64(right[rightEnd].value - 48)
                rightEnd += 1
            }
            if leftNumber != rightNumber { return leftNumber < rightNumber }
            if leftEnd != rightEnd { return leftEnd < rightEnd }
            return left[i].value < right[i].value
        }
        return left.count < right.count
    }

    // MARK: Scalar resolution (what a plain scalar would read back as)

    enum Resolved { case null, bool, integer, float, timestamp, string }

    static let resolveMap: [String: Resolved] = {
        var map: [String: Resolved] = [:]
        for word in ["", "~", "null", "Null", "NULL"] { map[word] = .null }
        for word in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
                     "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] { map[word] = .bool }
        for word in [".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"] {
            map[word] = .float
        }
        return map
    }()

    static func resolve(_ text: String) -> Resolved {
        guard let first = text.unicodeScalars.first else { return .null }
        let hintCharacters = "+-0123456789yYnNtTfFoO~."
        guard hintCharacters.unicodeScalars.contains(first) else { return .string }
        if let known = resolveMap[text] { return known }
        if first == "." {
            return matchesFloat(text, allowUnderscore: false) ? .float : .string
        }
        if "+-0123456789".unicodeScalars.contains(first) {
            if isTimestamp(text) { return .timestamp }
            let plain = text.replacingOccurrences(of: "_", with: "")
            if parseGoInteger(plain) != nil || parseGoUnsigned(plain) != nil { return .integer }
            if matchesFloat(plain, allowUnderscore: false) { return .float }
        }
        return .string
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
    static func matchesFloat(_ text: String, allowUnderscore: Bool) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        } else {
            guard digits() > 0 else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") { index += 1; _ = digits() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }

    /// Go's `strconv.ParseInt(text, 0, 64)`.
    static func parseGoInteger(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if body.hasPrefix("+") || body.hasPrefix("-") { negative = body.first == "-"; body = body.dropFirst() }
        guard let magnitude = parseGoUnsigned(String(body)) else { return nil }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Go's `strconv.ParseUint(text, 0, 64)`: decimal, 0x, 0o, 0b, or leading-0 octal.
    static func parseGoUnsigned(_ text: String) -> UInt64? {
        let lower = text.lowercased()
        guard !lower.isEmpty else { return nil }
        if lower.hasPrefix("0x") { return UInt64(lower.dropFirst(2), radix: 16) }
        if lower.hasPrefix("0o") { return UInt64(lower.dropFirst(2), radix: 8) }
        if lower.hasPrefix("0b") { return UInt64(lower.dropFirst(2), radix: 2) }
        guard lower.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if lower.hasPrefix("0") && lower.count > 1 { return UInt64(lower.dropFirst(), radix: 8) }
        return UInt64(lower, radix: 10)
    }

    /// go-yaml's timestamp forms: `2006-1-2T15:4:5.999999999Z07:00` (or `t`), `2006-1-2 15:4:5.999999999`, `2006-1-2`.
    static func isTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func number(maxDigits: Int) -> Int? {
            let start = index
            var value = 0
            while index < bytes.count, index - start < maxDigits, bytes[index] >= 48, bytes[index] <= 57 {
                value = value * 10 + Int(bytes[index] - 48)
                index += 1
            }
            return index > start ? value : nil
        }
        func expect(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue! else { return false }
            index += 1
            return true
        }
        guard bytes.count >= 5, bytes[0..<4].allSatisfy({ $0 >= 48 && $0 <= 57 }), bytes[4] == UInt8(ascii: "-") else { return false }
        let year = Int(String(decoding: bytes[0..<4], as: UTF8.self))!
        index = 5
        guard let month = number(maxDigits: 2), expect("-"), let day = number(maxDigits: 2) else { return false }
        guard (1...12).contains(month) else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return false }
        if index == bytes.count { return true }
        let separator = bytes[index]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else { return false }
        index += 1
        guard let hour = number(maxDigits: 2), hour < 24, expect(":"), let minute = number(maxDigits: 2), minute < 60,
              expect(":"), let second = number(maxDigits: 2), second < 60 else { return false }
        if index + 1 < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ","),
           bytes[index + 1] >= 48, bytes[index + 1] <= 57 {
            index += 1
            _ = number(maxDigits: 1000)
        }
        if separator == UInt8(ascii: " ") { return index == bytes.count }
        if expect("Z") { return index == bytes.count }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return false }
        index += 1
        let hourStart = index
        guard number(maxDigits: 2) != nil, index - hourStart == 2, expect(":") else { return false }
        let minuteStart = index
        guard number(maxDigits: 2) != nil, index - minuteStart == 2 else { return false }
        return index == bytes.count
    }

    /// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$` — quoted for old YAML 1.1 readers.
    static func isBase60Float(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { return false }
        while index < bytes.count, isDigit(bytes[index]) || bytes[index] == UInt8(ascii: "_") { index += 1 }
        var groups = 0
        while index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            index += 1
            let start = index
            while index < bytes.count, isDigit(bytes[index]), index - start < 2 { index += 1 }
            let count = index - start
            guard count >= 1 else { return false }
            if count == 2, bytes[start] > UInt8(ascii: "5") { return false }
            groups += 1
        }
        guard groups > 0 else { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) || bytes[index] == UInt8(ascii: "_") { index += 1 }
        }
        return index == bytes.count
    }

    // MARK: Scalar styles (libyaml's analysis as go-yaml runs it)

    enum Style { case plain, singleQuoted, doubleQuoted, literal }

    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value == 0x0A || (0x20...0x7E).contains(value) || (0xA0...0xD7FF).contains(value)
            || ((0xE000...0xFFFD).contains(value) && value != 0xFEFF)
    }

    static func style(for text: String, simpleKey: Bool) -> Style {
        let multiline = text.contains("\n")
        var requested: Style
        if multiline {
            requested = .literal
        } else if resolve(text) != .string || isBase60Float(text) {
            return .doubleQuoted
        } else {
            requested = .plain
        }
        let scalars = Array(text.unicodeScalars)
        var blockIndicators = false
        var flowIndicators = false
        var lineBreaks = false
        var specialCharacters = false
        var leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false
        var breakSpace = false, spaceBreak = false
        var previousSpace = false, previousBreak = false
        var precededByWhitespace = true
        if scalars.count >= 3 && (text.hasPrefix("---") || text.hasPrefix("...")) {
            blockIndicators = true
            flowIndicators = true
        }
        func isBlank(_ index: Int) -> Bool {
            index >= scalars.count || scalars[index] == " " || scalars[index] == "\t" || scalars[index] == "\n"
                || scalars[index] == "\r" || scalars[index] == "\u{85}" || scalars[index] == "\u{2028}" || scalars[index] == "\u{2029}"
        }
        func isBreak(_ scalar: Unicode.Scalar) -> Bool {
            scalar == "\n" || scalar == "\r" || scalar == "\u{85}" || scalar == "\u{2028}" || scalar == "\u{2029}"
        }
        for (i, scalar) in scalars.enumerated() {
            let followedByWhitespace = i + 1 >= scalars.count || (scalars[i + 1] == " " || scalars[i + 1] == "\t" || isBreak(scalars[i + 1]))
            if i == 0 {
                switch scalar {
                case "#", ",", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`":
                    flowIndicators = true; blockIndicators = true
                case "?", ":":
                    flowIndicators = true
                    if followedByWhitespace { blockIndicators = true }
                case "-":
                    if followedByWhitespace { flowIndicators = true; blockIndicators = true }
                default: break
                }
            } else {
                switch scalar {
                case ",", "?", "[", "]", "{", "}":
                    flowIndicators = true
                case ":":
                    flowIndicators = true
                    if followedByWhitespace { blockIndicators = true }
                case "#":
                    if precededByWhitespace { flowIndicators = true; blockIndicators = true }
                default: break
                }
            }
            if !isPrintable(scalar) { specialCharacters = true }
            if scalar == " " {
                if i == 0 { leadingSpace = true }
                if i == scalars.count - 1 { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if isBreak(scalar) {
                lineBreaks = true
                if i == 0 { leadingBreak = true }
                if i == scalars.count - 1 { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false
                previousBreak = true
            } else {
                previousSpace = false
                previousBreak = false
            }
            precededByWhitespace = isBlank(i)
        }
        var plainAllowed = true
        var singleQuotedAllowed = true
        var blockAllowed = true
        if leadingSpace || leadingBreak || trailingSpace || trailingBreak { plainAllowed = false }
        if trailingSpace { blockAllowed = false }
        if breakSpace { plainAllowed = false; singleQuotedAllowed = false }
        if spaceBreak || specialCharacters { plainAllowed = false; singleQuotedAllowed = false; blockAllowed = false }
        if lineBreaks { plainAllowed = false }
        if blockIndicators { plainAllowed = false }
        _ = flowIndicators

        if simpleKey && lineBreaks { requested = .doubleQuoted }
        if requested == .plain && !plainAllowed { requested = .singleQuoted }
        if requested == .singleQuoted && !singleQuotedAllowed { requested = .doubleQuoted }
        if requested == .literal && (!blockAllowed || simpleKey) { requested = .doubleQuoted }
        return requested
    }

    /// kubectl reads its own JSON back as YAML, where a raw NEL (U+0085, the one line break Go's JSON leaves
    /// unescaped) is a line break inside a double-quoted scalar and gets folded. Do the same so output matches.
    static func foldNextLines(_ text: String) -> String {
        guard text.unicodeScalars.contains("\u{85}") else { return text }
        let scalars = Array(text.unicodeScalars)
        var folded = String.UnicodeScalarView()
        var index = 0
        func isFoldable(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\u{85}" }  // JSON escapes tabs
        while index < scalars.count {
            guard isFoldable(scalars[index]) else {
                folded.append(scalars[index])
                index += 1
                continue
            }
            var end = index
            var breaks = 0
            while end < scalars.count, isFoldable(scalars[end]) {
                if scalars[end] == "\u{85}" { breaks += 1 }
                end += 1
            }
            if breaks == 0 {
                folded.append(contentsOf: scalars[index..<end])
            } else if breaks == 1 {
                folded.append(" ")
            } else {
                for _ in 1..<breaks { folded.append("\n") }
            }
            index = end
        }
        return String(folded)
    }

    mutating func emitString(_ original: String, indent: Int, simpleKey: Bool) {
        let text = YAMLEmitter.foldNextLines(original)
        let allowBreaks = !simpleKey
        let scalars = Array(text.unicodeScalars)
        switch YAMLEmitter.style(for: text, simpleKey: simpleKey) {
        case .plain:
            var spaces = false
            for (i, scalar) in scalars.enumerated() {
                if scalar == " " {
                    if allowBreaks && !spaces && column > YAMLEmitter.bestWidth && !(i + 1 < scalars.count && scalars[i + 1] == " ") {
                        writeIndent(indent)
                    } else {
                        put(" ")
                    }
                    spaces = true
                } else {
                    put(String(scalar))
                    spaces = false
                }
            }
        case .singleQuoted:
            put("'")
            var spaces = false
            for (i, scalar) in scalars.enumerated() {
                if scalar == " " {
                    if allowBreaks && !spaces && column > YAMLEmitter.bestWidth && i > 0 && i < scalars.count - 1
                        && scalars[i + 1] != " " {
                        writeIndent(indent)
                    } else {
                        put(" ")
                    }
                    spaces = true
                } else {
                    put(scalar == "'" ? "''" : String(scalar))
                    spaces = false
                }
            }
            put("'")
        case .doubleQuoted:
            put("\"")
            var spaces = false
            for (i, scalar) in scalars.enumerated() {
                let isBreak = scalar == "\n" || scalar == "\r" || scalar == "\u{85}" || scalar == "\u{2028}" || scalar == "\u{2029}"
                if !YAMLEmitter.isPrintable(scalar) || scalar == "\u{FEFF}" || isBreak || scalar == "\"" || scalar == "\\" {
                    put(YAMLEmitter.escape(scalar))
                    spaces = false
                } else if scalar == " " {
                    if allowBreaks && !spaces && column > YAMLEmitter.bestWidth && i != 0 && i != scalars.count - 1 {
                        writeIndent(indent)
                        if i + 1 < scalars.count && scalars[i + 1] == " " { put("\\") }
                    } else {
                        put(" ")
                    }
                    spaces = true
                } else {
                    put(String(scalar))
                    spaces = false
                }
            }
            put("\"")
        case .literal:
            put("|")
            if let first = scalars.first, first == " " || first == "\n" { put("2") }
            if scalars.last != "\n" {
                put("-")
            } else if scalars.count == 1 || scalars[scalars.count - 2] == "\n" {
                put("+")
            }
            lineBreak()
            var atLineStart = true
            for scalar in scalars {
                if scalar == "\n" {
                    lineBreak()
                    atLineStart = true
                } else {
                    if atLineStart { put(String(repeating: " ", count: indent)); atLineStart = false }
                    put(String(scalar))
                }
            }
            // The caller ends the line; a trailing newline in the value already did.
            if scalars.last == "\n" { output.removeLast(); column = 1 }
        }
    }

    static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x00: return "\\0"
        case 0x07: return "\\a"
        case 0x08: return "\\b"
        case 0x09: return "\\t"
        case 0x0A: return "\\n"
        case 0x0B: return "\\v"
        case 0x0C: return "\\f"
        case 0x0D: return "\\r"
        case 0x1B: return "\\e"
        case 0x22: return "\\\""
        case 0x5C: return "\\\\"
        case 0x85: return "\\N"
        case 0xA0: return "\\_"
        case 0x2028: return "\\L"
        case 0x2029: return "\\P"
        case let value where value <= 0xFF: return String(format: "\\x%02X", value)
        case let value where value <= 0xFFFF: return String(format: "\\u%04X", value)
        default: return String(format: "\\U%08X", scalar.value)
        }
    }
}
