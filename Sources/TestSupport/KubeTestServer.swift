import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What went wrong while starting or controlling the kube test server.
public struct KubeTestServerError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Launches `Tests/Support/kube-test-server/server.py` (a kube-apiserver double with the Flux CRDs) on
/// 127.0.0.1 with a fresh CA, and drives its `/_test/` control API through the `curl` CLI.
///
/// ```swift
/// let server = try await KubeTestServer.start()
/// defer { server.stop() }
/// // point a kubeconfig or transport at server.url with server.caPEM and server.adminToken
/// ```
public final class KubeTestServer: @unchecked Sendable {
    public enum FluxVersion: String, Sendable {
        case v1, v1beta2, none
    }

    public struct Options: Sendable {
        /// Run the simulated Flux controllers loop (`--controllers`).
        public var controllers: Bool
        /// How long simulated controllers wait before reacting (`--reaction-delay-ms`).
        public var reactionDelayMilliseconds: Int?
        /// Which Flux API version the cluster serves; `.none` answers 404 for both Flux groups.
        public var fluxVersion: FluxVersion
        /// Directory with the Flux CRDs; default: `Tests/Fixtures/flux-crds`.
        public var crdDirectory: String?
        /// How many watch events the server keeps before older resourceVersions answer 410 Expired.
        public var eventWindow: Int?
        /// Interval between watch BOOKMARK events when a client allows them.
        public var bookmarkIntervalMilliseconds: Int?
        /// How long to wait for the server to write ready.json.
        public var startTimeout: TimeInterval

        public init(controllers: Bool = false, reactionDelayMilliseconds: Int? = nil, fluxVersion: FluxVersion = .v1,
                    crdDirectory: String? = nil, eventWindow: Int? = nil, bookmarkIntervalMilliseconds: Int? = nil,
                    startTimeout: TimeInterval = 30) {
            self.controllers = controllers
            self.reactionDelayMilliseconds = reactionDelayMilliseconds
            self.fluxVersion = fluxVersion
            self.crdDirectory = crdDirectory
            self.eventWindow = eventWindow
            self.bookmarkIntervalMilliseconds = bookmarkIntervalMilliseconds
            self.startTimeout = startTimeout
        }
    }

    /// A failure the server answers instead of handling a request (`failNext` of `/_test/faults`).
    public struct FailureRule: Sendable {
        public var status: Int
        public var count: Int
        public var retryAfter: String?
        public var pathContains: String?
        public var method: String?

        public init(status: Int = 503, count: Int = 1, retryAfter: String? = nil, pathContains: String? = nil,
                    method: String? = nil) {
            self.status = status
            self.count = count
            self.retryAfter = retryAfter
            self.pathContains = pathContains
            self.method = method
        }

        var json: [String: Any] {
            var rule: [String: Any] = ["status": status, "count": count]
            if let retryAfter { rule["retryAfter"] = retryAfter }
            if let pathContains { rule["pathContains"] = pathContains }
            if let method { rule["method"] = method }
            return rule
        }
    }

    /// One API request the server received (control calls are not logged). Tokens are never recorded.
    public struct RecordedRequest: Decodable, Sendable {
        public let seq: Int
        public let method: String
        public let path: String
        public let query: [String: String]
        public let headers: [String: String]
        /// "token", "certificate", "anonymous" or "invalid-token".
        public let auth: String
        public let user: String?
        public let status: Int?
        /// True when the answer was an injected fault.
        public let fault: Bool?
        public let body: String?
        /// "HTTP/2" (TLS ALPN h2) or "HTTP/1.1": the protocol the request came over.
        public let `protocol`: String?
        /// The effective groups (the impersonated ones when impersonating).
        public let groups: [String]?
        /// The authenticated user that impersonated `user` (Impersonate-User accepted).
        public let impersonatedBy: String?
        /// What the Impersonate-User / Impersonate-Group headers asked for, accepted or not.
        public let impersonate: Impersonation?

        public struct Impersonation: Decodable, Sendable {
            public let user: String
            public let groups: [String]
        }
    }

    /// When a simulated controller wrote status (`GET /_test/status-writes`).
    public struct StatusWrite: Decodable, Sendable {
        public let kind: String
        public let namespace: String
        public let name: String
        /// Seconds since 1970 (server clock, same machine).
        public let time: Double
        /// Whether the written status had Ready=True.
        public let ready: Bool
        /// Ready's status as written: "Unknown" for the in-progress write before the result, "True" or "False".
        public let readyStatus: String?
        /// Ready's reason ("Progressing" while in progress).
        public let reason: String?
        /// Whether the write had Reconciling=True.
        public let reconciling: Bool?
        /// The object's resourceVersion after the write.
        public let resourceVersion: String?
    }

