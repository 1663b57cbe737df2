import Foundation
import HTTPTransport
import Testing

@Suite struct LoggingTransportTests {
    let secrets = ["hunter2", "url-token-1", "bearer-secret-2", "header-token-3", "cookie-secret-4", "proxy-secret-5"]

    func secretRequest() -> HTTPRequest {
        var request = HTTPRequest(url: URL(string: "http://admin:hunter2@127.0.0.1:\(fixture.httpPort)/echo?access_token=url-token-1&limit=5")!)
        request.headers["Authorization"] = "Bearer bearer-secret-2"
        request.headers["X-Registry-Token"] = "header-token-3"
        request.headers["Cookie"] = "session=cookie-secret-4"
        request.headers["Proxy-Authorization"] = "Basic proxy-secret-5"
        request.headers["Accept"] = "application/json"
        return request
    }

    @Test func level9LogsHeadersButNoSecret() async throws {
        let collector = LogCollector()
        let logging = LoggingTransport(wrapping: CurlTransport(), verbosity: 9, log: { collector.append($0) })
        let response = try await logging.send(secretRequest())
        #expect(response.status == 200)
        let text = collector.lines.joined(separator: "\n")
        for secret in secrets { #expect(!text.contains(secret), "log leaks \(secret)") }
        #expect(text.contains("Authorization: <redacted>"))
        #expect(text.contains("X-Registry-Token: <redacted>"))
        #expect(text.contains("Cookie: <redacted>"))
        #expect(text.contains("Accept: application/json"))
        #expect(text.contains("Response Headers:"))
        #expect(text.contains("Content-Type: application/json"))
        let summary = try #require(collector.lines.first { $0.contains(" 200 OK in ") })
        #expect(summary.hasPrefix("GET http://admin:<redacted>@127.0.0.1:\(fixture.httpPort)/echo?access_token=<redacted>&limit=5 200 OK in "))
        #expect(summary.hasSuffix(" ms"))
    }

    @Test func level6LogsOneLinePerRequestWithoutHeaders() async throws {
        let collector = LogCollector()
        let logging = LoggingTransport(wrapping: CurlTransport(), options: TransportOptions(verbosity: 6, log: { collector.append($0) }))
        _ = try await logging.send(HTTPRequest(url: fixture.httpURL("/status?code=404")))
        #expect(collector.lines.count == 1)
        let line = try #require(collector.lines.first)
        #expect(line.range(of: #"^GET http://127\.0\.0\.1:\d+/status\?code=404 404 Not Found in \d+ ms$"#, options: .regularExpression) != nil, "\(line)")
    }

    @Test func failuresAndStreamsAreLoggedWithoutSecrets() async throws {
        let collector = LogCollector()
        let logging = LoggingTransport(wrapping: CurlTransport(), verbosity: 8, log: { collector.append($0) })
        _ = try? await logging.send(HTTPRequest(url: URL(string: "http://127.0.0.1:1/x?token=url-token-1")!))
        let failure = try #require(collector.lines.last)
        #expect(failure.contains("failed in"))
        #expect(!failure.contains("url-token-1"))

        let stream = try await logging.stream(secretRequest())
        for try await _ in stream.body {}
        let text = collector.lines.joined(separator: "\n")
        for secret in secrets { #expect(!text.contains(secret), "log leaks \(secret)") }
    }

    @Test func belowLevel6NothingIsLogged() async throws {
        let collector = LogCollector()
        let logging = LoggingTransport(wrapping: CurlTransport(), verbosity: 5, log: { collector.append($0) })
        _ = try await logging.send(HTTPRequest(url: fixture.httpURL("/echo")))
        #expect(collector.lines.isEmpty)
    }

    @Test func redactionOfURLsAndHeaders() {
        #expect(Redaction.url(URL(string: "https://u:p@h:6443/a/b?password=x&q=1&X-Amz-Signature=s#frag")!)
            == "https://u:<redacted>@h:6443/a/b?password=<redacted>&q=1&X-Amz-Signature=<redacted>#<redacted>")
        #expect(Redaction.url(URL(string: "https://h/v2/?watch=true")!) == "https://h/v2/?watch=true")
        #expect(Redaction.headerValue(name: "x-auth-TOKEN", value: "v") == "<redacted>")
        #expect(Redaction.headerValue(name: "Content-Type", value: "v") == "v")
    }

    @Test func defaultHeadersFillOnlyWhatIsMissing() async throws {
        let transport = DefaultHeadersTransport(wrapping: CurlTransport(), headers: ["Accept": "application/json", "X-Default": "yes"])
        var request = HTTPRequest(url: fixture.httpURL("/echo"))
        request.headers["Accept"] = "text/plain"
        let echo = try decode(Echo.self, try await transport.send(request))
        #expect(echo.header("Accept") == "text/plain")
        #expect(echo.header("X-Default") == "yes")
    }
}
