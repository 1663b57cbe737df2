import FoundationEssentials
import Glibc

// String helpers that Foundation's NSString bridge provided; FoundationEssentials has none of them.

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    public func trimmingSpaces() -> String { trimming { $0 == " " || $0 == "\t" } }

    /// Without leading and trailing whitespace and newlines (Unicode White_Space, as CharacterSet's).
    public func trimmingWhitespace() -> String { trimming { $0.isWhitespace } }

    public func trimming(where shouldTrim: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !shouldTrim($0) }) else { return "" }
        let last = lastIndex(where: { !shouldTrim($0) })!
        return String(self[first...last])
    }

    /// ASCII case-insensitive equality (header names, schemes, hosts).
    public func equalsIgnoringCase(_ other: some StringProtocol) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
    }

    /// ASCII case-insensitive prefix test.
    public func hasPrefixIgnoringCase(_ prefix: some StringProtocol) -> Bool {
        utf8.count >= prefix.utf8.count && zip(utf8, prefix.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
    }

    /// Percent-encodes every UTF-8 byte for which `isAllowed` is false (upper-case hex, as RFC 3986 prefers).
    public func percentEncoded(allowing isAllowed: (UInt8) -> Bool) -> String {
        var result = ""
        result.reserveCapacity(utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in utf8 {
            if isAllowed(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
            }
        }
        return result
    }

    /// Decodes `%XX` escapes; nil when an escape is malformed or the bytes are not UTF-8.
    public func percentDecoded() -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The last component of a `/` path (what NSString's lastPathComponent gave, trailing slashes ignored).
    public var pathLastComponent: String {
        let trimmed = String(self).trimmingTrailingSlashes()
        if trimmed == "/" { return "/" }
        return trimmed.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? ""
    }

    /// The path without its last component (NSString's deletingLastPathComponent: "" for a bare name, "/" at the root).
    public var pathDeletingLastComponent: String {
        let trimmed = String(self).trimmingTrailingSlashes()
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash]).trimmingTrailingSlashes()
    }

    /// `self` + "/" + `component`, without doubling the slash.
    public func pathAppending(_ component: some StringProtocol) -> String {
        if isEmpty { return String(component) }
        return hasSuffix("/") ? String(self) + component : String(self) + "/" + component
    }
}

extension String {
    /// printf-style formatting through the C library (what String(format:) did for numeric conversions; `%@` and
    /// `%s` with Swift strings are not supported: interpolate strings instead).
    public init(cFormat format: String, _ arguments: CVarArg...) {
        self = withVaList(arguments) { list in
            var buffer = [CChar](repeating: 0, count: 128)
            let needed = Int(vsnprintf(&buffer, buffer.count, format, list))
            if needed < buffer.count { return String(cString: buffer) }
            buffer = [CChar](repeating: 0, count: needed + 1)
            return withVaList(arguments) { again in
                _ = vsnprintf(&buffer, buffer.count, format, again)
                return String(cString: buffer)
            }
        }
    }

    fileprivate func trimmingTrailingSlashes() -> String {
        var result = self
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result
    }
}

/// Byte classes for `percentEncoded(allowing:)`.
public enum PercentEncoding {
    /// RFC 3986 unreserved: ALPHA DIGIT - . _ ~
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// ASCII letters and digits only.
    public static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }

    /// What CharacterSet.urlPathAllowed allowed: unreserved, sub-delims, ":" "@" and "/".
    public static func isPathAllowed(_ byte: UInt8) -> Bool {
        isUnreserved(byte) || "!$&'()*+,;=:@/".utf8.contains(byte)
    }
}

private func asciiLower(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
