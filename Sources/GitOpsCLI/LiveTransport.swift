import HTTPTransport
import KubeClient

/// The production transport stack: libcurl, with retries and redacted verbose logging around it.
enum LiveTransport {
    static let factory: KubeAPIClient.TransportFactory = { options in TransportStack.make(options: options) }
}
