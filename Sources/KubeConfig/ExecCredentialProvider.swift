import Foundation
import JSON
import SystemKit

/// Runs a client-go credential plugin (`users[].user.exec`, ExecCredential v1 / v1beta1) and caches its answer
/// in memory until `expirationTimestamp` (without one, for the life of the process), like client-go.
public final class ExecCredentialProvider: CredentialProvider, @unchecked Sendable {
    static let reservedExtensionName = "client.authentication.k8s.io/exec"
    static let supportedVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    /// The exec stanza, with a command containing '/' already absolute.
    public let config: ExecConfig
    /// `spec.cluster` of KUBERNETES_EXEC_INFO; nil unless `provideClusterInfo`.
    let clusterInfo: JSONValue?
    let environment: KubeEnvironment
    public var authDescription: String { "exec plugin \(config.command.split(separator: "/").last.map(String.init) ?? config.command)" }

    private struct Cached {
        var credential: Credential
        var expiry: Date?
    }
    private struct State {
        var cached: Cached?
        var inFlight: Task<Cached, Error>?
    }
    private let state = Locked(State())

    /// How long a plugin may run when `--request-timeout` does not say: client-go has no bound, so a plugin that
    /// hangs (a login prompt nobody sees, a dead metadata endpoint) would hang every command.
    public static let defaultTimeout: TimeInterval = 60

    /// The plugin runs in a process group of its own and is killed with it after this long or on cancellation.
    let timeout: TimeInterval

    public init(config: ExecConfig, clusterInfo: JSONValue?, environment: KubeEnvironment,
                timeout: TimeInterval = ExecCredentialProvider.defaultTimeout) {
        self.config = config
        self.clusterInfo = clusterInfo
        self.environment = environment
        self.timeout = timeout
    }

    /// One provider per distinct exec config and cluster in this process, as client-go caches, so building a
    /// client twice does not run the plugin twice.
    public static func shared(config: ExecConfig, clusterInfo: JSONValue?, environment: KubeEnvironment,
                              timeout: TimeInterval = ExecCredentialProvider.defaultTimeout) -> ExecCredentialProvider {
        var keyConfig = config
        keyConfig.raw = .null
        let key = "\(keyConfig)|\(clusterInfo?.compactString ?? "")|\(timeout)"
        return registry.withLock { registry in
            if let existing = registry[key] { return existing }
            let provider = ExecCredentialProvider(config: config, clusterInfo: clusterInfo, environment: environment, timeout: timeout)
            registry[key] = provider
            return provider
        }
    }

    private static let registry = Locked<[String: ExecCredentialProvider]>([:])

    public func credential() async throws -> Credential {
        let now = environment.now()
        enum Next { case ready(Credential), wait(Task<Cached, Error>) }
        let next: Next = state.withLock { state in
            if let cached = state.cached, cached.expiry.map({ $0 > now }) ?? true { return .ready(cached.credential) }
            if let running = state.inFlight { return .wait(running) }
            let task = Task { try await self.runPlugin() }
            state.inFlight = task
            return .wait(task)
        }
        switch next {
        case let .ready(credential):
            return credential
        case let .wait(task):
            do {
                // The run is shared by concurrent callers of one command; a cancelled command stops it (and the plugin).
                let result = try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
                state.withLock { state in
                    state.cached = result
                    state.inFlight = nil
                }
                return result.credential
            } catch {
                state.withLock { $0.inFlight = nil }
                throw error
            }
        }
    }

    public func invalidate(_ rejected: Credential?) {
        state.withLock { state in
            guard let cached = state.cached else { return }
            if rejected == nil || rejected == cached.credential { state.cached = nil }
        }
    }

    // MARK: Running the plugin

    private func failure(_ message: String) -> KubeConfigError {
        KubeConfigError(.credentials, "getting credentials: \(message)")
    }

