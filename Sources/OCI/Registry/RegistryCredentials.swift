import Foundation
import SystemKit

/// What we present to a registry.
public enum RegistryCredential: Sendable, Equatable, CustomStringConvertible {
    case anonymous
    /// Username and password (or a personal access token as password).
    case basic(username: String, password: String)
    /// A refresh token exchanged for access tokens with the OAuth2 POST flow (`identitytoken`, helper `<token>` user).
    case identityToken(String)
    /// A bearer token sent to the registry as is (`registrytoken`, `--creds` without `:`).
    case registryToken(String)

    /// Parses `--creds`: `user:pass` → basic; a single value → registry bearer token.
    public init(creds: String) throws {
        if let colon = creds.firstIndex(of: ":") {
            let username = String(creds[..<colon])
            guard !username.isEmpty else {
                throw RegistryError(kind: .credentials, message: "invalid --creds: expected <username>[:<password>], got an empty username")
            }
            self = .basic(username: username, password: String(creds[creds.index(after: colon)...]))
        } else {
            guard !creds.isEmpty else {
                throw RegistryError(kind: .credentials, message: "invalid --creds: expected <username>[:<password>] or a token")
            }
            self = .registryToken(creds)
        }
    }

    /// Never shows a secret: only which kind of credential it is.
    public var description: String {
        switch self {
        case .anonymous: return "anonymous"
        case .basic(let username, _): return "basic auth as \(username)"
        case .identityToken: return "identity token"
        case .registryToken: return "registry token"
        }
    }
}

/// Runs `docker-credential-NAME get` with the server URL on stdin; injectable for tests.
public struct CredentialHelperRunner: Sendable {
    public struct Output: Sendable {
        public var exitCode: Int32
        public var stdout: Data
        public init(exitCode: Int32, stdout: Data) {
            self.exitCode = exitCode
            self.stdout = stdout
        }
    }

    public var run: @Sendable (_ helperName: String, _ serverURL: String, _ environment: [String: String]) throws -> Output

    public init(run: @escaping @Sendable (_ helperName: String, _ serverURL: String, _ environment: [String: String]) throws -> Output) {
        self.run = run
    }

    /// Finds `docker-credential-NAME` on the environment's PATH and runs it.
    public static let process = CredentialHelperRunner { helperName, serverURL, environment in
        let program = "docker-credential-\(helperName)"
        let searchPath = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let candidates = searchPath.split(separator: ":").map { "\($0)/\(program)" }
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw RegistryError(kind: .credentials, message: "credential helper \(program) not found on PATH (named in the docker config)")
        }
        let result: Subprocess.Result
        do {
            result = try Subprocess.run(executable: executable, arguments: ["get"], environment: environment,
                                        input: .bytes(Array(serverURL.utf8)), errorOutput: .discard)
        } catch let error as Subprocess.LaunchError {
            throw RegistryError(kind: .credentials, message: "could not run credential helper \(executable): \(error.reason)")
        }
        return Output(exitCode: result.status, stdout: Data(result.output))
    }
}

/// Finds credentials for a registry: `--creds`, docker config (auths, credHelpers, credsStore), containers auth.json,
/// else anonymous. Files, environment and helper execution are injected so tests never read the real home.
public struct RegistryKeychain: Sendable {
    public var explicitCreds: String?
    public var environment: [String: String]
    public var homeDirectory: String
    public var helperRunner: CredentialHelperRunner

    static let dockerHubConfigKey = "https://index.docker.io/v1/"

    public init(
        explicitCreds: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        homeDirectory: String? = nil,
        helperRunner: CredentialHelperRunner = .process
    ) {
        self.explicitCreds = explicitCreds
        self.environment = environment
        self.homeDirectory = homeDirectory ?? environment["HOME"] ?? NSHomeDirectory()
        self.helperRunner = helperRunner
    }

    /// The files consulted, in order (only existing ones are read).
    public var dockerConfigPath: String {
        if let directory = environment["DOCKER_CONFIG"], !directory.isEmpty { return "\(directory)/config.json" }
        return "\(homeDirectory)/.docker/config.json"
    }

