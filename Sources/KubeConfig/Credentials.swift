import Foundation

/// What a request carries to prove who it is. `description` never shows the secret.
public enum Credential: Sendable, Equatable, CustomStringConvertible {
    case none
    case bearerToken(String)
    case basic(username: String, password: String)
    /// A client certificate pair handed over by an exec plugin (kubeconfig certificates go to TransportOptions).
    case clientCertificate(certificatePEM: Data, keyPEM: Data)

    /// The `Authorization` header value, when this credential is a header.
    public var authorizationHeaderValue: String? {
        switch self {
        case let .bearerToken(token): return "Bearer \(token)"
        case let .basic(username, password): return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .none, .clientCertificate: return nil
        }
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .bearerToken: return "bearer token (redacted)"
        case let .basic(username, _): return "basic auth for \(username) (password redacted)"
        case .clientCertificate: return "client certificate"
        }
    }
}

/// Supplies the credential for each request. The API client calls `invalidate` after a 401 so the next call
/// fetches a fresh credential (an exec plugin runs again), then retries once.
public protocol CredentialProvider: Sendable {
    /// For `check` and verbose logs, e.g. "bearer token", "exec plugin aws-iam-authenticator".
    var authDescription: String { get }
    func credential() async throws -> Credential
    /// Forgets `rejected` if it is still the cached credential (nil: forget whatever is cached). Several requests
    /// failing with the same credential therefore cause a single refresh.
    func invalidate(_ rejected: Credential?)
}

extension CredentialProvider {
    public func invalidate() { invalidate(nil) }
}

/// A credential that never changes (kubeconfig or flag token, basic auth, oidc id-token, nothing at all).
public struct StaticCredentialProvider: CredentialProvider {
    public let authDescription: String
    private let value: Credential

    public init(_ credential: Credential, description: String) {
        self.value = credential
        self.authDescription = description
    }

    public func credential() async throws -> Credential { value }
    public func invalidate(_ rejected: Credential?) {}
}

/// A provider that always fails (a removed auth provider): the error surfaces on the first request.
struct FailingCredentialProvider: CredentialProvider {
    let authDescription: String
    let error: KubeConfigError

    func credential() async throws -> Credential { throw error }
    func invalidate(_ rejected: Credential?) {}
}

/// Small lock-protected box (no actors: `invalidate` must be synchronous).
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// A bearer token read from a file (`tokenFile`, the in-cluster service account token). The file is read again
/// whenever its modification time changes, so rotated tokens are picked up; if a re-read fails, the last good token
/// is kept.
public final class TokenFileCredentialProvider: CredentialProvider, @unchecked Sendable {
    public let path: String
    public var authDescription: String { "token file \(path)" }
    private let fileSystem: any KubeFileSystem
    private struct State {
        var token: String?
        var modificationDate: Date?
    }
    private let state = Locked(State())

    public init(path: String, fileSystem: any KubeFileSystem) {
        self.path = path
        self.fileSystem = fileSystem
    }

    /// Reads the file now; used when the client is built so a missing file fails early, as in kubectl.
    public func prime() throws {
        _ = try currentToken()
    }

    public func credential() async throws -> Credential {
        .bearerToken(try currentToken())
    }

    public func invalidate(_ rejected: Credential?) {
        state.withLock { $0.modificationDate = nil }
    }

    private func currentToken() throws -> String {
        try state.withLock { state in
            let modified = fileSystem.modificationDate(of: path)
            if let token = state.token, let modified, modified == state.modificationDate { return token }
            do {
                let data = try fileSystem.contents(of: path)
                let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                state.token = token
                state.modificationDate = modified
                return token
            } catch let error as FileAccessError {
                if let token = state.token { return token }
                throw KubeConfigError(.other, error.description)
            }
        }
    }
}
