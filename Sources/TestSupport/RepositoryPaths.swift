import Foundation

/// Locations tests need: the package root (from this file's path) and `Tests/Fixtures`, the test data that lives in
/// the repository (each folder's README names its source).
public enum RepositoryPaths {
    public static let packageRoot: URL = {
        // Sources/TestSupport/RepositoryPaths.swift → package root three levels up.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    public static var fixtures: URL {
        packageRoot.appendingPathComponent("Tests/Fixtures")
    }

    public static func fixture(_ relativePath: String) -> URL {
        fixtures.appendingPathComponent(relativePath)
    }

    /// The text of one fixture file; throws naming the file when it is missing.
    public static func fixtureText(_ relativePath: String) throws -> String {
        let url = fixture(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw FixtureError("fixture \(url.path) is missing or not UTF-8")
        }
        return text
    }

    /// One recorded kube-apiserver exchange from `Tests/Fixtures/kube-api/`.
    public static func recordedExchange(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixture("kube-api/\(name)"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError("recording \(name) is not a JSON object")
        }
        return object
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