    public let url: String
    public let port: Int
    public let stateDir: String
    public let caPath: String
    public let caPEM: String
    public let adminToken = "admin-token"
    public let viewerToken = "viewer-token"
    /// A service account without RBAC: every API call answers 403 Forbidden.
    public let nobodyToken = "nobody-token"
    /// User dev: everything on OCIRepositories/Kustomizations in namespace apps, read-only in flux-system (rbac.py).
    public let devToken = "dev-token"
    /// Admin client certificate (CN admin, O system:masters) and its key.
    public let clientCertPath: String
    public let clientKeyPath: String
    /// Second client identity (CN viewer): may read, may not write.
    public let viewerCertPath: String
    public let viewerKeyPath: String
    /// Contexts: test-admin (token, current), test-cert (client certificate), test-viewer, test-nobody, all with
    /// namespace flux-system, and test-dev (namespace apps).
    public let kubeconfigPath: String

    public var clientCertPEM: String { (try? String(contentsOfFile: clientCertPath, encoding: .utf8)) ?? "" }
    public var clientKeyPEM: String { (try? String(contentsOfFile: clientKeyPath, encoding: .utf8)) ?? "" }

    private let server: PythonServerProcess
    private let lock = NSLock()
    private var stopped = false

    private init(server: PythonServerProcess, port: Int) throws {
        self.server = server
        self.port = port
        let stateDir = server.stateDir
        self.stateDir = stateDir
        url = "https://127.0.0.1:\(port)"
        caPath = stateDir + "/ca.crt"
        caPEM = try String(contentsOfFile: caPath, encoding: .utf8)
        clientCertPath = stateDir + "/admin.crt"
        clientKeyPath = stateDir + "/admin.key"
        viewerCertPath = stateDir + "/viewer.crt"
        viewerKeyPath = stateDir + "/viewer.key"
        kubeconfigPath = stateDir + "/kubeconfig"
    }

    deinit {
        stop()
    }

