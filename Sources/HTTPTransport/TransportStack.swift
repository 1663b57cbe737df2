import Foundation

/// The transport our clients use by default, built from one `TransportOptions`:
/// retries outermost (so each attempt is logged), then redacted logging, then libcurl.
public enum TransportStack {
    /// `options.requestTimeout` bounds each request with its retries together, as `--request-timeout` does in kubectl.
    public static func make(options: TransportOptions, retryPolicy: RetryPolicy = RetryPolicy()) -> any HTTPTransport {
        let curl = CurlTransport(options: options)
        let logged: any HTTPTransport = options.verbosity >= 6 ? LoggingTransport(wrapping: curl, options: options) : curl
        var policy = retryPolicy
        if policy.overallTimeout == nil { policy.overallTimeout = options.requestTimeout }
        return RetryingTransport(wrapping: logged, policy: policy)
    }
}
