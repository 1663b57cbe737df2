import Foundation
import HTTPTransport

/// Every failure of the registry client, written for a person:
/// `push to HOST/REPO failed: PUT manifest: MANIFEST_INVALID: message`.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The `oci://` reference could not be parsed.
        case invalidReference
        /// A credential file, helper or `--creds` value could not be used.
        case credentials
        /// The registry refused our credentials (401/403 after authenticating).
        case unauthorized
        /// The registry answered 404 / *_UNKNOWN.
        case notFound
        /// Any other error answer of the registry.
        case server
        /// The bytes we got do not match the digest we expected.
        case digestMismatch
        /// Nothing was answered (connection, TLS, timeout).
        case transport
        /// A local file could not be read or written.
        case localIO
        /// A request was refused on our side before sending (e.g. credentials over plain HTTP).
        case refused
    }

    public var kind: Kind
    /// What the user asked for, e.g. `push to ghcr.io/org/app`; set by the high-level operations.
    public var action: String?
    /// The failing step, e.g. `PUT manifest`, `HEAD blob sha256:…`.
    public var operation: String?
    /// HTTP status, when the registry answered.
    public var status: Int?
    /// The registry's error code (`MANIFEST_INVALID`, `UNAUTHORIZED`, …).
    public var code: String?
    public var message: String
    /// What went wrong below HTTP, for `.transport` errors.
    public var transportKind: TransportError.Kind?
    /// The registry's `Retry-After` in seconds (429/503).
    public var retryAfter: TimeInterval?

    public init(kind: Kind, action: String? = nil, operation: String? = nil, status: Int? = nil, code: String? = nil, message: String) {
        self.kind = kind
        self.action = action
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String {
        var text = ""
        if let action { text += "\(action) failed: " }
        if let operation { text += "\(operation): " }
        if let code { text += "\(code): " }
        text += message
        return text
    }

    /// The same error with the user's action as prefix (keeps an inner action if one is already set).
    func within(action: String) -> RegistryError {
        var copy = self
        if copy.action == nil { copy.action = action }
        return copy
    }

    /// Whether retrying the same step could succeed: server trouble, throttling, dropped connections.
    var isRetryable: Bool {
        switch kind {
        case .transport:
            // A certificate or name problem does not go away by asking again.
            // A timed-out or stalled request is not sent again: its bound is the user's (--request-timeout) or the
            // stall limit's, and a registry that stopped answering will not answer a second time sooner.
            return ![.tls, .couldNotResolveHost, .proxy, .cancelled, .timedOut].contains(transportKind ?? .other)
        case .server:
            guard let status else { return false }
            return status == 429 || status >= 500
        default:
            return false
        }
    }

    /// Turns an error answer into a typed error: the `{"errors":[…]}` body when there is one, else the status line.
    static func fromResponse(status: Int, body: Data, operation: String) -> RegistryError {
        struct Envelope: Decodable {
            struct Entry: Decodable { var code: String?; var message: String? }
            var errors: [Entry]?
        }
        let kind: Kind
        switch status {
        case 401, 403: kind = .unauthorized
        case 404: kind = .notFound
        default: kind = .server
        }
        if let envelope = try? JSONDecoder().decode(Envelope.self, from: body), let entries = envelope.errors, !entries.isEmpty {
            let first = entries[0]
            var message = first.message ?? "no message"
            // Several errors are rare; keep them on one line.
            for extra in entries.dropFirst() {
                message += "; \(extra.code ?? "ERROR"): \(extra.message ?? "no message")"
            }
            let code = first.code ?? "HTTP_\(status)"
            let refinedKind: Kind = code.hasSuffix("_UNKNOWN") && kind == .server ? .notFound : kind
            return RegistryError(kind: refinedKind, operation: operation, status: status, code: code, message: oneLine(message))
        }
        var message = "unexpected status \(status)\(reasonPhrases[status].map { " \($0)" } ?? "")"
        if status == 401 { message += " (check the credentials: --creds, docker login or the auth file)" }
        if status == 403 { message += " (the credentials lack access to this repository)" }
        return RegistryError(kind: kind, operation: operation, status: status, message: message)
    }

    /// A `Retry-After` of delay-seconds (registries send no dates).
    static func retryAfter(_ headers: HTTPHeaders) -> TimeInterval? {
        headers["Retry-After"].flatMap { TimeInterval($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    static func fromTransport(_ error: Error, operation: String) -> RegistryError {
        if let registryError = error as? RegistryError {
            var copy = registryError
            if copy.operation == nil { copy.operation = operation }
            return copy
        }
        if let transportError = error as? TransportError {
            var converted = RegistryError(kind: .transport, operation: operation, message: transportError.description)
            converted.transportKind = transportError.kind
            return converted
        }
        return RegistryError(kind: .transport, operation: operation, message: oneLine(String(describing: error)))
    }

    private static let reasonPhrases: [Int: String] = [
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        409: "Conflict", 413: "Payload Too Large", 416: "Range Not Satisfiable", 429: "Too Many Requests",
        500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
    ]

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
