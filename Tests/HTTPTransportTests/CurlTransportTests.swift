import Foundation
@testable import HTTPTransport
import Testing

@Suite struct CurlTransportTests {
    let transport = CurlTransport(options: TransportOptions(userAgent: "kubectl-gitops/test"))

    @Test func methodsHeadersAndUserAgentReachTheServer() async throws {
        var request = HTTPRequest(method: "PATCH", url: fixture.httpURL("/echo?a=1"), body: .bytes(Data("hello".utf8)))
        request.headers["Content-Type"] = "application/merge-patch+json"
        request.headers.add("X-Twice", "one")
        request.headers.add("X-Twice", "two")
        let echo = try decode(Echo.self, try await transport.send(request))
        #expect(echo.method == "PATCH")
        #expect(echo.query == "a=1")
        #expect(echo.bodyBytes == 5)
        #expect(!echo.chunked)
        #expect(echo.header("User-Agent") == "kubectl-gitops/test")
        #expect(echo.header("Content-Type") == "application/merge-patch+json")
        #expect(echo.headers.filter { $0[0] == "X-Twice" }.map { $0[1] } == ["one", "two"])
        #expect(echo.header("Expect") == nil)
    }

    @Test func bodilessPostSendsContentLengthZeroAndDeleteAndHeadWork() async throws {
        let post = try decode(Echo.self, try await transport.send(HTTPRequest(method: "POST", url: fixture.httpURL("/echo"))))
        #expect(post.method == "POST")
        #expect(post.header("Content-Length") == "0")
        let delete = try decode(Echo.self, try await transport.send(HTTPRequest(method: "DELETE", url: fixture.httpURL("/echo"))))
        #expect(delete.method == "DELETE")
        let head = try await transport.send(HTTPRequest(method: "HEAD", url: fixture.httpURL("/echo")))
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["Content-Type"] == "application/json")
    }

    @Test func gzipBodiesAreDecodedUnlessCompressionIsDisabled() async throws {
        let expected = String(repeating: "the quick brown fox jumps over the lazy dog\n", count: 2000)
        let compressed = try await transport.send(HTTPRequest(url: fixture.httpURL("/gzip")))
        #expect(compressed.headers["Content-Encoding"] == "gzip")
        #expect(Int(compressed.headers["Content-Length"] ?? "") ?? .max < expected.utf8.count)
        #expect(String(decoding: compressed.body, as: UTF8.self) == expected)

        let plain = CurlTransport(options: TransportOptions(disableCompression: true))
        let uncompressed = try await plain.send(HTTPRequest(url: fixture.httpURL("/gzip")))
        #expect(uncompressed.headers["Content-Encoding"] == nil)
        #expect(String(decoding: uncompressed.body, as: UTF8.self) == expected)
        let echo = try decode(Echo.self, try await plain.send(HTTPRequest(url: fixture.httpURL("/echo"))))
        #expect(echo.header("Accept-Encoding") == nil)
    }

    @Test func streamedResponseLinesArriveBeforeTheStreamEnds() async throws {
        let response = try await transport.stream(HTTPRequest(url: fixture.httpURL("/lines?count=4&interval=200")))
        #expect(response.status == 200)
        var numbers: [Int] = []
        for try await line in response.lines {
            let object = try JSONSerialization.jsonObject(with: line) as? [String: Any]
            numbers.append(object?["n"] as? Int ?? -1)
        }
        #expect(numbers == [0, 1, 2, 3])
    }

    @Test func aStreamedLineIsDeliveredWhileTheServerStillHoldsTheRest() async throws {
        // The server sends line 0, then waits for us to open its gate: only a transport that hands over
        // lines as they arrive lets us do that; one that waits for the end would see the server give up.
        let gate = uniqueKey()
        let response = try await transport.stream(HTTPRequest(url: fixture.httpURL("/lines?count=2&gate=\(gate)")))
        var lines: [[String: Any]] = []
        for try await line in response.lines {
            lines.append(try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:])
            if lines.count == 1 {
                _ = try await transport.send(HTTPRequest(url: fixture.httpURL("/open?gate=\(gate)")))
            }
        }
        #expect(lines.count == 2)
        #expect(lines.first?["n"] as? Int == 0)
        #expect(lines.last?["released"] as? Bool == true)
    }

    @Test func cancelStopsAStreamedResponse() async throws {
        let response = try await transport.stream(HTTPRequest(url: fixture.httpURL("/lines?count=1000&interval=50")))
        var received = 0
        for try await _ in response.lines {
            received += 1
            if received == 2 { response.cancel() }
        }
        // The server would send 1000 lines over 50 s; ending long before shows the cancel stopped the transfer
        // (lines already buffered may still arrive, so the bound is functional, not a timing target).
        #expect(received < 1000)
    }

    @Test func cancellingTheTaskAbortsSend() async throws {
        let task = Task { try await transport.send(HTTPRequest(url: fixture.httpURL("/slow?ms=5000"))) }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        // Without the abort the server's answer after 5 s would arrive as a success.
        let result = await task.result
        let error = try #require(result.failure as? TransportError)
        #expect(error.kind == .cancelled)
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let first = try decode(Echo.self, try await transport.send(HTTPRequest(url: fixture.httpURL("/echo"))))
        let second = try decode(Echo.self, try await transport.send(HTTPRequest(url: fixture.httpURL("/echo"))))
        #expect(first.clientPort == second.clientPort)
        #expect(first.connection == second.connection)
        #expect(second.requestOnConnection == first.requestOnConnection + 1)
    }

    @Test func getFollowsRedirectsAndKeepsAuthorizationOnTheSameHost() async throws {
        let target = fixture.httpURL("/echo").absoluteString
        var request = HTTPRequest(url: fixture.httpURL("/redirect?to=\(target)"))
        request.headers["Authorization"] = "Bearer same-host"
        let response = try await transport.send(request)
        #expect(response.status == 200)
        #expect(response.url == fixture.httpURL("/echo"))
        #expect(try decode(Echo.self, response).header("Authorization") == "Bearer same-host")
    }

    @Test func redirectToAnotherHostDropsAuthorization() async throws {
        let target = "http://localhost:\(fixture.httpPort)/echo"
        var request = HTTPRequest(url: fixture.httpURL("/redirect?to=\(target)"))
        request.headers["Authorization"] = "Bearer must-not-leak"
        let response = try await transport.send(request)
        #expect(response.status == 200)
        #expect(response.url?.host == "localhost")
        #expect(try decode(Echo.self, response).header("Authorization") == nil)
    }

    @Test func nonGetRequestsDoNotFollowRedirects() async throws {
        let target = fixture.httpURL("/echo").absoluteString
        let response = try await transport.send(HTTPRequest(method: "POST", url: fixture.httpURL("/redirect?to=\(target)&code=307"), body: .bytes(Data("x".utf8))))
        #expect(response.status == 307)
        #expect(response.headers["Location"] == target)
    }

    @Test func streamedResponseHeadComesFromTheRedirectTarget() async throws {
        let target = fixture.httpURL("/lines?count=2&interval=10").absoluteString
        let response = try await transport.stream(HTTPRequest(url: fixture.httpURL("/redirect?to=\(target)")))
        #expect(response.status == 200)
        var lines = 0
        for try await _ in response.lines { lines += 1 }
        #expect(lines == 2)
    }

    @Test func refusedConnectionIsReported() async throws {
        let error = try await #require(throws: TransportError.self) {
            try await transport.send(HTTPRequest(url: URL(string: "http://127.0.0.1:1/api?token=x")!))
        }
        #expect(error.kind == .connectionRefused)
        #expect(error.server == "http://127.0.0.1:1")
        #expect(RetryingTransport.isRetryable(error))
    }

    @Test func unknownHostIsReported() async throws {
        let error = try await #require(throws: TransportError.self) {
            try await transport.send(HTTPRequest(url: URL(string: "http://no-such-host.invalid/")!))
        }
        #expect(error.kind == .couldNotResolveHost)
        #expect(error.server == "http://no-such-host.invalid:80")
    }

    @Test func requestTimeoutFromTheRequestOrTheOptions() async throws {
        let perRequest = try await #require(throws: TransportError.self) {
            try await transport.send(HTTPRequest(url: fixture.httpURL("/slow?ms=3000"), timeout: 0.3))
        }
        #expect(perRequest.kind == .timedOut)
        let defaulted = CurlTransport(options: TransportOptions(requestTimeout: 0.3))
        let fromOptions = try await #require(throws: TransportError.self) {
            try await defaulted.send(HTTPRequest(url: fixture.httpURL("/slow?ms=3000")))
        }
        #expect(fromOptions.kind == .timedOut)
    }

    @Test func droppedConnectionIsAConnectionLevelFailure() async throws {
        let error = try await #require(throws: TransportError.self) {
            try await transport.send(HTTPRequest(url: fixture.httpURL("/drop")))
        }
        #expect(error.isConnectionLevel)
        #expect(RetryingTransport.isRetryable(error))
    }

    @Test func unreachableExplicitProxyIsAProxyError() async throws {
        let proxied = CurlTransport(options: TransportOptions(proxyURL: "http://127.0.0.1:1"))
        let error = try await #require(throws: TransportError.self) {
            try await proxied.send(HTTPRequest(url: fixture.httpURL("/echo")))
        }
        #expect(error.kind == .proxy)
        #expect(error.message.contains("proxy"))
    }

    @Test func environmentProxiesAreUsedButNeverForLoopback() async throws {
        let deadProxy = ProxySelection(environment: ["http_proxy": "http://127.0.0.1:1", "HTTPS_PROXY": "http://127.0.0.1:1"])
        let direct = CurlTransport(proxies: deadProxy)
        #expect(try await direct.send(HTTPRequest(url: fixture.httpURL("/echo"))).status == 200)

        let viaFixture = ProxySelection(environment: ["HTTP_PROXY": "http://127.0.0.1:\(fixture.httpPort)"])
        let echo = try decode(Echo.self, try await CurlTransport(proxies: viaFixture).send(HTTPRequest(url: URL(string: "http://registry.invalid/echo")!)))
        #expect(echo.proxiedHost == "registry.invalid")

        let bypassed = ProxySelection(environment: ["HTTP_PROXY": "http://127.0.0.1:\(fixture.httpPort)", "no_proxy": ".invalid"])
        let error = try await #require(throws: TransportError.self) {
            try await CurlTransport(proxies: bypassed).send(HTTPRequest(url: URL(string: "http://registry.invalid/echo")!))
        }
        #expect(error.kind == .couldNotResolveHost)

        let refusing = ProxySelection(environment: ["HTTP_PROXY": "http://127.0.0.1:1"])
        let proxyError = try await #require(throws: TransportError.self) {
            try await CurlTransport(proxies: refusing).send(HTTPRequest(url: URL(string: "http://registry.invalid/echo")!))
        }
        #expect(proxyError.kind == .proxy)
    }

    @Test func proxySelectionFollowsGoRules() {
        let selection = ProxySelection(environment: [
            "https_proxy": "http://secure:3128", "HTTP_PROXY": "http://plain:3128",
            "NO_PROXY": "internal.example, .corp, 10.0.0.0/8, api.example:6443",
        ])
        func proxy(_ url: String) -> String? { selection.proxy(for: URL(string: url)!, explicitProxy: nil) }
        #expect(proxy("https://ghcr.io/v2/") == "http://secure:3128")
        #expect(proxy("http://ghcr.io/v2/") == "http://plain:3128")
        #expect(proxy("https://internal.example/") == nil)
        #expect(proxy("https://a.internal.example/") == nil)
        #expect(proxy("https://corp/") == "http://secure:3128")
        #expect(proxy("https://x.corp/") == nil)
        #expect(proxy("https://10.1.2.3:6443/") == nil)
        #expect(proxy("https://11.1.2.3:6443/") == "http://secure:3128")
        #expect(proxy("https://api.example:6443/") == nil)
        #expect(proxy("https://api.example:443/") == "http://secure:3128")
        #expect(proxy("https://127.0.0.1:6443/") == nil)
        #expect(proxy("https://localhost:6443/") == nil)
        #expect(proxy("https://[::1]:6443/") == nil)
        #expect(selection.proxy(for: URL(string: "https://127.0.0.1/")!, explicitProxy: "socks5://p:1080") == "socks5h://p:1080")
        #expect(ProxySelection(environment: ["ALL_PROXY": "socks5://s:1", "no_proxy": "*"]).proxy(for: URL(string: "https://x/")!, explicitProxy: nil) == nil)
        #expect(ProxySelection(environment: ["ALL_PROXY": "socks5://s:1"]).proxy(for: URL(string: "https://x/")!, explicitProxy: nil) == "socks5h://s:1")
    }

    @Test func concurrentRequestsAllComplete() async throws {
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<16 {
                group.addTask { try decode(Echo.self, try await transport.send(HTTPRequest(url: fixture.httpURL("/echo?i=\(index)")))).bodyBytes }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results.count == 16)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

@Suite struct TransportStackTests {
    @Test func defaultStackRetriesAndLogsEveryAttempt() async throws {
        let collector = LogCollector()
        let stack = TransportStack.make(
            options: TransportOptions(verbosity: 6, log: { collector.append($0) }),
            retryPolicy: RetryPolicy(baseDelay: 0.001))
        let key = uniqueKey()
        let response = try await stack.send(HTTPRequest(url: fixture.httpURL("/flaky?key=\(key)&failures=1")))
        #expect(response.status == 200)
        #expect(collector.lines.count == 2)
        #expect(collector.lines.first?.contains(" 503 Service Unavailable in ") == true)
    }

    @Test func manySequentialRequestsShareOneConnection() async throws {
        let transport = CurlTransport()
        let started = ContinuousClock.now
        var connections = Set<Int>()
        for _ in 0..<50 {
            connections.insert(try decode(Echo.self, try await transport.send(HTTPRequest(url: fixture.httpURL("/echo")))).connection)
        }
        #expect(connections.count == 1)
        print("measured: 50 sequential GETs over one kept-alive connection in \(ContinuousClock.now - started)")
    }
}

@Suite struct CurlTransportMoreTests {
    let transport = CurlTransport()

    @Test func explicitHTTPProxyCarriesTheRequest() async throws {
        // The target name cannot resolve: only a request handed to the proxy can be answered.
        let proxied = CurlTransport(options: TransportOptions(proxyURL: "http://127.0.0.1:\(fixture.httpPort)"))
        let echo = try decode(Echo.self, try await proxied.send(HTTPRequest(url: URL(string: "http://registry.invalid:5000/echo?x=1")!)))
        #expect(echo.proxiedHost == "registry.invalid:5000")
        #expect(echo.path == "/echo")
    }

    @Test func headerWithALineBreakIsRefused() async throws {
        var request = HTTPRequest(url: fixture.httpURL("/echo"))
        request.headers["X-Evil"] = "a\r\nInjected: yes"
        let error = try await #require(throws: TransportError.self) { try await transport.send(request) }
        #expect(error.message.contains("X-Evil"))
    }

    @Test func cancellingTheConsumingTaskStopsTheStream() async throws {
        let response = try await transport.stream(HTTPRequest(url: fixture.httpURL("/lines?count=1000&interval=50")))
        let consumer = Task {
            var count = 0
            for try await _ in response.lines { count += 1 }
            return count
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        consumer.cancel()
        // The server sends 1,000 lines over 50 s: a stream that kept going would deliver them all.
        switch await consumer.result {
        case .success(let count): #expect(count < 1000)
        case .failure(let error): #expect((error as? TransportError)?.kind == .cancelled || error is CancellationError, "\(error)")
        }
    }

    @Test func cancelWakesAnIdleTransferAtOnce() async throws {
        // While the server is silent libcurl would only notice a cancel on its next progress tick (about 1 s); the
        // wake-up ends the transfer as cancelled instead of with the server's answer after 5 s. How fast that is,
        // is a `make bench` figure (SIGINT → exit during a push), not a test bound.
        for _ in 0..<3 {
            let task = Task { try await transport.send(HTTPRequest(url: fixture.httpURL("/slow?ms=5000"))) }
            try await Task.sleep(nanoseconds: 200_000_000)
            task.cancel()
            let error = try #require(await task.result.failure as? TransportError)
            #expect(error.kind == .cancelled)
        }
    }

    @Test func cancelBeforeReadingEndsTheBodyAtOnce() async throws {
        let response = try await transport.stream(HTTPRequest(url: fixture.httpURL("/lines?count=1000&interval=50")))
        response.cancel()
        var count = 0
        for try await _ in response.body { count += 1 }
        #expect(count < 100)
    }
}

/// Big bodies run one at a time.
@Suite(.serialized) struct LargeBodyTests {
    let transport = CurlTransport()

    @Test func largeStreamedBodyArrivesCompleteWithoutBeingBuffered() async throws {
        let block = randomBlock(1 << 20)
        let total = 64 << 20
        let expectedDigest = try sha256Hex(ofBlock: block, repeated: 64)
        let reader = RepeatingBlockReader(block: block, totalBytes: total)
        let request = HTTPRequest(method: "PUT", url: fixture.httpURL("/echo"), body: .stream(length: Int64(total), makeReader: { reader }))
        let echo = try decode(Echo.self, try await transport.send(request))
        #expect(echo.bodyBytes == total)
        #expect(echo.sha256 == expectedDigest)
        #expect(echo.header("Content-Length") == String(total))
        #expect(!echo.chunked)
        #expect(reader.produced == total)
        // Streamed, not buffered: the body is pulled in pieces no larger than curl's upload buffer. Push peak RSS is a
        // `make bench` figure.
        #expect(reader.calls >= 64, "\(reader.calls) reads for 64 MiB")
        #expect(reader.largestRead <= 2 << 20, "largest read \(reader.largestRead) bytes")
    }

    @Test func chunkedUploadWhenTheLengthIsUnknown() async throws {
        let block = randomBlock(100_000)
        let expectedDigest = try sha256Hex(ofBlock: block, repeated: 30)
        let reader = RepeatingBlockReader(block: block, totalBytes: 3_000_000)
        let request = HTTPRequest(method: "POST", url: fixture.httpURL("/echo"), body: .stream(length: nil, makeReader: { reader }))
        let echo = try decode(Echo.self, try await transport.send(request))
        #expect(echo.chunked)
        #expect(echo.bodyBytes == 3_000_000)
        #expect(echo.sha256 == expectedDigest)
    }

    @Test func fileBodyIsStreamedWithItsSize() async throws {
        let block = randomBlock(1 << 20)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data((0..<3).flatMap { _ in block }).write(to: file)
        let request = HTTPRequest(method: "PUT", url: fixture.httpURL("/echo"), body: .file(path: file.path))
        let echo = try decode(Echo.self, try await transport.send(request))
        #expect(echo.header("Content-Length") == String(3 << 20))
        #expect(echo.sha256 == (try sha256Hex(ofBlock: block, repeated: 3)))

        let missing = HTTPRequest(method: "PUT", url: fixture.httpURL("/echo"), body: .file(path: "/nonexistent/blob"))
        let error = try await #require(throws: TransportError.self) { try await transport.send(missing) }
        #expect(error.message.contains("/nonexistent/blob"))
    }

    @Test func largeDownloadBufferedAndStreamed() async throws {
        let size = 32 << 20
        let buffered = try await transport.send(HTTPRequest(url: fixture.httpURL("/bytes?n=\(size)")))
        #expect(buffered.body.count == size)
        #expect(buffered.body[size - 1] == 255 && buffered.body[1000] == UInt8(1000 % 256))

        let started = ContinuousClock.now
        let streamed = try await transport.stream(HTTPRequest(url: fixture.httpURL("/bytes?n=\(size)")))
        #expect(streamed.headers["Content-Length"] == String(size))
        var received = 0
        var ordered = true
        for try await chunk in streamed.body {
            for index in stride(from: 0, to: chunk.count, by: 4099) {
                ordered = ordered && chunk[chunk.startIndex + index] == UInt8((received + index) % 256)
            }
            received += chunk.count
        }
        #expect(received == size)
        #expect(ordered)
        print("measured: 32 MiB streamed download in \(ContinuousClock.now - started)")
    }
}

@Suite struct AbandonedStreamTests {
    let transport = CurlTransport()

    func waitForAbort(_ key: String) async throws -> Bool {
        for _ in 0..<300 {
            let attempts = try decode(Attempts.self, try await transport.send(HTTPRequest(url: fixture.httpURL("/count?key=aborted-\(key)")))).attempts
            if attempts > 0 { return true }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        return false
    }

    func readOneLineAndWalkAway(_ key: String) async throws {
        let response = try await transport.stream(HTTPRequest(url: fixture.httpURL("/lines?count=200&interval=50&key=\(key)")))
        for try await _ in response.lines { break }
    }

    func readOneChunkAndWalkAway(_ key: String) async throws {
        let response = try await transport.stream(HTTPRequest(url: fixture.httpURL("/lines?count=200&interval=50&key=\(key)")))
        for try await _ in response.body { break }
    }

    @Test func leavingTheLinesLoopHangsUp() async throws {
        let key = uniqueKey()
        try await readOneLineAndWalkAway(key)
        #expect(try await waitForAbort(key))
    }

    @Test func droppingAnUnfinishedBodyHangsUp() async throws {
        let key = uniqueKey()
        try await readOneChunkAndWalkAway(key)
        #expect(try await waitForAbort(key))
    }
}