    public var containersAuthPath: String? {
        if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty { return file }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return "\(runtime)/containers/auth.json" }
        return nil
    }

    public func credential(for reference: OCIReference) throws -> RegistryCredential {
        if let explicitCreds { return try RegistryCredential(creds: explicitCreds) }
        if let found = try lookupDockerConfig(reference) { return found }
        if let found = try lookupContainersAuth(reference) { return found }
        return .anonymous
    }

    // MARK: Docker config

    private func lookupDockerConfig(_ reference: OCIReference) throws -> RegistryCredential? {
        let path = dockerConfigPath
        guard let config = try Self.loadAuthFile(path) else { return nil }
        let isDockerHub = reference.registry == OCIReference.dockerHubRegistry
        let serverURL = isDockerHub ? Self.dockerHubConfigKey : reference.registry
        let hostKeys = isDockerHub ? [Self.dockerHubConfigKey, "index.docker.io", "docker.io", "registry-1.docker.io"] : [reference.registry]

        if let helpers = config.credHelpers {
            for key in hostKeys {
                if let helper = helpers[key] { return try runHelper(helper, serverURL: serverURL) }
            }
        }
        if let store = config.credsStore, !store.isEmpty, let found = try runHelper(store, serverURL: serverURL) {
            return found
        }
        return try Self.match(config.auths ?? [:], keys: hostKeys, allowLegacySchemeKeys: true, file: path)
    }

    private func runHelper(_ helper: String, serverURL: String) throws -> RegistryCredential? {
        let output = try helperRunner.run(helper, serverURL, environment)
        if output.exitCode != 0 {
            let text = String(decoding: output.stdout, as: UTF8.self)
            if text.contains("credentials not found") { return nil }
            throw RegistryError(kind: .credentials, message: "credential helper docker-credential-\(helper) failed for \(serverURL) (exit \(output.exitCode)): \(RegistryError.oneLine(text))")
        }
        struct HelperAnswer: Decodable {
            var Username: String?
            var Secret: String?
        }
        guard let answer = try? JSONDecoder().decode(HelperAnswer.self, from: output.stdout) else {
            throw RegistryError(kind: .credentials, message: "credential helper docker-credential-\(helper) printed something that is not its JSON answer for \(serverURL)")
        }
        let secret = answer.Secret ?? ""
        let username = answer.Username ?? ""
        if secret.isEmpty && username.isEmpty { return nil }
        if username == "<token>" { return .identityToken(secret) }
        return .basic(username: username, password: secret)
    }

    // MARK: containers auth.json

    private func lookupContainersAuth(_ reference: OCIReference) throws -> RegistryCredential? {
        guard let path = containersAuthPath, let file = try Self.loadAuthFile(path) else { return nil }
        // Namespaced keys: most specific first (host/a/b/c, host/a/b, host/a, host).
        var keys: [String] = []
        var components = reference.repository.split(separator: "/").map(String.init)
        while !components.isEmpty {
            keys.append("\(reference.registry)/\(components.joined(separator: "/"))")
            components.removeLast()
        }
        keys.append(reference.registry)
        if reference.registry == OCIReference.dockerHubRegistry {
            keys += ["docker.io/\(reference.repository)", "docker.io", Self.dockerHubConfigKey]
        }
        if let helpers = file.credHelpers {
            for key in keys {
                if let helper = helpers[key] { return try runHelper(helper, serverURL: reference.registry) }
            }
        }
        return try Self.match(file.auths ?? [:], keys: keys, allowLegacySchemeKeys: false, file: path)
    }

    // MARK: File format shared by docker config.json and containers auth.json

    struct AuthFile: Decodable {
        var auths: [String: AuthEntry]?
        var credHelpers: [String: String]?
        var credsStore: String?
    }

    struct AuthEntry: Decodable {
        var auth: String?
        var username: String?
        var password: String?
        var identitytoken: String?
        var registrytoken: String?
    }

    static func loadAuthFile(_ path: String) throws -> AuthFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryError(kind: .credentials, message: "cannot read credentials file \(path): check its permissions")
        }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        do {
            return try JSONDecoder().decode(AuthFile.self, from: data)
        } catch {
            throw RegistryError(kind: .credentials, message: "credentials file \(path) is not valid JSON: fix or remove it")
        }
    }

    static func match(_ auths: [String: AuthEntry], keys: [String], allowLegacySchemeKeys: Bool, file: String) throws -> RegistryCredential? {
        for key in keys {
            if let entry = auths[key], let credential = try entry.credential(key: key, file: file) { return credential }
        }
        guard allowLegacySchemeKeys else { return nil }
        // Legacy keys like `https://registry.example.com/v1/` match by hostname.
        let wantedHosts = Set(keys.map { hostOfConfigKey($0) })
        for key in auths.keys.sorted() where key.contains("://") && wantedHosts.contains(hostOfConfigKey(key)) {
            if let credential = try auths[key]?.credential(key: key, file: file) { return credential }
        }
        return nil
    }

    static func hostOfConfigKey(_ key: String) -> String {
        var rest = Substring(key)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        return rest.lowercased()
    }
}

extension RegistryKeychain.AuthEntry {
    func credential(key: String, file: String) throws -> RegistryCredential? {
        if let registrytoken, !registrytoken.isEmpty { return .registryToken(registrytoken) }
        if let identitytoken, !identitytoken.isEmpty { return .identityToken(identitytoken) }
        if let auth, !auth.isEmpty {
            guard let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }),
                  let colon = decoded.firstIndex(of: ":") else {
                throw RegistryError(kind: .credentials, message: "the \"auth\" entry for \(key) in \(file) is not base64 of user:password")
            }
            return .basic(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        }
        if let username, !username.isEmpty {
            return .basic(username: username, password: password ?? "")
        }
        return nil
    }
}
