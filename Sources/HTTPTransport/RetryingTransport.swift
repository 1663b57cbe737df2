import Foundation

/// When and how long to wait before sending a request again.
public struct RetryPolicy: Sendable {
    /// Attempts in total, the first one included.
    public var maxAttempts: Int
    /// Wait before the second attempt; each further wait is `multiplier` times longer.
    public var baseDelay: TimeInterval
    public var multiplier: Double
    /// Upper bound of a computed backoff.
    public var maxDelay: TimeInterval
    /// Upper bound of a server's `Retry-After`, so a confused server cannot stall us for hours.
    public var maxRetryAfter: TimeInterval
    public var retryableStatuses: Set<Int>
    /// Also retry POST/PATCH (which may repeat a side effect); per request, `RetryingTransport.optInHeader` does the same.
    public var retriesNonIdempotentRequests: Bool
    /// Bound on all attempts of one request together (kubectl's `--request-timeout`): no wait or attempt starts
    /// past it, and each attempt gets only what is left.
    public var overallTimeout: TimeInterval?

    public init(
        maxAttempts: Int = 5,
        baseDelay: TimeInterval = 0.2,
        multiplier: Double = 2,
        maxDelay: TimeInterval = 10,
        maxRetryAfter: TimeInterval = 30,
        retryableStatuses: Set<Int> = [429, 500, 502, 503, 504],
        retriesNonIdempotentRequests: Bool = false,
        overallTimeout: TimeInterval? = nil
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.retryableStatuses = retryableStatuses
        self.retriesNonIdempotentRequests = retriesNonIdempotentRequests
        self.overallTimeout = overallTimeout
    }
}

/// Sends idempotent requests again after overload answers (429, 5xx) and broken or refused connections,
/// backing off exponentially with jitter and honouring `Retry-After`.
/// A streamed response is retried only while nothing of it has reached the caller.
public struct RetryingTransport: HTTPTransport {
    /// Request header that opts one non-idempotent request into retries (value `true`); it is not sent on.
    public static let optInHeader = "X-Kubectl-Gitops-Retry"

    public let base: any HTTPTransport
    public let policy: RetryPolicy
    private let sleep: @Sendable (TimeInterval) async throws -> Void
    private let jitter: @Sendable () -> Double
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - sleep: waits the given seconds; tests pass one that records and returns at once.
    ///   - jitter: a number in 0..<1 spreading each backoff over ±20 % (0.5 means none).
    ///   - now: the clock `Retry-After` dates are measured against.
    public init(
        wrapping base: any HTTPTransport,
        policy: RetryPolicy = RetryPolicy(),
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = RetryingTransport.taskSleep,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.base = base
        self.policy = policy
        self.sleep = sleep
        self.jitter = jitter
        self.now = now
    }

    public static let taskSleep: @Sendable (TimeInterval) async throws -> Void = { seconds in
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (request, retryable) = prepare(request)
        let deadline = Deadline(policy.overallTimeout, now: now)
        var attempt = 1
        while true {
            do {
                let response = try await base.send(deadline.bounding(request))
                guard retryable, attempt < policy.maxAttempts, policy.retryableStatuses.contains(response.status),
                      let wait = deadline.allows(delay(afterAttempt: attempt, headers: response.headers)) else {
                    return response
                }
                try await sleep(wait)
            } catch {
                guard retryable, attempt < policy.maxAttempts, Self.isRetryable(error),
                      let wait = deadline.allows(delay(afterAttempt: attempt, headers: nil)) else { throw error }
                try await sleep(wait)
            }
            // An injected sleep may ignore cancellation; a cancelled caller gets no further attempt.
            try Task.checkCancellation()
            attempt += 1
        }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        let (request, retryable) = prepare(request)
        let deadline = Deadline(policy.overallTimeout, now: now)
        var attempt = 1
        while true {
            do {
                let response = try await base.stream(deadline.bounding(request))
                guard retryable, attempt < policy.maxAttempts, policy.retryableStatuses.contains(response.status),
                      let wait = deadline.allows(delay(afterAttempt: attempt, headers: response.headers)) else {
                    return response
                }
                // Only the head has arrived, so dropping this answer loses nothing the caller saw.
                response.cancel()
                try await sleep(wait)
            } catch {
                guard retryable, attempt < policy.maxAttempts, Self.isRetryable(error),
                      let wait = deadline.allows(delay(afterAttempt: attempt, headers: nil)) else { throw error }
                try await sleep(wait)
            }
            // An injected sleep may ignore cancellation; a cancelled caller gets no further attempt.
            try Task.checkCancellation()
            attempt += 1
        }
    }

    /// Whether a failure below HTTP means the request probably never got processed. A timed-out request is not
    /// sent again: its deadline is the caller's bound on the whole request, as kubectl's `--request-timeout` is.
    public static func isRetryable(_ error: Error) -> Bool {
        guard let error = error as? TransportError else { return false }
        switch error.kind {
        case .connectionRefused: return true
        case .other: return error.isConnectionLevel
        case .timedOut, .couldNotResolveHost, .tls, .proxy, .cancelled: return false
        }
    }

    /// The overall bound of one request's attempts.
    private struct Deadline {
        let end: Date?
        let now: @Sendable () -> Date

        init(_ timeout: TimeInterval?, now: @escaping @Sendable () -> Date) {
            self.end = timeout.map { now().addingTimeInterval($0) }
            self.now = now
        }

        /// `wait`, when another attempt after it still fits before the end.
        func allows(_ wait: TimeInterval) -> TimeInterval? {
            guard let end else { return wait }
            return now().addingTimeInterval(wait) < end ? wait : nil
        }

        /// The request with at most the time that is left.
        func bounding(_ request: HTTPRequest) -> HTTPRequest {
            guard let end else { return request }
            var bounded = request
            let left = max(0.001, end.timeIntervalSince(now()))
            bounded.timeout = min(request.timeout ?? left, left)
            return bounded
        }
    }

    private func prepare(_ request: HTTPRequest) -> (HTTPRequest, Bool) {
        var request = request
        let optedIn = request.headers[Self.optInHeader].map { $0.lowercased() == "true" } ?? false
        request.headers[Self.optInHeader] = nil
        return (request, request.isIdempotent || optedIn || policy.retriesNonIdempotentRequests)
    }

    /// The server's `Retry-After` (capped) when it gave one, else exponential backoff with jitter.
    public func delay(afterAttempt attempt: Int, headers: HTTPHeaders?) -> TimeInterval {
        if let value = headers?["Retry-After"], let retryAfter = Self.parseRetryAfter(value, now: now()) {
            return min(max(0, retryAfter), policy.maxRetryAfter)
        }
        let backoff = min(policy.baseDelay * pow(policy.multiplier, Double(attempt - 1)), policy.maxDelay)
        return backoff * (0.8 + 0.4 * jitter())
    }

    /// `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
    public static func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed) { return TimeInterval(max(0, seconds)) }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }
}

/// Adds headers a request lacks (User-Agent, Accept…); headers the request sets win.
public struct DefaultHeadersTransport: HTTPTransport {
    public let base: any HTTPTransport
    public let headers: HTTPHeaders

    public init(wrapping base: any HTTPTransport, headers: HTTPHeaders) {
        self.base = base
        self.headers = headers
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await base.send(withDefaults(request))
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        try await base.stream(withDefaults(request))
    }

    private func withDefaults(_ request: HTTPRequest) -> HTTPRequest {
        var request = request
        for (name, value) in headers where request.headers[name] == nil {
            request.headers.add(name, value)
        }
        return request
    }
}
