import Foundation

/// Everything that can go wrong while turning flags into Flux objects or reading them back.
/// `description` is the whole message a person sees; flag errors name the flag and echo the value.
public enum FluxError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A flag (or argument, e.g. `name`) whose value does not parse: `--interval "5 minutes": not a duration …`.
    case invalidFlag(flag: String, value: String, reason: String)
    /// A message that must match flux's wording exactly (`name is required`, layer selector errors, …).
    case message(String)
    /// A document that could not be parsed as JSON or YAML.
    case malformedDocument(String)

    public var description: String {
        switch self {
        case let .invalidFlag(flag, value, reason):
            return "\(flag) \(goQuoted(value)): \(reason)"
        case let .message(text):
            return text
        case let .malformedDocument(text):
            return text
        }
    }
}

extension FluxError: LocalizedError {
    public var errorDescription: String? { description }
}

/// Quotes like Go's `%q` for the printable strings users type (backslash and quote escaped).
func goQuoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += String(format: "\\x%02x", scalar.value)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}
