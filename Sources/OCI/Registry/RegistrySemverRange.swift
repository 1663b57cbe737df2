import Foundation

/// A semantic version; parsing is lenient like Masterminds/semver (`v` prefix, missing minor/patch).
struct RegistrySemverVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    public var prerelease: [String]

    public init(major: Int, minor: Int, patch: Int, prerelease: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
    }

    public init?(parsing text: String) {
        var rest = Substring(text)
        if rest.first == "v" || rest.first == "V" { rest = rest.dropFirst() }
        if let plus = rest.firstIndex(of: "+") { rest = rest[..<plus] }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            prerelease = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !prerelease.contains(where: \.isEmpty) else { return nil }
            rest = rest[..<dash]
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(numbers.count) else { return nil }
        var values: [Int] = []
        for number in numbers {
            guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber), let value = Int(number) else { return nil }
            values.append(value)
        }
        while values.count < 3 { values.append(0) }
        self.init(major: values[0], minor: values[1], patch: values[2], prerelease: prerelease)
    }

    public var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
    }

    public static func < (lhs: RegistrySemverVersion, rhs: RegistrySemverVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        // A prerelease sorts before its release; identifiers compare numerically when both are numbers.
        if lhs.prerelease.isEmpty || rhs.prerelease.isEmpty { return !lhs.prerelease.isEmpty && rhs.prerelease.isEmpty }
        for (left, right) in zip(lhs.prerelease, rhs.prerelease) where left != right {
            switch (Int(left), Int(right)) {
            case let (l?, r?): return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            default: return left < right
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }
}

/// A version range as flux's `--filter-semver` takes it: `>=1.0.0 <2.0.0` (also with commas), `~1.2`, `^1.2.3`,
/// `1.x`, `*`, hyphen ranges `1.2 - 1.4.5`, alternatives joined by `||`. Prereleases only match a range that
/// names a prerelease, as in Masterminds/semver.
struct RegistrySemverRange: Sendable, CustomStringConvertible {
    struct Comparator: Sendable {
        enum Operation: Sendable { case equal, less, lessOrEqual, greater, greaterOrEqual, notEqual }
        var operation: Operation
        var version: RegistrySemverVersion

        func matches(_ candidate: RegistrySemverVersion) -> Bool {
            switch operation {
            case .equal: return candidate == version
            case .notEqual: return candidate != version
            case .less: return candidate < version
            case .lessOrEqual: return candidate <= version
            case .greater: return candidate > version
            case .greaterOrEqual: return candidate >= version
            }
        }
    }

    /// OR of ANDs.
    private var alternatives: [[Comparator]]
    public let description: String

    public init(parsing text: String) throws {
        description = text
        func invalid() -> RegistryError {
            RegistryError(kind: .invalidReference, message: "invalid semver range \"\(text)\": use e.g. \">=1.0.0 <2.0.0\", \"~1.2\", \"^1.2.3\", \"1.x\" or \"*\"")
        }
        var alternatives: [[Comparator]] = []
        for part in text.components(separatedBy: "||") {
            var tokens = part.replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
            // Glue a lone operator to its version: ">= 1.0" → ">=1.0".
            var glued: [String] = []
            for token in tokens {
                if let last = glued.last, ["=", "!=", "<", "<=", ">", ">=", "~", "^", "~>"].contains(last) { glued[glued.count - 1] = last + token } else { glued.append(token) }
            }
            tokens = glued
            var comparators: [Comparator] = []
            var index = 0
            while index < tokens.count {
                if index + 2 < tokens.count, tokens[index + 1] == "-" {
                    guard let lower = Self.partial(tokens[index]), let upper = Self.partial(tokens[index + 2]) else { throw invalid() }
                    comparators.append(Comparator(operation: .greaterOrEqual, version: lower.floor))
                    comparators += upper.upperBoundInclusive
                    index += 3
                    continue
                }
                guard let parsed = Self.comparators(tokens[index]) else { throw invalid() }
                comparators += parsed
                index += 1
            }
            if comparators.isEmpty && !part.trimmingCharacters(in: .whitespaces).isEmpty { throw invalid() }
            alternatives.append(comparators)
        }
        guard !alternatives.isEmpty else { throw invalid() }
        self.alternatives = alternatives
    }

    public func contains(_ version: RegistrySemverVersion) -> Bool {
        alternatives.contains { comparators in
            if !version.prerelease.isEmpty {
                let namesPrerelease = comparators.contains { !$0.version.prerelease.isEmpty &&
                    ($0.version.major, $0.version.minor, $0.version.patch) == (version.major, version.minor, version.patch) }
                if !namesPrerelease { return false }
            }
            return comparators.allSatisfy { $0.matches(version) }
        }
    }

    /// A version with wildcards or missing parts: `1`, `1.2`, `1.x`, `1.2.*`, `*`.
    private struct Partial {
        var parts: [Int] // only the given numbers, wildcards cut off
        var prerelease: [String]

        var floor: RegistrySemverVersion {
            RegistrySemverVersion(major: parts.count > 0 ? parts[0] : 0, minor: parts.count > 1 ? parts[1] : 0,
                          patch: parts.count > 2 ? parts[2] : 0, prerelease: prerelease)
        }

        /// The first version past every version this partial names (`1.2` → `1.3.0`); nil for `*`.
        var ceiling: RegistrySemverVersion? {
            switch parts.count {
            case 0: return nil
            case 1: return RegistrySemverVersion(major: parts[0] + 1, minor: 0, patch: 0)
            case 2: return RegistrySemverVersion(major: parts[0], minor: parts[1] + 1, patch: 0)
            default: return nil
            }
        }

        /// `<= upper` for a full version, `< ceiling` for a partial one.
        var upperBoundInclusive: [Comparator] {
            if parts.count == 3 { return [Comparator(operation: .lessOrEqual, version: floor)] }
            return ceiling.map { [Comparator(operation: .less, version: $0)] } ?? []
        }
    }

    private static func partial(_ text: String) -> Partial? {
        var rest = Substring(text)
        if rest.first == "v" || rest.first == "V" { rest = rest.dropFirst() }
        if let plus = rest.firstIndex(of: "+") { rest = rest[..<plus] }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            prerelease = rest[rest.index(after: dash)...].split(separator: ".").map(String.init)
            rest = rest[..<dash]
        }
        var parts: [Int] = []
        var sawWildcard = false
        let pieces = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(pieces.count) else { return nil }
        for piece in pieces {
            if ["x", "X", "*"].contains(piece) { sawWildcard = true; continue }
            guard !sawWildcard, let value = Int(piece), value >= 0 else { return nil }
            parts.append(value)
        }
        return Partial(parts: parts, prerelease: prerelease)
    }

    private static func comparators(_ token: String) -> [Comparator]? {
        let operators = [">=", "<=", "!=", "~>", ">", "<", "=", "~", "^"]
        let op = operators.first { token.hasPrefix($0) } ?? ""
        guard let version = partial(String(token.dropFirst(op.count))) else { return nil }
        let floor = version.floor
        let fromFloor = Comparator(operation: .greaterOrEqual, version: floor)
        switch op {
        case "", "=":
            if version.parts.count == 3 { return [Comparator(operation: .equal, version: floor)] }
            return [fromFloor] + (version.ceiling.map { [Comparator(operation: .less, version: $0)] } ?? [])
        case "!=":
            return [Comparator(operation: .notEqual, version: floor)]
        case ">":
            if version.parts.count == 3 || version.parts.isEmpty { return [Comparator(operation: .greater, version: floor)] }
            return [Comparator(operation: .greaterOrEqual, version: version.ceiling!)]
        case ">=":
            return [fromFloor]
        case "<":
            return [Comparator(operation: .less, version: floor)]
        case "<=":
            return version.upperBoundInclusive.isEmpty ? [] : version.upperBoundInclusive
        case "~", "~>":
            // ~1.2.3 → <1.3.0; ~1.2 → <1.3.0; ~1 → <2.0.0
            let ceiling = version.parts.count <= 1
                ? RegistrySemverVersion(major: floor.major + 1, minor: 0, patch: 0)
                : RegistrySemverVersion(major: floor.major, minor: floor.minor + 1, patch: 0)
            return [fromFloor, Comparator(operation: .less, version: ceiling)]
        case "^":
            // Left-most non-zero part stays fixed: ^1.2.3 → <2.0.0, ^0.2.3 → <0.3.0, ^0.0.3 → <0.0.4.
            let ceiling: RegistrySemverVersion
            if floor.major > 0 || version.parts.count <= 1 {
                ceiling = RegistrySemverVersion(major: floor.major + 1, minor: 0, patch: 0)
            } else if floor.minor > 0 || version.parts.count == 2 {
                ceiling = RegistrySemverVersion(major: 0, minor: floor.minor + 1, patch: 0)
            } else {
                ceiling = RegistrySemverVersion(major: 0, minor: 0, patch: floor.patch + 1)
            }
            return [fromFloor, Comparator(operation: .less, version: ceiling)]
        default:
            return nil
        }
    }
}
