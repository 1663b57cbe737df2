import Foundation

/// A real `docker-registry` (Debian's distribution 2.8) on a free 127.0.0.1 port, for integration tests.
/// Storage, config, certificates and logs live in a temp directory; `stop()` ends the processes it started.
public final class RegistryServer: @unchecked Sendable {
    public enum Mode: Sendable {
        /// Plain HTTP, no auth.
        case plainHTTP
        /// TLS with a test CA and htpasswd (bcrypt) users.
        case basicAuthTLS(users: [String: String])
        /// Plain HTTP registry with `auth.token` backed by Tests/Support/registry/token_server.py.
        case tokenAuth(TokenAuthConfig)
    }

    public struct TokenAuthConfig: Sendable {
        public var users: [String: (password: String, grants: [String: [String]])]
        public var anonymousGrants: [String: [String]]
        public var refreshTokens: [String: String]
        /// `token` or `access_token`: which field the token server answers with.
        public var tokenField: String
        public var expiresIn: Int

        public init(users: [String: (password: String, grants: [String: [String]])], anonymousGrants: [String: [String]] = [:],
                    refreshTokens: [String: String] = [:], tokenField: String = "token", expiresIn: Int = 300) {
            self.users = users
            self.anonymousGrants = anonymousGrants
            self.refreshTokens = refreshTokens
            self.tokenField = tokenField
            self.expiresIn = expiresIn
        }
    }

    public let mode: Mode
    public let directory: URL
    /// `127.0.0.1:PORT`
    public private(set) var host: String
    public let port: Int
    /// Registry stderr (access and app log): count PATCH/PUT here.
    public var logPath: String { directory.appendingPathComponent("registry.log").path }
    public var tokenLogPath: String { directory.appendingPathComponent("token.log").path }
    /// PEM of the CA that signed the TLS registry's certificate.
    public var caCertificatePath: String { directory.appendingPathComponent("certs/ca.crt").path }
    /// A directory with only `ca.crt`, for skopeo's `--src-cert-dir` / `--dest-cert-dir`.
    public var skopeoCertDirectory: String { directory.appendingPathComponent("certs/skopeo-certs").path }
    public var usesTLS: Bool { if case .basicAuthTLS = mode { return true } else { return false } }
    public private(set) var tokenRealm: String?

    /// run-registry.sh, which owns the registry; its stdin pipe closing (also when the test process dies) ends both.
    private var registryWrapper: Process?
    private var registryStdin: Pipe?
    private var registryPID: pid_t?
    private var tokenProcess: Process?
    private var tokenStdin: Pipe?
    private let lock = NSLock()

