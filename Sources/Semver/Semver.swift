import Foundation

/// A semantic version (2.0.0) as OCI tags carry them; a leading `v` and missing minor/patch are accepted.
public struct SemverVersion: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var major: UInt64
    public var minor: UInt64
    public var patch: UInt64
    public var prerelease: [String]
    public var build: String

    public init(major: UInt64, minor: UInt64, patch: UInt64, prerelease: [String] = [], build: String = "") {
        (self.major, self.minor, self.patch, self.prerelease, self.build) = (major, minor, patch, prerelease, build)
    }

    /// A tag as a version, as source-controller reads tags: `v3.1` is 3.1.0; wildcards (`1.x`) are ranges, not versions.
    public init?(_ text: String) {
        let core = text.split(separator: "+", maxSplits: 1).first?.split(separator: "-", maxSplits: 1).first ?? ""
        guard !core.split(separator: ".").contains(where: { $0 == "x" || $0 == "X" || $0 == "*" }),
              let partial = try? PartialVersion(parsing: text) else { return nil }
        self = partial.floor
    }

    public var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
            + (build.isEmpty ? "" : "+" + build)
    }

    /// Precedence per semver 2.0; build metadata is ignored.
    public static func < (lhs: SemverVersion, rhs: SemverVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false): break
        }
        for (left, right) in zip(lhs.prerelease, rhs.prerelease) where left != right {
            switch (UInt64(left), UInt64(right)) {
            case let (l?, r?): return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }

    public static func == (lhs: SemverVersion, rhs: SemverVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch) && lhs.prerelease == rhs.prerelease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major); hasher.combine(minor); hasher.combine(patch); hasher.combine(prerelease)
    }
}

/// A version with optional or wildcard (`x`, `X`, `*`) parts, as written in a range.
struct PartialVersion: Sendable {
    var major: UInt64?
    var minor: UInt64?
    var patch: UInt64?
    var prerelease: [String] = []

    var hasWildcard: Bool { major == nil || minor == nil || patch == nil }
    var floor: SemverVersion { SemverVersion(major: major ?? 0, minor: minor ?? 0, patch: patch ?? 0, prerelease: prerelease) }

    /// The first version above the partial range (`1.2` → `1.3.0`), nil for `*` or a full version.
    var ceiling: SemverVersion? {
        guard let major else { return nil }
        guard let minor else { return SemverVersion(major: major + 1, minor: 0, patch: 0) }
        guard patch != nil else { return SemverVersion(major: major, minor: minor + 1, patch: 0) }
        return nil
    }

    init(parsing input: String) throws {
        var text = Substring(input)
        if text.hasPrefix("v") || text.hasPrefix("V") { text = text.dropFirst() }
        guard !text.isEmpty else { throw SemverError("empty version") }
        var core = text
        var build = Substring("")
        if let plus = text.firstIndex(of: "+") {
            core = text[..<plus]
            build = text[text.index(after: plus)...]
            guard PartialVersion.validIdentifiers(build, numericRule: false) else {
                throw SemverError("invalid build metadata in \(String(reflecting: input))")
            }
        }
        if let dash = core.firstIndex(of: "-") {
            let prereleaseText = core[core.index(after: dash)...]
            guard PartialVersion.validIdentifiers(prereleaseText, numericRule: true) else {
                throw SemverError("invalid pre-release in \(String(reflecting: input))")
            }
            prerelease = prereleaseText.split(separator: ".").map(String.init)
            core = core[..<dash]
        }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { throw SemverError("\(String(reflecting: input)) is not a version") }
        var numbers: [UInt64?] = []
        var sawWildcard = false
        for part in parts {
            if part == "x" || part == "X" || part == "*" {
                sawWildcard = true
                numbers.append(nil)
            } else if !sawWildcard, !part.isEmpty, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                      part == "0" || !part.hasPrefix("0"), let value = UInt64(part) {
                numbers.append(value)
            } else {
                throw SemverError("\(String(reflecting: input)) is not a version")
            }
        }
        while numbers.count < 3 { numbers.append(nil) }
        (major, minor, patch) = (numbers[0], numbers[1], numbers[2])
        if !prerelease.isEmpty && hasWildcard && major == nil {
            throw SemverError("\(String(reflecting: input)): a wildcard cannot have a pre-release")
        }
    }

    private static func validIdentifiers(_ text: Substring, numericRule: Bool) -> Bool {
        let identifiers = text.split(separator: ".", omittingEmptySubsequences: false)
        return identifiers.allSatisfy { identifier in
            guard !identifier.isEmpty, identifier.utf8.allSatisfy({
                ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == UInt8(ascii: "-")
            }) else { return false }
            let numeric = identifier.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
            return !(numericRule && numeric && identifier.count > 1 && identifier.hasPrefix("0"))
        }
    }
}

/// A version or range that does not parse; the description says why, for a person.
public struct SemverError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A version range in the syntax source-controller accepts for `spec.ref.semver` (Masterminds/semver):
/// comparators `= != > >= < <= ~ ~> ^`, partial versions and wildcards (`1.x`, `*`), hyphen ranges
/// (`1.2 - 1.4.5`), AND by space or comma, OR by `||`. A pre-release version only satisfies comparators that
/// themselves name a pre-release, so `>=1.0.0` never selects `1.1.0-rc.1`.
public struct SemverRange: Sendable, CustomStringConvertible {
    public let description: String
    let alternatives: [[Comparator]]

