import Foundation

/// Locations tests need: the package root (from this file's path) and `shared/`, which CI places beside the clone.
public enum RepositoryPaths {
    public static let packageRoot: URL = {
        // Sources/TestSupport/RepositoryPaths.swift → package root three levels up.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    public static var shared: URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    public static func shared(_ relativePath: String) -> URL {
        shared.appendingPathComponent(relativePath)
    }

    /// One recorded kube-apiserver exchange from `shared/kube-api/`.
    public static func recordedExchange(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: shared("kube-api/\(name)"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}
