import Foundation
import Semver
import Testing
@testable import Flux

@Suite struct DurationTests {
    @Test(arguments: [
        ("1m", "1m0s"), ("1h", "1h0m0s"), ("90s", "1m30s"), ("500ms", "500ms"), ("0", "0s"), ("0s", "0s"),
        ("10m", "10m0s"), ("1h30m", "1h30m0s"), ("1.5h", "1h30m0s"), ("2h45m30s", "2h45m30s"), ("1500ms", "1.5s"),
        ("1.25s", "1.25s"), ("60s", "1m0s"), ("3600s", "1h0m0s"), ("25h", "25h0m0s"), ("1m30.5s", "1m30.5s"),
        ("1.5ms", "1.5ms"), ("5m0s", "5m0s"), ("100h", "100h0m0s"),
    ])
    func goStylePrinting(_ input: String, _ expected: String) throws {
        #expect(try GoDuration.parse(input, flag: "--interval").description == expected)
    }

    @Test(arguments: ["5 minutes", "", "1d", "m", "1.m", "-1m", "1m ", "1us", "10", ".5s", "1e3s"])
    func rejected(_ input: String) {
        #expect(throws: FluxError.invalidFlag(flag: "--interval", value: input, reason: "not a duration (examples: 30s, 1m, 1h30m)")) {
            try GoDuration.parse(input, flag: "--interval")
        }
    }

    @Test func subMillisecondAndOverflow() {
        #expect(throws: FluxError.invalidFlag(flag: "--timeout", value: "0.5ms", reason: "must be 0 or at least 1ms")) {
            try GoDuration.parse("0.5ms", flag: "--timeout")
        }
        #expect(throws: FluxError.self) { try GoDuration.parse("9999999999999h", flag: "--interval") }
        #expect(GoDuration(nanoseconds: 1_500).description == "1.5µs")
        #expect(GoDuration(nanoseconds: 7).description == "7ns")
        #expect(GoDuration(nanoseconds: -90_000_000_000).description == "-1m30s")
    }
}

@Suite struct SemverTests {
    static func matches(_ range: String, _ version: String) throws -> Bool {
        try SemverRange(parsing: range).contains(#require(SemverVersion(version)))
    }

    @Test(arguments: [
        (">=1.0.0 <2.0.0", "1.0.0", true), (">=1.0.0 <2.0.0", "1.9.9", true), (">=1.0.0 <2.0.0", "2.0.0", false),
        (">=1.0.0, <2.0.0", "1.5.0", true), (">= 1.0.0 < 2.0.0", "0.9.0", false),
        ("~1.2", "1.2.9", true), ("~1.2", "1.3.0", false), ("~1.2.3", "1.2.2", false), ("~1", "1.9.0", true), ("~>1.2", "1.2.5", true),
        ("^1.2.3", "1.9.0", true), ("^1.2.3", "2.0.0", false), ("^1.2.3", "1.2.2", false),
        ("^0.2.3", "0.2.9", true), ("^0.2.3", "0.3.0", false), ("^0.0.3", "0.0.4", false), ("^0", "0.9.9", true),
        ("1.x", "1.99.0", true), ("1.x", "2.0.0", false), ("1.2.x", "1.2.7", true), ("1.2.X", "1.3.0", false),
        ("*", "42.0.0", true), ("*", "1.0.0-rc.1", false), ("x", "0.0.1", true),
        ("1.2.3 - 2.3.4", "2.3.4", true), ("1.2.3 - 2.3.4", "2.3.5", false), ("1.2 - 2.3", "2.3.9", true), ("1.2 - 2.3", "1.1.9", false),
        ("<1.0.0 || >=3.0.0", "0.5.0", true), ("<1.0.0 || >=3.0.0", "2.0.0", false), ("<1.0.0 || >=3.0.0", "3.1.0", true),
        (">=1.0.0", "1.1.0-rc.1", false), (">=1.0.0-0", "1.1.0-rc.1", true), (">=1.0.0-alpha", "1.0.0-beta", true),
        (">=1.0.0-beta", "1.0.0-alpha", false), ("1.2.3", "1.2.3", true), ("=1.2.3", "1.2.4", false), ("!=1.2.3", "1.2.4", true),
        (">1.2", "1.2.9", false), (">1.2", "1.3.0", true), ("<=1.2", "1.2.9", true), ("<=1.2", "1.3.0", false),
        ("v1.2.3", "1.2.3", true), (">=1.0.0", "v1.5.0", true), ("6.3.x", "6.3.5", true),
    ])
    func ranges(_ range: String, _ version: String, _ expected: Bool) throws {
        #expect(try Self.matches(range, version) == expected, "\(range) ∋ \(version)")
    }

    @Test(arguments: ["", ">=", "1.2.3.4", "abc", ">=1.0.0 <", "1.2.3 -", "||", "1.0.0 || ", "01.2.3", "1.2.3-", "1.2.3-01", "^"])
    func invalidRanges(_ range: String) {
        #expect(throws: SemverError.self, "\(range)") { try SemverRange(parsing: range) }
    }

    @Test func precedence() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
                       "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1"].map { SemverVersion($0)! }
        #expect(ordered == ordered.sorted())
        #expect(SemverVersion("1.0.0+build.5") == SemverVersion("1.0.0"))
        #expect(try SemverRange(parsing: "^6.0.0").bestMatch(in: ["6.3.5", "latest", "6.10.0", "7.0.0", "6.11.0-rc.1"]) == "6.10.0")
    }
}