    enum Operator: String, CaseIterable {
        case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
        case tilde = "~", caret = "^"
    }

    struct Comparator: Sendable {
        let op: Operator
        let version: PartialVersion

        func matches(_ candidate: SemverVersion) -> Bool {
            if !candidate.prerelease.isEmpty && version.prerelease.isEmpty { return false }
            let floor = version.floor
            switch op {
            case .equal:
                return inPartialRange(candidate)
            case .notEqual:
                return !inPartialRange(candidate)
            case .greater:
                if !version.hasWildcard { return candidate > floor }
                guard let ceiling = version.ceiling else { return false }
                return candidate >= ceiling
            case .greaterOrEqual:
                return candidate >= floor
            case .less:
                return candidate < floor
            case .lessOrEqual:
                if !version.hasWildcard { return candidate <= floor }
                guard let ceiling = version.ceiling else { return true }
                return candidate < ceiling
            case .tilde:
                guard let major = version.major else { return true }
                let upper = version.minor.map { SemverVersion(major: major, minor: $0 + 1, patch: 0) }
                    ?? SemverVersion(major: major + 1, minor: 0, patch: 0)
                return candidate >= floor && candidate < upper
            case .caret:
                guard let major = version.major else { return true }
                let upper: SemverVersion
                if major > 0 {
                    upper = SemverVersion(major: major + 1, minor: 0, patch: 0)
                } else if let minor = version.minor {
                    if minor > 0 {
                        upper = SemverVersion(major: 0, minor: minor + 1, patch: 0)
                    } else if let patch = version.patch {
                        upper = SemverVersion(major: 0, minor: 0, patch: patch + 1)
                    } else {
                        upper = SemverVersion(major: 0, minor: 1, patch: 0)
                    }
                } else {
                    upper = SemverVersion(major: 1, minor: 0, patch: 0)
                }
                return candidate >= floor && candidate < upper
            }
        }

        private func inPartialRange(_ candidate: SemverVersion) -> Bool {
            if !version.hasWildcard { return candidate == version.floor }
            guard version.major != nil else { return true }
            return candidate >= version.floor && candidate < version.ceiling!
        }
    }

    public init(parsing text: String) throws {
        func fail(_ reason: String) -> SemverError {
            SemverError("invalid semver range: \(reason)")
        }
        var alternatives: [[Comparator]] = []
        for group in text.components(separatedBy: "||") {
            let tokens = group.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
            guard !tokens.isEmpty else { throw fail("empty range (examples: >=1.0.0 <2.0.0, ~1.2, ^1.2.3, 1.x)") }
            var comparators: [Comparator] = []
            var index = 0
            do {
                while index < tokens.count {
                    var token = tokens[index]
                    // An operator written apart from its version: ">= 1.2".
                    if Operator.allCases.contains(where: { $0.rawValue == token }) || token == "~>" || token == "=>" || token == "=<" {
                        guard index + 1 < tokens.count else { throw SemverError("\(String(reflecting: token)) without a version") }
                        token += tokens[index + 1]
                        index += 1
                    }
                    if index + 2 < tokens.count, tokens[index + 1] == "-" {
                        // Hyphen range A - B.
                        let lower = try PartialVersion(parsing: token)
                        let upper = try PartialVersion(parsing: tokens[index + 2])
                        comparators.append(Comparator(op: .greaterOrEqual, version: lower))
                        comparators.append(Comparator(op: .lessOrEqual, version: upper))
                        index += 3
                        continue
                    }
                    guard token != "-" else { throw SemverError("a hyphen range needs a version on both sides") }
                    comparators.append(try SemverRange.comparator(token))
                    index += 1
                }
            } catch let error as SemverError {
                throw fail(error.description)
            }
            alternatives.append(comparators)
        }
        self.description = text
        self.alternatives = alternatives
    }

    private static func comparator(_ token: String) throws -> Comparator {
        let spellings: [(String, Operator)] = [
            (">=", .greaterOrEqual), ("=>", .greaterOrEqual), ("<=", .lessOrEqual), ("=<", .lessOrEqual),
            ("!=", .notEqual), ("~>", .tilde), (">", .greater), ("<", .less), ("=", .equal), ("~", .tilde), ("^", .caret),
        ]
        for (spelling, op) in spellings where token.hasPrefix(spelling) {
            return Comparator(op: op, version: try PartialVersion(parsing: String(token.dropFirst(spelling.count))))
        }
        return Comparator(op: .equal, version: try PartialVersion(parsing: token))
    }

    public func contains(_ version: SemverVersion) -> Bool {
        alternatives.contains { group in group.allSatisfy { $0.matches(version) } }
    }

    /// The highest of `tags` that parses as a version inside the range, like source-controller's tag selection.
    public func bestMatch(in tags: [String]) -> String? {
        tags.compactMap { tag in SemverVersion(tag).map { (tag, $0) } }
            .filter { contains($0.1) }
            .max { $0.1 < $1.1 }?.0
    }
}
