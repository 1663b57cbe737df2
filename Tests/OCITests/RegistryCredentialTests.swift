import Foundation
import Testing
@testable import OCI
import TestSupport

/// A throwaway HOME / DOCKER_CONFIG / auth.json layout per test.
private final class CredentialFixture {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("registry-creds-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ relativePath: String, _ json: String) throws -> String {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func keychain(creds: String? = nil, environment: [String: String] = [:]) -> RegistryKeychain {
        var env = environment
        env["PATH"] = RegistryServer.supportDirectory.path + ":/usr/bin:/bin"
        return RegistryKeychain(explicitCreds: creds, environment: env, homeDirectory: root.appendingPathComponent("home").path)
    }
}

private func basicAuth(_ user: String, _ password: String) -> String {
    Data("\(user):\(password)".utf8).base64EncodedString()
}

@Suite struct RegistryCredentialTests {
    let reference = try! OCIReference(parsing: "oci://registry.example.com:5000/team/app:v1")

    @Test func explicitCredsWinAndSplitOnFirstColon() throws {
        let fixture = try CredentialFixture()
        _ = try fixture.write("home/.docker/config.json", #"{"auths":{"registry.example.com:5000":{"auth":"\#(basicAuth("file", "pw"))"}}}"#)
        #expect(try fixture.keychain(creds: "alice:pa:ss").credential(for: reference) == .basic(username: "alice", password: "pa:ss"))
        #expect(try fixture.keychain(creds: "ghp_token").credential(for: reference) == .registryToken("ghp_token"))
        #expect(throws: RegistryError.self) { try fixture.keychain(creds: ":nouser").credential(for: reference) }
    }

    @Test func dockerConfigAuthForms() throws {
        let fixture = try CredentialFixture()
        _ = try fixture.write("home/.docker/config.json", """
        {"auths":{
          "registry.example.com:5000":{"auth":"\(basicAuth("alice", "secret"))"},
          "user.example":{"username":"bob","password":"pw"},
          "identity.example":{"identitytoken":"refresh-123"},
          "token.example":{"registrytoken":"access-456"},
          "https://legacy.example/v1/":{"auth":"\(basicAuth("old", "timer"))"},
          "https://index.docker.io/v1/":{"auth":"\(basicAuth("hub", "hubpw"))"}
        }}
        """)
        let keychain = fixture.keychain()
        #expect(try keychain.credential(for: reference) == .basic(username: "alice", password: "secret"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://user.example/a")) == .basic(username: "bob", password: "pw"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://identity.example/a")) == .identityToken("refresh-123"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://token.example/a")) == .registryToken("access-456"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://legacy.example/a")) == .basic(username: "old", password: "timer"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://docker.io/org/app")) == .basic(username: "hub", password: "hubpw"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://other.example/a")) == .anonymous)
    }

    @Test func dockerConfigDirectoryFromEnvironment() throws {
        let fixture = try CredentialFixture()
        let path = try fixture.write("custom/config.json", #"{"auths":{"registry.example.com:5000":{"username":"env","password":"x"}}}"#)
        let keychain = fixture.keychain(environment: ["DOCKER_CONFIG": fixture.root.appendingPathComponent("custom").path])
        #expect(keychain.dockerConfigPath == path)
        #expect(try keychain.credential(for: reference) == .basic(username: "env", password: "x"))
    }

    @Test func credentialHelpersThenStoreViaRealHelperScript() throws {
        let fixture = try CredentialFixture()
        let store = try fixture.write("helper-store.json", """
        {"registry.example.com:5000":{"Username":"helper-user","Secret":"helper-pass"},
         "identity.example":{"Username":"<token>","Secret":"refresh-from-helper"},
         "https://index.docker.io/v1/":{"Username":"hub-helper","Secret":"hub-secret"}}
        """)
        _ = try fixture.write("home/.docker/config.json", """
        {"credHelpers":{"registry.example.com:5000":"test"},"credsStore":"test",
         "auths":{"fallback.example":{"auth":"\(basicAuth("file", "fallback"))"}}}
        """)
        let keychain = fixture.keychain(environment: ["TEST_CREDENTIALS_FILE": store])
        #expect(try keychain.credential(for: reference) == .basic(username: "helper-user", password: "helper-pass"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://identity.example/a")) == .identityToken("refresh-from-helper"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://docker.io/nginx")) == .basic(username: "hub-helper", password: "hub-secret"))
        // The store has no entry ("credentials not found"): the file's auths still count.
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://fallback.example/a")) == .basic(username: "file", password: "fallback"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://nothing.example/a")) == .anonymous)
    }

    @Test func helperReceivesServerURLOnStdin() throws {
        let fixture = try CredentialFixture()
        _ = try fixture.write("home/.docker/config.json", #"{"credsStore":"recording"}"#)
        let seen = SeenURLs()
        let runner = CredentialHelperRunner { helper, serverURL, _ in
            seen.append("\(helper) \(serverURL)")
            return .init(exitCode: 1, stdout: Data("credentials not found in native keychain".utf8))
        }
        let keychain = RegistryKeychain(environment: [:], homeDirectory: fixture.root.appendingPathComponent("home").path, helperRunner: runner)
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://docker.io/nginx")) == .anonymous)
        #expect(try keychain.credential(for: reference) == .anonymous)
        #expect(seen.values == ["recording https://index.docker.io/v1/", "recording registry.example.com:5000"])
    }

    @Test func failingHelperIsAnErrorNamingTheHelper() throws {
        let fixture = try CredentialFixture()
        _ = try fixture.write("home/.docker/config.json", #"{"credHelpers":{"registry.example.com:5000":"missing-helper"}}"#)
        do {
            _ = try fixture.keychain().credential(for: reference)
            Issue.record("expected an error")
        } catch let error as RegistryError {
            #expect(error.kind == .credentials)
            #expect(error.description.contains("docker-credential-missing-helper"))
        }
    }

    @Test func containersAuthFileNamespacedMostSpecificFirst() throws {
        let fixture = try CredentialFixture()
        let authFile = try fixture.write("run/containers/auth.json", """
        {"auths":{
          "registry.example.com:5000":{"auth":"\(basicAuth("host", "h"))"},
          "registry.example.com:5000/team":{"auth":"\(basicAuth("team", "t"))"},
          "registry.example.com:5000/team/app":{"auth":"\(basicAuth("app", "a"))"}
        }}
        """)
        let keychain = fixture.keychain(environment: ["XDG_RUNTIME_DIR": fixture.root.appendingPathComponent("run").path])
        #expect(keychain.containersAuthPath == authFile)
        #expect(try keychain.credential(for: reference) == .basic(username: "app", password: "a"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://registry.example.com:5000/team/other")) == .basic(username: "team", password: "t"))
        #expect(try keychain.credential(for: OCIReference(parsing: "oci://registry.example.com:5000/solo")) == .basic(username: "host", password: "h"))
    }

    @Test func registryAuthFileOverridesAndDockerConfigComesFirst() throws {
        let fixture = try CredentialFixture()
        let override = try fixture.write("elsewhere/auth.json", #"{"auths":{"registry.example.com:5000":{"auth":"\#(basicAuth("podman", "p"))"}}}"#)
        _ = try fixture.write("run/containers/auth.json", #"{"auths":{"registry.example.com:5000":{"auth":"\#(basicAuth("runtime", "r"))"}}}"#)
        var keychain = fixture.keychain(environment: ["REGISTRY_AUTH_FILE": override, "XDG_RUNTIME_DIR": fixture.root.appendingPathComponent("run").path])
        #expect(try keychain.credential(for: reference) == .basic(username: "podman", password: "p"))
        _ = try fixture.write("home/.docker/config.json", #"{"auths":{"registry.example.com:5000":{"auth":"\#(basicAuth("docker", "d"))"}}}"#)
        keychain = fixture.keychain(environment: ["REGISTRY_AUTH_FILE": override])
        #expect(try keychain.credential(for: reference) == .basic(username: "docker", password: "d"))
    }

    @Test func brokenFilesAreNamedInTheError() throws {
        let fixture = try CredentialFixture()
        let path = try fixture.write("home/.docker/config.json", "{not json")
        do {
            _ = try fixture.keychain().credential(for: reference)
            Issue.record("expected an error")
        } catch let error as RegistryError {
            #expect(error.description.contains(path))
        }
    }

    @Test func descriptionNeverShowsSecrets() {
        #expect(RegistryCredential.basic(username: "u", password: "hunter2").description == "basic auth as u")
        #expect(!RegistryCredential.registryToken("tok-123").description.contains("tok-123"))
        #expect(!RegistryCredential.identityToken("ref-456").description.contains("ref-456"))
    }
}

private final class SeenURLs: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ value: String) { lock.withLock { list.append(value) } }
    var values: [String] { lock.withLock { list } }
}
