import Foundation
import HTTPTransport

extension RegistryClient {
    /// The client the CLI wants: libcurl (with redacted logging from `-v 6`), TLS verification off with `insecure`,
    /// credentials from `keychain` for `reference`'s registry, loopback hosts probed for TLS before the first request.
    /// No `RetryingTransport` underneath on purpose: this client retries whole steps itself, and a blob upload
    /// must restart from a new session rather than resend a PUT to a dead one.
    public static func live(
        for reference: OCIReference,
        keychain: RegistryKeychain,
        insecure: Bool = false,
        plainHTTP: Bool = false,
        transportOptions: TransportOptions = TransportOptions(),
        progress: RegistryProgressHandler? = nil
    ) throws -> RegistryClient {
        var options = transportOptions
        if insecure { options.insecureSkipTLSVerify = true }
        let curl = CurlTransport(options: options)
        let transport: any HTTPTransport = options.verbosity >= 6 ? LoggingTransport(wrapping: curl, options: options) : curl
        // Only a loopback registry reached over HTTPS-first is probed for TLS (see `RegistryClient.init`).
        var probe: (any HTTPTransport)?
        if reference.isLoopback && !insecure && !plainHTTP {
            var probeOptions = options
            probeOptions.insecureSkipTLSVerify = true
            let probeCurl = CurlTransport(options: probeOptions)
            probe = options.verbosity >= 6 ? LoggingTransport(wrapping: probeCurl, options: probeOptions) : probeCurl
        }
        let credential = try keychain.credential(for: reference)
        let statusLog: (@Sendable (String) -> Void)? = options.verbosity >= 6 ? options.log : nil
        return RegistryClient(transport: transport, credential: credential, options: RegistryClientOptions(
            plainHTTP: plainHTTP, insecure: insecure, progress: progress, log: statusLog,
            overallTimeout: options.requestTimeout), schemeProbe: probe)
    }
}
