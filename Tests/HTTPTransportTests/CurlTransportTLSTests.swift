import Foundation
import HTTPTransport
import Testing

@Suite struct CurlTransportTLSTests {
    @Test func caFromMemoryIsTrusted() async throws {
        let transport = CurlTransport(options: TransportOptions(caPEM: fixture.caPEM))
        let response = try await transport.send(HTTPRequest(url: fixture.httpsURL("/echo")))
        #expect(response.status == 200)
        #expect(try decode(Echo.self, response).tls)
    }

    @Test func wrongCAFailsWithTLSErrorNamingTheServer() async throws {
        let transport = CurlTransport(options: TransportOptions(caPEM: fixture.otherCAPEM))
        let error = try await #require(throws: TransportError.self) {
            try await transport.send(HTTPRequest(url: fixture.httpsURL("/echo?token=abc")))
        }
        #expect(error.kind == .tls)
        #expect(error.server == "https://127.0.0.1:\(fixture.httpsPort)")
        #expect(error.description.hasPrefix("https://127.0.0.1:\(fixture.httpsPort): "))
        #expect(error.message.contains("certificate"))
        #expect(!error.description.contains("token=abc"))
    }

    @Test func withoutCAOptionTheSystemStoreDoesNotKnowTheFixture() async throws {
        let transport = CurlTransport()
        let error = try await #require(throws: TransportError.self) {
            try await transport.send(HTTPRequest(url: fixture.httpsURL("/echo")))
        }
        #expect(error.kind == .tls)
    }

    @Test func clientCertificateFromMemoryPEM() async throws {
        let mutual = CurlTransport(options: TransportOptions(
            caPEM: fixture.caPEM, clientCertificatePEM: fixture.clientCertificatePEM, clientKeyPEM: fixture.clientKeyPEM))
        let response = try await mutual.send(HTTPRequest(url: fixture.httpsURL("/client-cert")))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self).contains("gitops-test-client"))

        let anonymous = CurlTransport(options: TransportOptions(caPEM: fixture.caPEM))
        #expect(try await anonymous.send(HTTPRequest(url: fixture.httpsURL("/client-cert"))).status == 401)
    }

    @Test func insecureSkipTLSVerifyAcceptsAnUnknownCA() async throws {
        let transport = CurlTransport(options: TransportOptions(caPEM: fixture.otherCAPEM, insecureSkipTLSVerify: true))
        let response = try await transport.send(HTTPRequest(url: fixture.httpsURL("/echo")))
        #expect(response.status == 200)
    }

    @Test func tlsServerNameIsVerifiedAndSentAsSNI() async throws {
        let transport = CurlTransport(options: TransportOptions(caPEM: fixture.caPEM, tlsServerName: "kube.test"))
        let response = try await transport.send(HTTPRequest(url: fixture.httpsURL("/echo")))
        let echo = try decode(Echo.self, response)
        #expect(echo.sni == "kube.test")
        // The HTTP request still names the host the user asked for.
        #expect(echo.header("Host") == "127.0.0.1:\(fixture.httpsPort)")
        #expect(response.url == fixture.httpsURL("/echo"))

        let mismatched = CurlTransport(options: TransportOptions(caPEM: fixture.caPEM, tlsServerName: "wrong.test"))
        let error = try await #require(throws: TransportError.self) {
            try await mismatched.send(HTTPRequest(url: fixture.httpsURL("/echo")))
        }
        #expect(error.kind == .tls)
        #expect(error.server == "https://127.0.0.1:\(fixture.httpsPort)")
    }

    @Test func tlsConnectionIsReused() async throws {
        let transport = CurlTransport(options: TransportOptions(caPEM: fixture.caPEM))
        let first = try decode(Echo.self, try await transport.send(HTTPRequest(url: fixture.httpsURL("/echo"))))
        let second = try decode(Echo.self, try await transport.send(HTTPRequest(url: fixture.httpsURL("/echo"))))
        #expect(first.connection == second.connection)
        #expect(second.requestOnConnection == 2)
    }
}
