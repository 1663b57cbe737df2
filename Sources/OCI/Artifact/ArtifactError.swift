import Foundation

/// Everything that can go wrong while building, reading, extracting or comparing an artifact.
/// Each message says what failed, on which file or entry, and what to try.
public struct ArtifactError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case pathNotFound
        case unreadable
        case unwritable
        case invalidArchive
        case unsafeEntry
        case sizeLimitExceeded
        case invalidMetadata
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func systemError(_ kind: Kind, _ action: String, _ path: String, errno code: Int32 = errno) -> ArtifactError {
        ArtifactError(kind, "\(action) '\(path)': \(String(cString: strerror(code)))")
    }
}
