import Foundation
import JSON

/// Where a kind lives in the API: group, version, plural, scope.
public struct APIResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var plural: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool = true) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `ocirepositories.source.toolkit.fluxcd.io`, the name kubectl and the server use in messages.
    public var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public var description: String { qualifiedPlural }

    public func withVersion(_ version: String) -> APIResource {
        var copy = self
        copy.version = version
        return copy
    }

    /// `/apis/G/V[/namespaces/NS]/PLURAL[/NAME[/SUB]]`; a nil namespace on a namespaced kind means all namespaces.
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace {
            path += "/namespaces/\(APIResource.escape(namespace))"
        }
        path += "/\(plural)"
        if let name {
            path += "/\(APIResource.escape(name))"
            if let subresource { path += "/\(subresource)" }
        }
        return path
    }

    static func escape(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }

    public static let namespaces = APIResource(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    public static let selfSubjectAccessReviews = APIResource(
        group: "authorization.k8s.io", version: "v1", plural: "selfsubjectaccessreviews", kind: "SelfSubjectAccessReview", namespaced: false)
}

/// Query parameters shared by list and watch.
public struct ListOptions: Sendable, Equatable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    public var resourceVersion: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
                resourceVersion: String? = nil, timeoutSeconds: Int? = nil, allowWatchBookmarks: Bool = false) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
    }

    var queryItems: [URLQueryItem] {
        var items: [URLQueryItem] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(URLQueryItem(name: "labelSelector", value: labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(URLQueryItem(name: "fieldSelector", value: fieldSelector)) }
        if let limit { items.append(URLQueryItem(name: "limit", value: String(limit))) }
        if let continueToken { items.append(URLQueryItem(name: "continue", value: continueToken)) }
        if let resourceVersion { items.append(URLQueryItem(name: "resourceVersion", value: resourceVersion)) }
        if let timeoutSeconds { items.append(URLQueryItem(name: "timeoutSeconds", value: String(timeoutSeconds))) }
        if allowWatchBookmarks { items.append(URLQueryItem(name: "allowWatchBookmarks", value: "true")) }
        return items
    }
}

public enum PatchType: String, Sendable {
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
    case apply = "application/apply-patch+yaml"
}

/// One page of a list, or all pages joined.
public struct ObjectList: Sendable {
    public var items: [JSONValue]
    public var resourceVersion: String
    public var continueToken: String?

    public init(items: [JSONValue], resourceVersion: String, continueToken: String? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }
}

public struct WatchEvent: Sendable, Equatable {
    public enum EventType: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR"
    }

    public var type: EventType
    public var object: JSONValue

    public init(type: EventType, object: JSONValue) {
        self.type = type
        self.object = object
    }

    public var resourceVersion: String? { object.value(at: "metadata.resourceVersion")?.stringValue }
}
