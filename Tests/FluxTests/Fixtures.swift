import Foundation
import Testing

/// Locates `shared/` (goldens, CRDs, guide): beside the clone in CI, or further up for git worktrees.
enum Fixtures {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let sharedDirectory: URL? = {
        var directory = packageRoot.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("shared")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("flux-goldens").path) {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    static func shared(_ relativePath: String) throws -> String {
        let directory = try #require(sharedDirectory, "shared/ not found beside the package (looked upwards from \(packageRoot.path))")
        let url = directory.appendingPathComponent(relativePath)
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func sharedPath(_ relativePath: String) throws -> String {
        let directory = try #require(sharedDirectory, "shared/ not found beside the package")
        return directory.appendingPathComponent(relativePath).path
    }

    /// Splits a flux-style command line like a shell would (no quoting needed in the goldens' cases).
    static func arguments(_ line: String) -> [String] {
        line.split(separator: " ").map(String.init)
    }
}
