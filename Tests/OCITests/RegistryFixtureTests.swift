import Foundation
import Testing
import TestSupport

/// The fixtures themselves, checked with the curl CLI so a broken fixture is not mistaken for a client bug.
@Suite(.serialized) struct RegistryFixtureTests {
    func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
        let result = try ExternalTool.run("/usr/bin/curl", ["-s", "-o", "/dev/stderr", "-w", "%{http_code}"] + arguments)
        return (Int(String(decoding: result.stdout, as: UTF8.self)) ?? -1, result.stderr)
    }

    @Test func plainHTTPRegistryAnswers() throws {
        let server = try RegistryServer.start(.plainHTTP)
        defer { server.cleanUp() }
        #expect(try curl(["http://\(server.host)/v2/"]).status == 200)
        #expect(server.host.hasPrefix("127.0.0.1:"))
    }

    @Test func basicAuthTLSRegistryChecksPasswords() throws {
        let server = try RegistryServer.start(.basicAuthTLS(users: ["alice": "wonderland"]))
        defer { server.cleanUp() }
        let base = "https://\(server.host)/v2/"
        #expect(try curl(["--cacert", server.caCertificatePath, base]).status == 401)
        #expect(try curl(["--cacert", server.caCertificatePath, "-u", "alice:wrong", base]).status == 401)
        #expect(try curl(["--cacert", server.caCertificatePath, "-u", "alice:wonderland", base]).status == 200)
        // Without the test CA the certificate is not trusted.
        #expect(try curl([base]).status == 0)
    }

    @Test func tokenAuthRegistryAcceptsTokensFromTheTokenServer() throws {
        let config = RegistryServer.TokenAuthConfig(users: ["bob": (password: "builder", grants: ["*": ["pull", "push"]])])
        let server = try RegistryServer.start(.tokenAuth(config))
        defer { server.cleanUp() }
        let realm = try #require(server.tokenRealm)
        let challenge = try ExternalTool.run("/usr/bin/curl", ["-s", "-D", "-", "-o", "/dev/null", "http://\(server.host)/v2/"])
        #expect(String(decoding: challenge.stdout, as: UTF8.self).contains("Bearer realm=\"\(realm)\""))
        let tokenAnswer = try ExternalTool.run("/usr/bin/curl", ["-s", "-u", "bob:builder",
            "\(realm)?service=kubectl-gitops-test-registry&scope=repository:a/b:pull,push"])
        let json = try JSONSerialization.jsonObject(with: tokenAnswer.stdout) as? [String: Any]
        let token = try #require(json?["token"] as? String)
        #expect(try curl(["-H", "Authorization: Bearer \(token)", "http://\(server.host)/v2/"]).status == 200)
        #expect(try curl(["-u", "bob:wrong", realm]).status == 401)
    }
}
