import Foundation

/// A Kubernetes `metav1.Duration`: parsed from the CRD syntax (`1h30m`, `90s`, `1.5m`) and printed the way Go's
/// `time.Duration.String()` does (`1m0s`, `1h0m0s`, `500ms`), which is what flux writes into exported YAML.
public struct GoDuration: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = GoDuration(nanoseconds: 0)
    public static func seconds(_ value: Int64) -> GoDuration { GoDuration(nanoseconds: value * 1_000_000_000) }
    public static func minutes(_ value: Int64) -> GoDuration { .seconds(value * 60) }
    public static func hours(_ value: Int64) -> GoDuration { .seconds(value * 3600) }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    static let examples = "examples: 30s, 1m, 1h30m"

    /// Parses a flag value; the error names the flag. Accepts the CRD pattern `^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
    /// and a bare `0`. Values below 1ms are refused because Go would print them in µs/ns, which the CRDs reject.
    public static func parse(_ text: String, flag: String) throws -> GoDuration {
        guard let nanoseconds = parseNanoseconds(text) else {
            throw FluxError.invalidFlag(flag: flag, value: text, reason: "not a duration (\(examples))")
        }
        if nanoseconds > 0 && nanoseconds < 1_000_000 {
            throw FluxError.invalidFlag(flag: flag, value: text, reason: "must be 0 or at least 1ms")
        }
        return GoDuration(nanoseconds: nanoseconds)
    }

    /// Lenient parse of a value read from the API (e.g. `5m`), or nil when it is not a duration.
    public init?(kubernetesValue text: String) {
        guard let nanoseconds = GoDuration.parseNanoseconds(text) else { return nil }
        self.nanoseconds = nanoseconds
    }

    private static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("ms", 1_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
    ]

    private static func parseNanoseconds(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var index = 0
        var total: Int64 = 0
        func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
        while index < bytes.count {
            let integerStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            guard index > integerStart else { return nil }
            let integerDigits = bytes[integerStart..<index]
            var fractionDigits: ArraySlice<UInt8> = []
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                guard index > fractionStart else { return nil }
                fractionDigits = bytes[fractionStart..<index]
            }
            let rest = bytes[index...]
            guard let unit = units.first(where: { rest.starts(with: $0.suffix.utf8) }) else { return nil }
            index += unit.suffix.utf8.count
            // Integer part: exact, with overflow detection.
            var whole: Int64 = 0
            for digit in integerDigits {
                let (times10, overflow1) = whole.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times10.addingReportingOverflow(Int64(digit - 48))
                if overflow1 || overflow2 { return nil }
                whole = plus
            }
            let (scaled, overflow3) = whole.multipliedReportingOverflow(by: unit.nanoseconds)
            if overflow3 { return nil }
            // Fraction: like Go, exact enough for nanoseconds (digits beyond 18 do not matter).
            var fraction: Int64 = 0
            var scale: Double = 1
            for digit in fractionDigits.prefix(18) {
                fraction = fraction * 10 + Int64(digit - 48)
                scale *= 10
            }
            let fractionalNanoseconds = Int64(Double(fraction) * (Double(unit.nanoseconds) / scale))
            let (partial, overflow4) = scaled.addingReportingOverflow(fractionalNanoseconds)
            let (sum, overflow5) = total.addingReportingOverflow(partial)
            if overflow4 || overflow5 { return nil }
            total = sum
        }
        return total
    }

    /// Go's `time.Duration.String()`.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        let magnitude = nanoseconds.magnitude
        var text: String
        if magnitude < 1_000_000_000 {
            // Sub-second: the largest of ns, µs, ms that keeps an integer part.
            if magnitude < 1_000 {
                text = "\(magnitude)ns"
            } else if magnitude < 1_000_000 {
                text = GoDuration.decimal(magnitude, fractionDigits: 3) + "µs"
            } else {
                text = GoDuration.decimal(magnitude, fractionDigits: 6) + "ms"
            }
        } else {
            let totalSeconds = magnitude / 1_000_000_000
            let fractional = magnitude % 1_000_000_000
            let hours = totalSeconds / 3600
            let minutes = (totalSeconds % 3600) / 60
            let seconds = totalSeconds % 60
            let secondsText = GoDuration.decimal(seconds * 1_000_000_000 + fractional, fractionDigits: 9) + "s"
            if hours > 0 {
                text = "\(hours)h\(minutes)m" + secondsText
            } else if minutes > 0 {
                text = "\(minutes)m" + secondsText
            } else {
                text = secondsText
            }
        }
        if negative { text = "-" + text }
        return text
    }

    /// `value / 10^fractionDigits` with trailing zeros (and a bare dot) removed.
    private static func decimal(_ value: UInt64, fractionDigits: Int) -> String {
        var divisor: UInt64 = 1
        for _ in 0..<fractionDigits { divisor *= 10 }
        let whole = value / divisor
        var fraction = String(value % divisor)
        guard fraction != "0" else { return "\(whole)" }
        fraction = String(repeating: "0", count: fractionDigits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = GoDuration(kubernetesValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(goQuoted(text)) is not a duration")
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
