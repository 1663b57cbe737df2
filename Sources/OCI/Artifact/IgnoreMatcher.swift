import Foundation

/// gitignore-style matching with the semantics of the go-git matcher flux uses: the last matching pattern wins,
/// a pattern without `/` matches any path component, a pattern with `/` is anchored at the root and also matches
/// everything below what it matches, `**` spans directories, a trailing `/` restricts the final component to
/// directories, `!` re-includes.
public struct IgnoreMatcher: Sendable {
    struct Pattern: Sendable {
        var components: [String]
        var negated: Bool
        var directoryOnly: Bool
        var anchored: Bool
    }

    private let patterns: [Pattern]

    /// `lines` in gitignore syntax; blank lines and `#` comments are dropped.
    public init(patterns lines: [String]) {
        var parsed: [Pattern] = []
        for rawLine in lines {
            if rawLine.hasPrefix("#") || rawLine.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            var line = Substring(rawLine)
            var negated = false
            if line.hasPrefix("!") {
                negated = true
                line = line.dropFirst()
            }
            if !line.hasSuffix("\\ ") {
                while line.hasSuffix(" ") { line = line.dropLast() }
            }
            var directoryOnly = false
            if line.hasSuffix("/") {
                directoryOnly = true
                line = line.dropLast()
            }
            let anchored = line.contains("/")
            parsed.append(Pattern(components: line.split(separator: "/", omittingEmptySubsequences: false).map(String.init),
                                  negated: negated, directoryOnly: directoryOnly, anchored: anchored))
        }
        patterns = parsed
    }

    /// Whether the entry at `relativePath` (`/`-separated, relative to the artifact root) is excluded.
    public func isIgnored(_ relativePath: String, isDirectory: Bool) -> Bool {
        let components = relativePath.split(separator: "/").map(String.init)
        if components.isEmpty { return false }
        for pattern in patterns.reversed() {
            let matched = pattern.anchored
                ? Self.anchoredMatch(pattern, components, isDirectory)
                : Self.componentMatch(pattern, components, isDirectory)
            if matched { return !pattern.negated }
        }
        return false
    }

    private static func componentMatch(_ pattern: Pattern, _ path: [String], _ isDirectory: Bool) -> Bool {
        guard let glob = pattern.components.first else { return false }
        for (index, name) in path.enumerated() where GlobPattern.matches(glob, name) {
            if pattern.directoryOnly && !isDirectory && index == path.count - 1 { return false }
            return true
        }
        return false
    }

    private static func anchoredMatch(_ pattern: Pattern, _ fullPath: [String], _ isDirectory: Bool) -> Bool {
        var path = fullPath[...]
        var matched = false
        var mayTraverse = false
        for (index, glob) in pattern.components.enumerated() {
            if glob.isEmpty {
                mayTraverse = false
                continue
            }
            if glob == "**" {
                if index == pattern.components.count - 1 { break }
                mayTraverse = true
                continue
            }
            if glob.contains("**") { return false }
            if path.isEmpty { return false }
            if mayTraverse {
                mayTraverse = false
                while let name = path.first {
                    path = path.dropFirst()
                    if GlobPattern.matches(glob, name) {
                        matched = true
                        break
                    } else if path.isEmpty {
                        matched = false
                    }
                }
            } else {
                guard GlobPattern.matches(glob, path.first!) else { return false }
                matched = true
                path = path.dropFirst()
            }
        }
        if matched && pattern.directoryOnly && !isDirectory && path.isEmpty { return false }
        return matched
    }
}

/// Shell glob of one path component (`*`, `?`, `[a-z]`, `[^x]`/`[!x]`, `\` escapes), like Go's `filepath.Match`.
enum GlobPattern {
    static func matches(_ pattern: String, _ name: String) -> Bool {
        matchBytes(Array(pattern.utf8)[...], Array(name.utf8)[...])
    }

    private static func matchBytes(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        var starPattern: Int? = nil
        var starName = name.startIndex
        while n < name.endIndex {
            if p < pattern.endIndex {
                let c = pattern[p]
                if c == UInt8(ascii: "*") {
                    starPattern = p
                    starName = n
                    p += 1
                    continue
                }
                if c == UInt8(ascii: "?") {
                    p += 1
                    n += 1
                    continue
                }
                if c == UInt8(ascii: "[") {
                    if let (matched, next) = matchClass(pattern, p, name[n]), matched {
                        p = next
                        n += 1
                        continue
                    }
                } else {
                    var literal = c
                    var next = p + 1
                    if c == UInt8(ascii: "\\") && p + 1 < pattern.endIndex {
                        literal = pattern[p + 1]
                        next = p + 2
                    }
                    if literal == name[n] {
                        p = next
                        n += 1
                        continue
                    }
                }
            }
            // Mismatch: let the last `*` swallow one more byte, if there was one.
            guard let star = starPattern else { return false }
            starName += 1
            n = starName
            p = star + 1
        }
        while p < pattern.endIndex && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }

    /// Matches `byte` against the class starting at `start` (`[`); returns nil for a malformed class.
    private static func matchClass(_ pattern: ArraySlice<UInt8>, _ start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.endIndex && (pattern[i] == UInt8(ascii: "^") || pattern[i] == UInt8(ascii: "!")) {
            negate = true
            i += 1
        }
        var found = false
        var first = true
        while i < pattern.endIndex {
            if pattern[i] == UInt8(ascii: "]") && !first {
                return (found != negate, i + 1)
            }
            first = false
            var low = pattern[i]
            if low == UInt8(ascii: "\\") && i + 1 < pattern.endIndex {
                i += 1
                low = pattern[i]
            }
            i += 1
            var high = low
            if i + 1 < pattern.endIndex && pattern[i] == UInt8(ascii: "-") && pattern[i + 1] != UInt8(ascii: "]") {
                high = pattern[i + 1]
                if high == UInt8(ascii: "\\") && i + 2 < pattern.endIndex {
                    i += 1
                    high = pattern[i + 1]
                }
                i += 2
            }
            if low <= byte && byte <= high { found = true }
        }
        return nil
    }
}