    /// The executable to start: a path as configured, else the first match on PATH.
    func executablePath() throws -> String {
        let command = config.command
        if command.contains("/") {
            if environment.fileSystem.isExecutableFile(command) { return command }
        } else {
            let searchPath = environment.variables["PATH"] ?? ""
            for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
                let candidate = (directory.isEmpty ? environment.workingDirectory : String(directory)) + "/" + command
                if environment.fileSystem.isExecutableFile(candidate) { return candidate }
            }
        }
        // One line: what is missing, and the kubeconfig's own install hint when it has one.
        let hint = config.installHint.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        throw failure("exec plugin \(command) not found on PATH; "
            + (hint.isEmpty ? "install it or fix users[].user.exec.command in the kubeconfig" : hint))
    }

    /// Whether the plugin may talk to the user; `Always` without a terminal is an error.
    func isInteractive() throws -> Bool {
        let mode = config.interactiveMode.isEmpty ? "IfAvailable" : config.interactiveMode
        switch mode {
        case "Never": return false
        case "Always":
            guard environment.stdinIsTerminal else {
                throw failure("exec plugin cannot support interactive mode: standard input is not a terminal")
            }
            return true
        default: return environment.stdinIsTerminal
        }
    }

    /// The KUBERNETES_EXEC_INFO value.
    func execInfo(interactive: Bool) -> JSONValue {
        var spec: [(key: String, value: JSONValue)] = []
        if let clusterInfo { spec.append(("cluster", clusterInfo)) }
        spec.append(("interactive", .bool(interactive)))
        return .object([("kind", .string("ExecCredential")), ("apiVersion", .string(config.apiVersion)), ("spec", .object(spec))])
    }

    private func runPlugin() async throws -> Cached {
        let executable = try executablePath()
        let interactive = try isInteractive()
        var variables = environment.variables
        for variable in config.env ?? [] { variables[variable.name] = variable.value }
        variables["KUBERNETES_EXEC_INFO"] = execInfo(interactive: interactive).compactString
        let processVariables = variables

        // Cancelling the waiting command kills the plugin: the flag is read by the thread that waits for it.
        let cancelled = Locked(false)
        let (status, output) = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Int32, Data), Error>) in
                let thread = Thread {
                    continuation.resume(with: Result {
                        try self.runProcess(executable, variables: processVariables, interactive: interactive,
                                            shouldStop: { cancelled.withLock { $0 } })
                    })
                }
                thread.start()
            }
        } onCancel: {
            cancelled.withLock { $0 = true }
        }
        guard status == 0 else {
            throw failure("exec: executable \(config.command) failed with exit code \(status)")
        }
        return try parse(output)
    }

    private func runProcess(_ executable: String, variables: [String: String], interactive: Bool,
                            shouldStop: @escaping () -> Bool) throws -> (Int32, Data) {
        let capture: (@Sendable (Data) -> Void)? = if case let .capture(sink) = environment.pluginErrorOutput { sink } else { nil }
        let result: Subprocess.Result
        do {
            result = try Subprocess.run(executable: executable, arguments: config.args ?? [], environment: variables,
                                        workingDirectory: environment.workingDirectory,
                                        input: interactive ? .inherit : .nothing,
                                        errorOutput: capture == nil ? .inherit : .capture, timeout: timeout,
                                        ownProcessGroup: !interactive, shouldStop: shouldStop)
        } catch let error as Subprocess.LaunchError {
            throw failure("exec: cannot start \(config.command): \(error.reason)")
        } catch let error as Subprocess.Stopped {
            switch error.reason {
            case .timedOut(let seconds):
                throw failure("exec plugin \(config.command) did not answer within \(Self.format(seconds)) and was stopped (--request-timeout sets the bound; default \(Int(Self.defaultTimeout)) s)")
            case .cancelled:
                throw CancellationError()
            }
        }
        if let capture, !result.errorOutput.isEmpty { capture(Data(result.errorOutput)) }
        return (result.status, Data(result.output))
    }

    private func parse(_ output: Data) throws -> Cached {
        guard let document = try? JSONValue.parse(output), case .object = document else {
            throw failure("exec: decoding stdout: the plugin did not print an ExecCredential JSON object")
        }
        let returnedVersion = document["apiVersion"]?.stringValue ?? ""
        guard returnedVersion == config.apiVersion else {
            throw failure("exec plugin is configured to use API version \(config.apiVersion), plugin returned version \(returnedVersion)")
        }
        guard document["kind"]?.stringValue == "ExecCredential" else {
            throw failure("exec: decoding stdout: kind is not ExecCredential")
        }
        guard let status = document["status"], case .object = status else {
            throw failure("exec plugin didn't return a status field")
        }
        let token = status["token"]?.stringValue ?? ""
        let certificate = status["clientCertificateData"]?.stringValue ?? ""
        let key = status["clientKeyData"]?.stringValue ?? ""
        if certificate.isEmpty != key.isEmpty {
            throw failure("exec plugin returned only one of clientCertificateData and clientKeyData; both are needed")
        }
        let credential: Credential
        if !token.isEmpty {
            credential = .bearerToken(token)
        } else if !certificate.isEmpty {
            credential = .clientCertificate(certificatePEM: Data(certificate.utf8), keyPEM: Data(key.utf8))
        } else {
            throw failure("exec plugin didn't return a token or cert/key pair")
        }
        var expiry: Date?
        if let stamp = status["expirationTimestamp"]?.stringValue, !stamp.isEmpty {
            guard let date = Self.parseTimestamp(stamp) else {
                throw failure("exec: invalid expirationTimestamp \(stamp)")
            }
            expiry = date
        }
        return Cached(credential: credential, expiry: expiry)
    }

    static func format(_ seconds: TimeInterval) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
