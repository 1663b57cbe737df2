import CCurl
import Foundation

/// Everything one attempt needs, worked out from the request and the options before any thread starts.
/// It is handed to exactly one transfer thread, hence `@unchecked Sendable` despite the body reader.
struct TransferPlan: @unchecked Sendable {
    let method: String
    let requestURL: URL
    /// The URL given to libcurl: the host is replaced by `tlsServerName` when one is set.
    let curlURL: String
    /// `name:port:host:port` telling libcurl where the rewritten name really lives.
    let connectTo: String?
    /// `scheme://host:port` for error messages; never a path or query.
    let server: String
    let followsRedirects: Bool
    let timeout: TimeInterval?
    let headerLines: [String]
    let uploadReader: (any HTTPBodyReader)?
    /// nil: no body; -1: unknown length (chunked).
    let uploadLength: Int64?
    /// The proxy for this URL (explicit or from the environment), nil for a direct connection.
    let proxy: String?

    init(request: HTTPRequest, options: TransportOptions, proxies: ProxySelection = ProxySelection()) throws {
        method = request.method.uppercased()
        requestURL = request.url
        server = Self.serverLabel(of: request.url)
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = request.url.host, !host.isEmpty else {
            throw TransportError(kind: .other, server: server, message: "unsupported URL \(Redaction.url(request.url)): only http and https URLs with a host can be requested")
        }
        followsRedirects = method == "GET" || method == "HEAD"
        timeout = request.timeout ?? options.requestTimeout

        var headers = request.headers
        if let name = options.tlsServerName, !name.isEmpty, scheme == "https", name.caseInsensitiveCompare(host) != .orderedSame {
            let port = request.url.port ?? 443
            var components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
            components?.host = name
            curlURL = components?.url?.absoluteString ?? request.url.absoluteString
            connectTo = "\(Self.bracketed(name)):\(port):\(Self.bracketed(host)):\(port)"
            // The server still sees the host the user asked for; only TLS uses the other name.
            if headers["Host"] == nil {
                headers["Host"] = request.url.port.map { "\(Self.bracketed(host)):\($0)" } ?? Self.bracketed(host)
            }
        } else {
            curlURL = request.url.absoluteString
            connectTo = nil
        }

        switch request.body {
        case .empty:
            uploadReader = nil
            // Registries and API servers expect a Content-Length on bodiless POST/PUT/PATCH.
            uploadLength = ["POST", "PUT", "PATCH"].contains(method) ? 0 : nil
        case .bytes(let data):
            uploadReader = DataBodyReader(data)
            uploadLength = Int64(data.count)
        case .file(let path):
            do {
                let reader = try FileBodyReader(path: path)
                uploadReader = reader
                uploadLength = reader.size
            } catch {
                throw TransportError(kind: .other, server: server, message: "\(method) \(Redaction.url(request.url)) not sent: \(error)")
            }
        case .stream(let length, let makeReader):
            do {
                uploadReader = try makeReader()
            } catch {
                throw TransportError(kind: .other, server: server, message: "\(method) \(Redaction.url(request.url)) not sent: the request body could not be opened: \(error)")
            }
            uploadLength = length ?? -1
        }

        var lines: [String] = []
        for (name, value) in headers {
            // A line break would let a value smuggle in headers of its own.
            if name.contains(where: \.isNewline) || value.contains(where: \.isNewline) {
                throw TransportError(kind: .other, server: server, message: "\(method) \(Redaction.url(request.url)) not sent: header \(name) contains a line break")
            }
            // libcurl frames the body itself; a second, possibly wrong, length would corrupt the request.
            let lower = name.lowercased()
            if lower == "content-length" || lower == "transfer-encoding" { continue }
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // No "Expect: 100-continue" round trip before large uploads: our servers answer errors anyway.
        if headers["Expect"] == nil { lines.append("Expect:") }
        headerLines = lines

        proxy = proxies.proxy(for: request.url, explicitProxy: options.proxyURL)
    }

    static func serverLabel(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "https"
        let host = url.host ?? "unknown-host"
        let port = url.port ?? (scheme == "http" ? 80 : 443)
        return "\(scheme)://\(bracketed(host)):\(port)"
    }

    static func bracketed(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    /// A TransportError whose message says what failed in words and quotes libcurl's own explanation.
    func error(for code: CURLcode, transfer: CurlTransfer) -> TransportError {
        let detail = transfer.errorText.isEmpty ? String(cString: ccurl_easy_strerror(code)) : transfer.errorText
        if transfer.isCancelled {
            return TransportError(kind: .cancelled, server: server, message: "\(method) request was cancelled")
        }
        if let uploadError = transfer.uploadError {
            return TransportError(kind: .other, server: server, message: "\(method) request body could not be read: \(uploadError)")
        }
        let mentionsProxy = proxy != nil && detail.lowercased().contains("proxy")
        // With a proxy every connection goes to the proxy, so a failed connect is the proxy's.
        switch code {
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_PROXY:
            return TransportError(kind: .proxy, server: server, message: "the proxy failed: \(detail)")
        case CURLE_COULDNT_CONNECT where proxy != nil:
            return TransportError(kind: .proxy, server: server, message: "could not connect to the proxy \(Redaction.url(URL(string: proxy!) ?? requestURL)): \(detail)")
        case CURLE_COULDNT_CONNECT:
            return TransportError(kind: .connectionRefused, server: server, message: "could not connect; is the server running and the port right? (\(detail))")
        case CURLE_COULDNT_RESOLVE_HOST:
            return TransportError(kind: .couldNotResolveHost, server: server, message: "could not resolve the host name; check the server address (\(detail))")
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError(kind: .timedOut, server: server, message: "the request timed out (\(detail))")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return TransportError(kind: .tls, server: server, message: "TLS failed: \(detail); check the certificate authority, client certificate and server name")
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return TransportError(kind: .other, server: server, message: "the connection broke: \(detail)", isConnectionLevel: true)
        default:
            return TransportError(kind: mentionsProxy ? .proxy : .other, server: server, message: "\(method) request failed: \(detail)")
        }
    }
}
