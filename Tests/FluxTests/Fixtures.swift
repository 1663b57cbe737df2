import Foundation
import Testing
import TestSupport

/// Test data in `Tests/Fixtures` (goldens, CRDs, the guide's objects); each folder's README names its source.
enum Fixtures {
    static func text(_ relativePath: String) throws -> String {
        try RepositoryPaths.fixtureText(relativePath)
    }

    static func path(_ relativePath: String) throws -> String {
        let url = RepositoryPaths.fixture(relativePath)
        try #require(FileManager.default.fileExists(atPath: url.path), "fixture \(url.path) is missing")
        return url.path
    }

    /// Splits a flux-style command line like a shell would (no quoting needed in the goldens' cases).
    static func arguments(_ line: String) -> [String] {
        line.split(separator: " ").map(String.init)
    }
}