    /// The repository root, found from this file's location (Sources/TestSupport/KubeTestServer.swift).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var serverScriptPath: String {
        repositoryRoot.appendingPathComponent("Tests/Support/kube-test-server/server.py").path
    }

    /// Starts a server on a free port and waits, off the cooperative pool, until it listens.
    public static func start(_ options: Options = Options()) async throws -> KubeTestServer {
        try await offPool { try startBlocking(options) }
    }

    private static func startBlocking(_ options: Options) throws -> KubeTestServer {
        var arguments = ["--port", "0", "--flux-version", options.fluxVersion.rawValue]
        if options.controllers { arguments.append("--controllers") }
        if let delay = options.reactionDelayMilliseconds { arguments += ["--reaction-delay-ms", String(delay)] }
        if let directory = options.crdDirectory { arguments += ["--crd-dir", directory] }
        if let window = options.eventWindow { arguments += ["--event-window", String(window)] }
        if let interval = options.bookmarkIntervalMilliseconds {
            arguments += ["--bookmark-interval-ms", String(interval)]
        }
        struct Ready: Decodable { var port: Int }
        let (server, ready) = try PythonServerProcess.launch(script: serverScriptPath, label: "kube test server", arguments: arguments,
                                                             logName: "server.log", startTimeout: options.startTimeout, ready: Ready.self)
        do {
            return try KubeTestServer(server: server, port: ready.port)
        } catch {
            server.stop()
            throw error
        }
    }

    /// Stops the server (SIGTERM, then SIGKILL after 3 s) and removes its state directory. Safe to call twice.
    public func stop() {
        lock.lock()
        let alreadyStopped = stopped
        stopped = true
        lock.unlock()
        if !alreadyStopped { server.stop() }
    }

    // MARK: - Control API

    /// Adds latency, queued failures and/or a watch cut. Failures are consumed in order by matching requests.
    public func setFaults(latencyMilliseconds: Int? = nil, failNext: [FailureRule] = [],
                          cutWatchAfterEvents: Int? = nil, cutWatchCount: Int = 1) async throws {
        var body: [String: Any] = [:]
        if let latencyMilliseconds { body["latencyMs"] = latencyMilliseconds }
        if !failNext.isEmpty { body["failNext"] = failNext.map(\.json) }
        if let cutWatchAfterEvents {
            body["cutWatchAfterEvents"] = cutWatchAfterEvents
            body["cutWatchCount"] = cutWatchCount
        }
        _ = try await control("POST", "faults", body: body)
    }

    /// Clears faults, the request log and all objects (back to the namespaces default, flux-system, apps).
    public func reset() async throws {
        _ = try await control("POST", "reset", body: [:])
    }

    /// Forgets the event history: watches and continue tokens from before now get 410 Expired.
    public func compact() async throws {
        _ = try await control("POST", "compact", body: [:])
    }

    public func requests() async throws -> [RecordedRequest] {
        let data = try await control("GET", "requests", body: nil)
        do {
            return try JSONDecoder().decode([RecordedRequest].self, from: data)
        } catch {
            throw KubeTestServerError("the kube test server's request log is not readable: \(error)")
        }
    }

    public func clearRequests() async throws {
        _ = try await control("DELETE", "requests", body: nil)
    }

    /// Stores objects (OCIRepository / Kustomization dictionaries) without validation; namespaces are created
    /// as needed. Returns the resourceVersion after seeding.
    @discardableResult
    public func seed(objects: [[String: Any]]) async throws -> String {
        let data = try await control("POST", "objects", body: ["objects": objects])
        let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return answer?["resourceVersion"] as? String ?? ""
    }

    /// Writes an object's status as a controller would (replace, or JSON merge when `merge`); returns the object.
    @discardableResult
    public func writeStatus(kind: String, namespace: String = "flux-system", name: String, status: [String: Any],
                            merge: Bool = false) async throws -> [String: Any] {
        let data = try await control("POST", "status", body: ["kind": kind, "namespace": namespace, "name": name,
                                                         "status": status, "merge": merge])
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Changes how long the simulated controllers wait before writing status (needs `controllers: true`).
    public func setReactionDelay(milliseconds: Int) async throws {
        _ = try await control("POST", "controllers", body: ["reactionDelayMs": milliseconds])
    }

    /// Status writes by the simulated controllers since start or the last reset.
    public func statusWrites() async throws -> [StatusWrite] {
        let data = try await control("GET", "status-writes", body: nil)
        do {
            return try JSONDecoder().decode([StatusWrite].self, from: data)
        } catch {
            throw KubeTestServerError("the kube test server's status-writes log is not readable: \(error)")
        }
    }

    /// One control call through the curl CLI; throws with the server's answer when it is not 2xx.
    @discardableResult
    public func control(_ method: String, _ endpoint: String, body: [String: Any]?) async throws -> Data {
        var arguments = ["-sS", "--cacert", caPath, "-X", method, "-o", "-", "-w", "\n%{http_code}",
                         "\(url)/_test/\(endpoint)"]
        var input: Data?
        if let body {
            input = try JSONSerialization.data(withJSONObject: body)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        }
        let curl = try Self.executable(named: "curl")
        let (status, output, errors) = try await offPool { try Self.run(curl, arguments, input: input) }
        guard status == 0, let split = output.lastIndex(of: UInt8(ascii: "\n")) else {
            throw KubeTestServerError("curl \(method) /_test/\(endpoint) failed (exit \(status)): \(errors)")
        }
        let code = Int(String(decoding: output[(split + 1)...], as: UTF8.self)) ?? 0
        let payload = Data(output[..<split])
        guard (200..<300).contains(code) else {
            throw KubeTestServerError("kube test server answered \(code) to \(method) /_test/\(endpoint): "
                + String(decoding: payload, as: UTF8.self))
        }
        return payload
    }

    // MARK: - Process helpers

    static func executable(named name: String) throws -> String {
        try PythonServerProcess.executable(named: name)
    }

    /// Runs a program to completion; returns exit status, stdout and stderr.
    public static func run(_ executable: String, _ arguments: [String], input: Data? = nil,
                           environment: [String: String]? = nil, currentDirectory: String? = nil) throws
        -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let errorBox = DataBox()
        let reader = Thread { errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorBox.done { usleep(1_000) }
        return (process.terminationStatus, output, String(decoding: errorBox.data, as: UTF8.self))
    }
}

private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage = Data()
    private var finished = false

    var data: Data {
        get { lock.lock(); defer { lock.unlock() }; return storage }
        set { lock.lock(); storage = newValue; finished = true; lock.unlock() }
    }

    var done: Bool {
        lock.lock(); defer { lock.unlock() }
        return finished
    }
}
