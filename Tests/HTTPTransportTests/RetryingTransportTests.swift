import Foundation
import HTTPTransport
import Testing

@Suite struct RetryingTransportTests {
    let curl = CurlTransport()

    func attempts(_ key: String) async throws -> Int {
        try decode(Attempts.self, try await curl.send(HTTPRequest(url: fixture.httpURL("/count?key=\(key)")))).attempts
    }

    @Test func twoServiceUnavailableThenSuccessTakesExactlyThreeRequests() async throws {
        let key = uniqueKey()
        let sleeps = SleepRecorder()
        let retrying = RetryingTransport(wrapping: curl, sleep: sleeps.sleep, jitter: { 0.5 })
        let response = try await retrying.send(HTTPRequest(url: fixture.httpURL("/flaky?key=\(key)&failures=2")))
        #expect(response.status == 200)
        #expect(try await attempts(key) == 3)
        // Exponential backoff from 200 ms; jitter 0.5 is the midpoint, so no spread.
        #expect(sleeps.delays.count == 2)
        #expect(abs(sleeps.delays[0] - 0.2) < 1e-9)
        #expect(abs(sleeps.delays[1] - 0.4) < 1e-9)
    }

    @Test func aTimedOutRequestIsNotSentAgain() async throws {
        let key = uniqueKey()
        let sleeps = SleepRecorder()
        let retrying = RetryingTransport(wrapping: curl, sleep: sleeps.sleep)
        // The server answers after 3 s; the request may wait 0.3 s.
        await #expect(throws: TransportError.self) {
            _ = try await retrying.send(HTTPRequest(url: fixture.httpURL("/slow?ms=3000&key=\(key)"), timeout: 0.3))
        }
        #expect(sleeps.delays.isEmpty, "a timed-out request was retried after \(sleeps.delays)")
    }

    @Test func theOverallTimeoutBoundsRetriesAndEachAttempt() async throws {
        let key = uniqueKey()
        let sleeps = SleepRecorder()
        // Overloaded with Retry-After: 7, and a 2 s bound: the wait does not fit, so the 503 is the answer.
        let bounded = RetryingTransport(wrapping: curl, policy: RetryPolicy(overallTimeout: 2), sleep: sleeps.sleep)
        let response = try await bounded.send(HTTPRequest(url: fixture.httpURL("/flaky?key=\(key)&failures=3&retryAfter=7")))
        #expect(response.status == 503)
        #expect(sleeps.delays.isEmpty)
        #expect(try await attempts(key) == 1)
    }

    @Test func retryAfterSecondsIsHonouredAndCapped() async throws {
        let key = uniqueKey()
        let sleeps = SleepRecorder()
        let retrying = RetryingTransport(wrapping: curl, sleep: sleeps.sleep)
        let response = try await retrying.send(HTTPRequest(url: fixture.httpURL("/flaky?key=\(key)&failures=1&retryAfter=7&status=429")))
        #expect(response.status == 200)
        #expect(sleeps.delays == [7])

        let capped = SleepRecorder()
        let cappedKey = uniqueKey()
        let cautious = RetryingTransport(wrapping: curl, sleep: capped.sleep)
        _ = try await cautious.send(HTTPRequest(url: fixture.httpURL("/flaky?key=\(cappedKey)&failures=1&retryAfter=3600")))
        #expect(capped.delays == [30])
    }

    @Test func retryAfterHTTPDateIsMeasuredFromNow() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryingTransport.parseRetryAfter("Wed, 21 Oct 2015 07:28:12 GMT", now: now) == 12)
        #expect(RetryingTransport.parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == 0)
        #expect(RetryingTransport.parseRetryAfter("120", now: now) == 120)
        #expect(RetryingTransport.parseRetryAfter("soon", now: now) == nil)
    }

    @Test func retryAfterDateFromTheServerReachesTheSleep() async throws {
        let key = uniqueKey()
        let sleeps = SleepRecorder()
        // A whole second: the header has second resolution, so the expected delay is exact however the formatter rounds.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: now.addingTimeInterval(5)).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let retrying = RetryingTransport(wrapping: curl, sleep: sleeps.sleep, now: { now })
        let response = try await retrying.send(HTTPRequest(url: fixture.httpURL("/flaky?key=\(key)&failures=1&retryAfter=\(date)")))
        #expect(response.status == 200)
        let delay = try #require(sleeps.delays.first)
        #expect(delay == 5)
    }

    @Test func nonIdempotentPostIsNotRetried() async throws {
        let key = uniqueKey()
        let sleeps = SleepRecorder()
        let retrying = RetryingTransport(wrapping: curl, sleep: sleeps.sleep)
        let response = try await retrying.send(HTTPRequest(method: "POST", url: fixture.httpURL("/flaky?key=\(key)&failures=1"), body: .bytes(Data("{}".utf8))))
        #expect(response.status == 503)
        #expect(try await attempts(key) == 1)
        #expect(sleeps.delays.isEmpty)
    }

    @Test func postOptsInPerRequestAndTheHeaderIsNotSent() async throws {
        let key = uniqueKey()
        let retrying = RetryingTransport(wrapping: curl, sleep: SleepRecorder().sleep)
        var request = HTTPRequest(method: "POST", url: fixture.httpURL("/flaky?key=\(key)&failures=1"), body: .bytes(Data("{}".utf8)))
        request.headers[RetryingTransport.optInHeader] = "true"
        #expect(try await retrying.send(request).status == 200)
        #expect(try await attempts(key) == 2)

        var echoRequest = HTTPRequest(method: "POST", url: fixture.httpURL("/echo"))
        echoRequest.headers[RetryingTransport.optInHeader] = "true"
        #expect(try decode(Echo.self, try await retrying.send(echoRequest)).header(RetryingTransport.optInHeader) == nil)
    }

    @Test func givesUpAfterMaxAttemptsAndReturnsTheLastAnswer() async throws {
        let key = uniqueKey()
        let sleeps = SleepRecorder()
        let retrying = RetryingTransport(wrapping: curl, policy: RetryPolicy(maxAttempts: 3), sleep: sleeps.sleep)
        let response = try await retrying.send(HTTPRequest(url: fixture.httpURL("/flaky?key=\(key)&failures=10")))
        #expect(response.status == 503)
        #expect(try await attempts(key) == 3)
        #expect(sleeps.delays.count == 2)
    }

    @Test func streamingRequestIsRetriedWhileOnlyTheHeadArrived() async throws {
        let key = uniqueKey()
        let retrying = RetryingTransport(wrapping: curl, sleep: SleepRecorder().sleep)
        let response = try await retrying.stream(HTTPRequest(url: fixture.httpURL("/flaky?key=\(key)&failures=2")))
        #expect(response.status == 200)
        var body = Data()
        for try await chunk in response.body { body.append(chunk) }
        #expect(String(decoding: body, as: UTF8.self).contains("\"attempts\": 3"))
    }

    @Test func connectionFailuresAreRetriedButTLSFailuresAreNot() async throws {
        let refused = ScriptedTransport(failures: [
            TransportError(kind: .connectionRefused, server: "http://x:1", message: "refused"),
            TransportError(kind: .other, server: "http://x:1", message: "reset", isConnectionLevel: true),
        ])
        let retrying = RetryingTransport(wrapping: refused, sleep: SleepRecorder().sleep)
        #expect(try await retrying.send(HTTPRequest(url: URL(string: "http://x:1/")!)).status == 200)
        #expect(refused.calls == 3)

        let tls = ScriptedTransport(failures: [TransportError(kind: .tls, server: "https://x:1", message: "bad certificate")])
        let noRetry = RetryingTransport(wrapping: tls, sleep: SleepRecorder().sleep)
        await #expect(throws: TransportError.self) { try await noRetry.send(HTTPRequest(url: URL(string: "https://x:1/")!)) }
        #expect(tls.calls == 1)
    }

    @Test func aCancelledCallerGetsNoFurtherAttempt() async throws {
        let key = uniqueKey()
        let retrying = RetryingTransport(wrapping: curl, sleep: { _ in withUnsafeCurrentTask { $0?.cancel() } })
        let caller = Task { try await retrying.send(HTTPRequest(url: fixture.httpURL("/flaky?key=\(key)&failures=3"))) }
        #expect(await caller.result.failure is CancellationError)
        #expect(try await attempts(key) == 1)
    }

    @Test func backoffGrowsExponentiallyWithBoundedJitter() {
        let retrying = RetryingTransport(wrapping: ScriptedTransport(failures: []), jitter: { 0.999 })
        let first = retrying.delay(afterAttempt: 1, headers: nil)
        let third = retrying.delay(afterAttempt: 3, headers: nil)
        #expect(first > 0.2 && first < 0.2 * 1.2 + 1e-9)
        #expect(third > 0.8 && third < 0.8 * 1.2 + 1e-9)
        let low = RetryingTransport(wrapping: ScriptedTransport(failures: []), jitter: { 0 })
        #expect(abs(low.delay(afterAttempt: 2, headers: nil) - 0.32) < 1e-9)
    }
}

/// Fails with the given errors in turn, then answers 200.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: [Error]
    private var count = 0

    init(failures: [Error]) { remaining = failures }

    var calls: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    private func next() throws {
        lock.lock()
        count += 1
        let failure = remaining.isEmpty ? nil : remaining.removeFirst()
        lock.unlock()
        if let failure { throw failure }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try next()
        return HTTPResponse(status: 200)
    }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        try next()
        return HTTPStreamingResponse(status: 200, headers: [:], body: AsyncThrowingStream { $0.finish() }, cancel: {})
    }
}
