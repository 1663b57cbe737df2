import Foundation
import HTTPTransport
import Testing
import TestSupport

/// The fault proxy's Swift launcher against the HTTP fixture server. Each test has its own proxy and transport, so
/// no connection is shared; nothing here measures time.
@Suite struct FaultProxyTests {
    @Test func passModeForwardsARequest() async throws {
        let proxy = try await FaultProxy.start(upstreamPort: fixture.httpPort)
        defer { proxy.stop() }
        let transport = CurlTransport()
        let echo = try decode(Echo.self, try await transport.send(HTTPRequest(method: "POST", url: proxy.url("/echo?via=proxy"),
                                                                              body: .bytes(Data("hello".utf8)))))
        #expect(echo.method == "POST")
        #expect(echo.query == "via=proxy")
        #expect(echo.bodyBytes == 5)
        let stats = try await proxy.stats()
        #expect(stats.connections == 1)
        #expect(stats.bytesUp > 5)
        #expect(stats.bytesDown > 0)
        #expect(stats.answered == 0)
        #expect(stats.cut == 0)
    }

    @Test func tlsPassesThroughUntouched() async throws {
        let proxy = try await FaultProxy.start(upstreamPort: fixture.httpsPort)
        defer { proxy.stop() }
        let transport = CurlTransport(options: TransportOptions(caPEM: fixture.caPEM))
        let echo = try decode(Echo.self, try await transport.send(HTTPRequest(url: proxy.url("/echo", scheme: "https"))))
        #expect(echo.tls)
        #expect(try await proxy.stats().bytesDown > 0)
    }

    @Test func holdModeLetsAShortClientTimeoutFireAndSeesTheClientLeave() async throws {
        let proxy = try await FaultProxy.start(upstreamPort: fixture.httpPort)
        defer { proxy.stop() }
        try await proxy.set(.hold)
        let transport = CurlTransport()
        let error = try await #require(throws: TransportError.self) {
            try await transport.send(HTTPRequest(url: proxy.url("/echo"), timeout: 0.5))
        }
        #expect(error.kind == .timedOut)
        let stats = try await proxy.waitForStats { $0.closedByClient == 1 && $0.open == 0 }
        #expect(stats.connections == 1)
        #expect(stats.bytesUp == 0)
        #expect(stats.bytesDown == 0)
    }

    @Test func answerModeReturnsTheStatusCountsItAndGoesBackToPass() async throws {
        let proxy = try await FaultProxy.start(upstreamPort: fixture.httpPort)
        defer { proxy.stop() }
        try await proxy.set(.answer(status: 503, headers: ["Retry-After": "1"], count: 2))
        let transport = CurlTransport()
        for _ in 0..<2 {
            let response = try await transport.send(HTTPRequest(url: proxy.url("/echo")))
            #expect(response.status == 503)
            #expect(response.headers["Retry-After"] == "1")
            #expect(String(decoding: response.body, as: UTF8.self) == "{}")
        }
        let passed = try await transport.send(HTTPRequest(url: proxy.url("/echo")))
        #expect(passed.status == 200)
        #expect(try decode(Echo.self, passed).path == "/echo")
        let stats = try await proxy.stats()
        #expect(stats.answered == 2)
    }

    @Test func answersCountTheAttemptsOfARetryingTransport() async throws {
        let proxy = try await FaultProxy.start(upstreamPort: fixture.httpPort)
        defer { proxy.stop() }
        try await proxy.set(.answer(status: 429, headers: ["Retry-After": "1"], count: 2))
        let sleeps = SleepRecorder()
        let retrying = RetryingTransport(wrapping: CurlTransport(), sleep: sleeps.sleep)
        let response = try await retrying.send(HTTPRequest(url: proxy.url("/echo")))
        #expect(response.status == 200)
        #expect(try await proxy.stats().answered == 2)
        #expect(sleeps.delays == [1, 1])
    }

    @Test func cutAfterBytesBreaksADownloadAtAConnectionLevel() async throws {
        let proxy = try await FaultProxy.start(upstreamPort: fixture.httpPort)
        defer { proxy.stop() }
        try await proxy.set(.cutAfterBytes(1000, direction: .down))
        let error = try await #require(throws: TransportError.self) {
            try await CurlTransport().send(HTTPRequest(url: proxy.url("/bytes?n=100000")))
        }
        #expect(error.isConnectionLevel)
        let stats = try await proxy.waitForStats { $0.open == 0 }
        #expect(stats.cut == 1)
        #expect(stats.bytesDown == 1000)
        #expect(stats.closedByClient == 0)
    }

    @Test func invalidModesAreRejected() async throws {
        let proxy = try await FaultProxy.start(upstreamPort: fixture.httpPort)
        defer { proxy.stop() }
        await #expect(throws: FaultProxyError.self) { try await proxy.set(.throttle(bytesPerSecond: 0)) }
        try await proxy.set(.throttle(bytesPerSecond: 1_000_000))
        try await proxy.set(.pass)
        try await proxy.resetStats()
        #expect(try await proxy.stats().connections == 0)
    }
}