    /// Root of Tests/Support/registry (scripts and the token server).
    public static var supportDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Support/registry")
    }

    /// Starts the registry (and its token server) off the cooperative pool and waits until it answers.
    public static func start(_ mode: Mode) async throws -> RegistryServer {
        try await offPool { try startBlocking(mode) }
    }

    private static func startBlocking(_ mode: Mode) throws -> RegistryServer {
        let server = try RegistryServer(mode: mode)
        do {
            try server.prepare()
            try server.launchRegistry()
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    private init(mode: Mode) throws {
        self.mode = mode
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        host = "127.0.0.1:\(port)"
    }

    deinit { stop() }

    public var logText: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    public var tokenLogText: String { (try? String(contentsOfFile: tokenLogPath, encoding: .utf8)) ?? "" }

    /// How many completed requests with this method (and path fragment) the registry logged.
    public func requestCount(method: String, pathContains: String = "") -> Int {
        logText.split(separator: "\n").filter { line in
            line.contains("response completed") && line.contains("http.request.method=\(method) ")
                && (pathContains.isEmpty || line.contains(pathContains))
        }.count
    }

    /// Blobs committed by a successful upload (`PUT …?digest=` answered 201), in log order, with their stored size.
    /// The access log has no request sizes, so sizes come from the storage directory: sum them to count uploaded bytes.
    public func committedBlobUploads() -> [(digest: String, size: Int64)] {
        logText.split(separator: "\n").compactMap { line -> (digest: String, size: Int64)? in
            guard line.contains("response completed"), line.contains("http.request.method=PUT "),
                  line.contains("/blobs/uploads/"), line.contains("http.response.status=201"),
                  let range = line.range(of: "digest=sha256:") else { return nil }
            let hex = String(line[range.upperBound...].prefix { $0.isHexDigit })
            let data = directory.appendingPathComponent("storage/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data")
            let size = (try? FileManager.default.attributesOfItem(atPath: data.path)[.size] as? NSNumber)?.int64Value ?? 0
            return (digest: "sha256:" + hex, size: size)
        }
    }

    /// SIGKILL the registry (as a crash would), keeping its storage.
    public func kill() {
        lock.withLock {
            if let pid = registryPID { Foundation.kill(pid, SIGKILL) }
            try? registryStdin?.fileHandleForWriting.close()
            // Another child may hold a copy of the pipe, so EOF alone is not enough to end the wrapper.
            if let wrapper = registryWrapper, wrapper.isRunning { Foundation.kill(wrapper.processIdentifier, SIGKILL) }
            registryWrapper?.waitUntilExit()
            registryWrapper = nil
            registryStdin = nil
            registryPID = nil
        }
    }

    /// Starts the registry again on the same port and storage.
    public func restart() throws {
        kill()
        try launchRegistry()
    }

    public func stop() {
        kill()
        lock.withLock {
            // SIGKILL: children of the test runner inherit a signal mask that blocks SIGTERM.
            if let process = tokenProcess, process.isRunning {
                Foundation.kill(process.processIdentifier, SIGKILL)
            }
            try? tokenStdin?.fileHandleForWriting.close()
            tokenProcess?.waitUntilExit()
            tokenProcess = nil
            tokenStdin = nil
        }
    }

    /// Removes the temp directory too (call after reading logs).
    public func cleanUp() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Setup

    private func prepare() throws {
        let certs = directory.appendingPathComponent("certs").path
        try Self.run("/bin/bash", [Self.supportDirectory.appendingPathComponent("make-certs.sh").path, certs])
        var auth = ""
        var tls = ""
        switch mode {
        case .plainHTTP:
            break
        case .basicAuthTLS(let users):
            let htpasswd = directory.appendingPathComponent("htpasswd").path
            _ = FileManager.default.createFile(atPath: htpasswd, contents: nil)
            for (user, password) in users.sorted(by: { $0.key < $1.key }) {
                try Self.run("/usr/bin/htpasswd", ["-B", "-b", htpasswd, user, password])
            }
            auth = """
            auth:
              htpasswd:
                realm: kubectl-gitops-test
                path: \(htpasswd)
            """
            tls = """
              tls:
                certificate: \(certs)/server.crt
                key: \(certs)/server.key
            """
        case .tokenAuth(let config):
            let realm = try launchTokenServer(config, certs: certs)
            tokenRealm = realm
            auth = """
            auth:
              token:
                realm: \(realm)
                service: kubectl-gitops-test-registry
                issuer: kubectl-gitops-test-issuer
                rootcertbundle: \(certs)/token.crt
            """
        }
        let yaml = """
        version: 0.1
        log:
          level: info
          formatter: text
          fields:
            service: registry
        storage:
          filesystem:
            rootdirectory: \(directory.appendingPathComponent("storage").path)
          delete:
            enabled: true
          maintenance:
            uploadpurging:
              enabled: false
        http:
          addr: 127.0.0.1:\(port)
          secret: kubectl-gitops-test-secret
        \(tls)
        \(auth)

        """
        try yaml.write(to: directory.appendingPathComponent("config.yml"), atomically: true, encoding: .utf8)
    }

    private func launchTokenServer(_ config: TokenAuthConfig, certs: String) throws -> String {
        let portFile = directory.appendingPathComponent("token.port").path
        var users: [String: Any] = [:]
        for (name, entry) in config.users { users[name] = ["password": entry.password, "grants": entry.grants] }
        let json: [String: Any] = [
            "issuer": "kubectl-gitops-test-issuer", "service": "kubectl-gitops-test-registry",
            "key": "\(certs)/token.key", "cert": "\(certs)/token.crt", "port_file": portFile, "log": tokenLogPath,
            "users": users, "anonymous": config.anonymousGrants, "refresh_tokens": config.refreshTokens,
            "field": config.tokenField, "expires_in": config.expiresIn,
        ]
        let configPath = directory.appendingPathComponent("token-config.json")
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: configPath)
        _ = FileManager.default.createFile(atPath: tokenLogPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.supportDirectory.appendingPathComponent("token_server.py").path, configPath.path]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: tokenLogPath))
        try process.run()
        lock.withLock {
            tokenProcess = process
            tokenStdin = stdin
        }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let tokenPort = Int(text) {
                return "http://127.0.0.1:\(tokenPort)/token"
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw RegistryServerError("token server did not start; see \(tokenLogPath)")
    }

    private func launchRegistry() throws {
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let pidFile = directory.appendingPathComponent("registry.pid").path
        try? FileManager.default.removeItem(atPath: pidFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.supportDirectory.appendingPathComponent("run-registry.sh").path,
                             directory.appendingPathComponent("config.yml").path, pidFile]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = log
        process.standardError = log
        // The registry reads REGISTRY_* overrides from the environment: give it a clean one.
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path]
        try process.run()
        lock.withLock {
            registryWrapper = process
            registryStdin = stdin
        }
        var pidDeadline = Date().addingTimeInterval(10)
        while Date() < pidDeadline {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                lock.withLock { registryPID = pid }
                pidDeadline = .distantPast
            } else {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if Self.canConnect(port: port) { return }
            let registryAlive = lock.withLock { registryPID.map { Foundation.kill($0, 0) == 0 } ?? true }
            guard process.isRunning, registryAlive else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw RegistryServerError("docker-registry did not start on \(host); see \(logPath):\n\(logText.suffix(2000))")
    }

    // MARK: Helpers

    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RegistryServerError("\(executable) failed (\(process.terminationStatus)): \(String(decoding: stderr, as: UTF8.self))")
        }
    }

    /// Asks the OS for a free loopback port.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RegistryServerError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw RegistryServerError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

public struct RegistryServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs skopeo (or any tool) off the cooperative pool and captures its output, for reading back what a test pushed.
public enum ExternalTool {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: String
    }

    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> Result {
        let (status, stdout, stderr) = try await offPool { try KubeTestServer.run(executable, arguments, environment: environment) }
        return Result(status: status, stdout: stdout, stderr: stderr)
    }
}

extension RegistryServer {
    /// Pushes a one-layer Flux artifact (tar+gzip of `files`) with the test helper, independently of the plugin's
    /// own push; returns the manifest digest. Plain-HTTP registries only.
    public func pushFluxArtifact(_ repository: String, tag: String, files: [String: String]) throws -> String {
        let helper = KubeTestServer.repositoryRoot.appendingPathComponent("Tests/Support/kube-test-server/tests/registry.py").path
        let result = try KubeTestServer.run("/usr/bin/env", ["python3", helper, "push", host, repository, tag]
            + files.map { "\($0.key)=\($0.value)" })
        guard result.status == 0 else { throw KubeTestServerError("push failed: \(result.stderr)") }
        return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
