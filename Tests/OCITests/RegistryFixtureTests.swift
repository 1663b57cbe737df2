import Foundation
import Testing
import TestSupport

/// The fixtures themselves, checked with the curl CLI so a broken fixture is not mistaken for a client bug.
@Suite(.serialized) struct RegistryFixtureTests {
    func curl(_ arguments: [String]) async throws -> (status: Int, body: String) {
        let result = try await ExternalTool.run("/usr/bin/curl", ["-s", "-o", "/dev/stderr", "-w", "%{http_code}"] + arguments)
        return (Int(String(decoding: result.stdout, as: UTF8.self)) ?? -1, result.stderr)
    }

    @Test func plainHTTPRegistryAnswers() async throws {
        let server = try await RegistryServer.start(.plainHTTP)
        defer { server.cleanUp() }
        await #expect(try curl(["http://\(server.host)/v2/"]).status == 200)
        #expect(server.host.hasPrefix("127.0.0.1:"))
    }

    @Test func basicAuthTLSRegistryChecksPasswords() async throws {
        let server = try await RegistryServer.start(.basicAuthTLS(users: ["alice": "wonderland"]))
        defer { server.cleanUp() }
        let base = "https://\(server.host)/v2/"
        await #expect(try curl(["--cacert", server.caCertificatePath, base]).status == 401)
        await #expect(try curl(["--cacert", server.caCertificatePath, "-u", "alice:wrong", base]).status == 401)
        await #expect(try curl(["--cacert", server.caCertificatePath, "-u", "alice:wonderland", base]).status == 200)
        // Without the test CA the certificate is not trusted.
        await #expect(try curl([base]).status == 0)
    }

    @Test func tokenAuthRegistryAcceptsTokensFromTheTokenServer() async throws {
        let config = RegistryServer.TokenAuthConfig(users: ["bob": (password: "builder", grants: ["*": ["pull", "push"]])])
        let server = try await RegistryServer.start(.tokenAuth(config))
        defer { server.cleanUp() }
        let realm = try #require(server.tokenRealm)
        let challenge = try await ExternalTool.run("/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", "http://\(server.host)/v2/"])
        #expect(String(decoding: challenge.stdout, as: UTF8.self).contains("Bearer realm=\"\(realm)\""))
        let tokenAnswer = try await ExternalTool.run("/usr/bin/curl", ["-s", "-u", "bob:builder",
            "\(realm)?service=kubectl-gitops-test-registry&scope=repository:a/b:pull,push"])
        let json = try JSONSerialization.jsonObject(with: tokenAnswer.stdout) as? [String: Any]
        let token = try #require(json?["token"] as? String)
        await #expect(try curl(["-H", "Authorization: Bearer \(token)", "http://\(server.host)/v2/"]).status == 200)
        await #expect(try curl(["-u", "bob:wrong", realm]).status == 401)
    }
}
