import Foundation

/// Removes secrets from what we show people: header values, URL passwords and credential-like query parameters.
public enum Redaction {
    public static let placeholder = "<redacted>"

    /// Whether a header's value is a secret: credentials, cookies, and anything named like a token or key.
    public static func isSensitiveHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["authorization", "proxy-authorization", "cookie", "set-cookie", "www-authenticate"].contains(lower) {
            // WWW-Authenticate carries no secret but may echo scopes; it stays visible.
            return lower != "www-authenticate"
        }
        return ["token", "secret", "password", "api-key", "apikey", "credential"].contains { lower.contains($0) }
    }

    public static func headerValue(name: String, value: String) -> String {
        isSensitiveHeader(name) ? placeholder : value
    }

    /// Whether a query parameter carries a credential (access_token, token, password, signed-URL signatures…).
    public static func isSensitiveQueryParameter(_ name: String) -> Bool {
        let lower = name.lowercased()
        if ["sig", "key", "pass", "pwd", "passwd"].contains(lower) { return true }
        return ["token", "password", "secret", "signature", "credential", "api_key", "apikey"].contains { lower.contains($0) }
    }

    /// The URL as text with the userinfo password and credential query values replaced by `<redacted>`.
    public static func url(_ url: URL) -> String {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<unparseable URL>" }
        var text = ""
        if let scheme = components.scheme { text += scheme + "://" }
        if let user = components.percentEncodedUser {
            text += user
            if components.percentEncodedPassword != nil { text += ":" + placeholder }
            text += "@"
        }
        if let host = components.percentEncodedHost {
            text += host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
        if let port = components.port { text += ":\(port)" }
        text += components.percentEncodedPath
        if let items = components.percentEncodedQueryItems {
            let query = items.map { item -> String in
                guard let value = item.value else { return item.name }
                let name = item.name.removingPercentEncoding ?? item.name
                return "\(item.name)=\(isSensitiveQueryParameter(name) ? placeholder : value)"
            }
            text += "?" + query.joined(separator: "&")
        }
        // Fragments never reach the server but may hold OAuth tokens.
        if components.percentEncodedFragment != nil { text += "#" + placeholder }
        return text
    }
}
