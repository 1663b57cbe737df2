import Foundation
import HTTPTransport
import JSON

/// A `meta/v1 Status` as the API server sends it with every error.
public struct KubeStatus: Sendable, Equatable {
    public struct Cause: Sendable, Equatable {
        public var reason: String?
        public var message: String?
        public var field: String?
    }

    public var message: String
    public var reason: String
    public var code: Int
    public var name: String?
    public var group: String?
    public var kind: String?
    public var causes: [Cause]

    public init(message: String, reason: String, code: Int, name: String? = nil, group: String? = nil, kind: String? = nil, causes: [Cause] = []) {
        self.message = message
        self.reason = reason
        self.code = code
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
    }

    /// Decodes a Status body; nil when the body is not one (a proxy's HTML page, say).
    public init?(json: JSONValue) {
        guard json["kind"]?.stringValue == "Status" else { return nil }
        message = json["message"]?.stringValue ?? ""
        reason = json["reason"]?.stringValue ?? ""
        code = json["code"]?.intValue ?? 0
        let details = json["details"]
        name = details?["name"]?.stringValue
        group = details?["group"]?.stringValue
        kind = details?["kind"]?.stringValue
        causes = (details?["causes"]?.arrayValue ?? []).map {
            Cause(reason: $0["reason"]?.stringValue, message: $0["message"]?.stringValue, field: $0["field"]?.stringValue)
        }
    }
}

/// An error answer from the API server; prints the way kubectl prints it.
public struct KubeAPIError: Error, Sendable, CustomStringConvertible {
    public var status: KubeStatus
    /// The HTTP status code of the answer (equal to `status.code` for real servers).
    public var httpStatus: Int

    public init(status: KubeStatus, httpStatus: Int) {
        self.status = status
        self.httpStatus = httpStatus
    }

    /// Builds the error from any non-2xx answer: a Status body when there is one, else a generic one for the code.
    public init(response: HTTPResponse) {
        if let json = try? JSONValue(parsing: response.body), let status = KubeStatus(json: json) {
            self.init(status: status, httpStatus: response.status)
            return
        }
        let text = String(decoding: response.body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = KubeAPIError.reason(forHTTPStatus: response.status)
        let message = text.isEmpty ? "the server responded with the status code \(response.status) but did not return more information" : text
        self.init(status: KubeStatus(message: message, reason: reason, code: response.status), httpStatus: response.status)
    }

    public var reason: String { status.reason }
    public var isNotFound: Bool { status.reason == "NotFound" || httpStatus == 404 }
    public var isConflict: Bool { status.reason == "Conflict" || httpStatus == 409 }
    public var isAlreadyExists: Bool { status.reason == "AlreadyExists" }
    public var isExpired: Bool { status.reason == "Expired" || status.reason == "Gone" || httpStatus == 410 }

    /// kubectl's wording (StandardErrorMessage): `Error from server (Reason): message`.
    public var description: String {
        if httpStatus == 401 {
            return "error: You must be logged in to the server (\(status.message.isEmpty ? "Unauthorized" : status.message))"
        }
        if status.reason == "Invalid", let kind = status.kind, let name = status.name, !status.causes.isEmpty {
            let lines = status.causes.map { cause -> String in
                let field = cause.field.map { "\($0): " } ?? ""
                return "\(field)\(cause.message ?? "")"
            }
            let head = "The \(kind) \"\(name)\" is invalid: "
            if lines.count == 1 { return head + lines[0] }
            return head + "\n" + lines.map { "* \($0)" }.joined(separator: "\n")
        }
        if status.reason.isEmpty || status.reason == "Unknown" {
            return "Error from server: \(status.message)"
        }
        return "Error from server (\(status.reason)): \(status.message)"
    }

    static func reason(forHTTPStatus code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "Unknown"
        }
    }
}

/// The API server could not be reached at all; worded like kubectl.
public struct KubeConnectionError: Error, Sendable, CustomStringConvertible {
    public var server: String
    public var underlying: TransportError

    public init(server: String, underlying: TransportError) {
        self.server = server
        self.underlying = underlying
    }

    public var description: String {
        switch underlying.kind {
        case .connectionRefused:
            return "The connection to the server \(server) was refused - did you specify the right host or port?"
        default:
            return "Unable to connect to the server \(server): \(underlying.message)"
        }
    }
}
