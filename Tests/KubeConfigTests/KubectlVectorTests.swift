import Foundation
import JSON
import Testing

@testable import KubeConfig

/// Replays the recorded `kubectl` runs in Tests/Fixtures/kubeconfig-vectors against our loader, renderer and resolver.
struct KubectlVectorTests {
    static let vectorsDirectory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kubeconfig-vectors")

    static let caseNames: [String] = {
        let directory = vectorsDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { FileManager.default.fileExists(atPath: directory.appendingPathComponent("\($0)/case.json").path) }.sorted()
    }()

    @Test func allThirtyFiveVectorsArePresent() throws {
        #expect(Self.caseNames.count == 35, "expected 35 cases in \(Self.vectorsDirectory.path)")
    }

    @Test(arguments: caseNames)
    func vector(_ name: String) async throws {
        let caseDirectory = Self.vectorsDirectory.appendingPathComponent(name).path
        let setup = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: caseDirectory + "/case.json")))
        let expected = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: caseDirectory + "/expected.json")))
        guard case let .object(commands)? = setup["commands"], case let .object(results) = expected else {
            Issue.record("\(name): malformed case.json / expected.json")
            return
        }
        #expect(commands.map(\.key) == results.map(\.key), "\(name): every command has a recorded result")
        let baseArguments = Self.strings(setup["args"])

        for (key, command) in commands {
            let expectedResult = try #require(expected[key])
            let arguments = Self.strings(command) + baseArguments
            let outcome: Outcome
            if key.hasPrefix("clientProbe") {
                outcome = await Self.runClientProbe(caseDirectory: caseDirectory, setup: setup, arguments: arguments)
            } else {
                outcome = Self.runConfigView(caseDirectory: caseDirectory, setup: setup, arguments: arguments)
            }
            Self.compare(outcome, with: expectedResult, case: name, key: key, caseDirectory: caseDirectory)
        }

        try await Self.checkFlagEffects(name, caseDirectory: caseDirectory, setup: setup)
    }

    // MARK: Running

    enum Outcome {
        case json(JSONValue)
        case failure(stderr: String, stdout: String)
        /// A resolved client that would now connect (case 22 falls back to localhost:8080).
        case connects(ClientConfig)
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case let .array(items)? = value else { return [] }
        return items.compactMap(\.stringValue)
    }

    static func environment(caseDirectory: String, setup: JSONValue, capture: CapturedOutput? = nil) -> KubeEnvironment {
        var variables = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        if case let .array(entries)? = setup["KUBECONFIG"] {
            variables["KUBECONFIG"] = entries.compactMap(\.stringValue).map { caseDirectory + "/" + $0 }.joined(separator: ":")
        }
        let home = caseDirectory + "/" + (setup["HOME"]?.stringValue ?? "home")
        variables["HOME"] = home
        var environment = KubeEnvironment(
            variables: variables,
            workingDirectory: PathRules.clean(caseDirectory + "/" + (setup["cwd"]?.stringValue ?? ".")),
            homeDirectory: home,
            stdinIsTerminal: false,
            serviceAccountDirectory: caseDirectory + "/no-service-account"
        )
        if let capture {
            environment.pluginErrorOutput = .capture { capture.appendStderr(String(decoding: $0, as: UTF8.self)) }
            // stdin is empty in the recordings: the prompt is printed, then reading hits end of input.
            environment.usernamePrompt = UsernamePrompt(write: { capture.appendStdout($0) }, readLine: { nil })
        }
        return environment
    }

    struct ParsedArguments {
        var flags = KubeFlags()
        var minify = false
        var raw = false
        var flatten = false
        var merge = true
    }

    static func parse(_ arguments: [String]) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        func value() -> String {
            index += 1
            return index < arguments.count ? arguments[index] : ""
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--kubeconfig": parsed.flags.kubeconfig = value()
            case "--context": parsed.flags.context = value()
            case "--cluster": parsed.flags.cluster = value()
            case "--user": parsed.flags.user = value()
            case "-n", "--namespace": parsed.flags.namespace = value()
            case "--server": parsed.flags.server = value()
            case "--token": parsed.flags.token = value()
            case "--minify": parsed.minify = true
            case "--raw": parsed.raw = true
            case "--flatten": parsed.flatten = true
            case "--merge=false": parsed.merge = false
            case "-o": _ = value()
            default:
                if argument.hasPrefix("--request-timeout=") {
                    parsed.flags.requestTimeout = String(argument.dropFirst("--request-timeout=".count))
                }
            }
            index += 1
        }
        return parsed
    }

    static func runConfigView(caseDirectory: String, setup: JSONValue, arguments: [String]) -> Outcome {
        let parsed = parse(arguments)
        let loader = KubeConfigLoader(environment: environment(caseDirectory: caseDirectory, setup: setup))
        do {
            let config = try loader.load(explicitPath: parsed.flags.kubeconfig, missingExplicitFile: parsed.merge ? .empty : .failOnOpen)
            let options = ConfigView.Options(minify: parsed.minify, raw: parsed.raw, flatten: parsed.flatten, context: parsed.flags.context)
            return .json(try ConfigView.render(config, options: options))
        } catch let error as KubeConfigError {
            return .failure(stderr: error.kubectlStderr, stdout: "")
        } catch {
            return .failure(stderr: "unexpected error type: \(error)", stdout: "")
        }
    }

    static func runClientProbe(caseDirectory: String, setup: JSONValue, arguments: [String]) async -> Outcome {
        let capture = CapturedOutput()
        let loader = KubeConfigLoader(environment: environment(caseDirectory: caseDirectory, setup: setup, capture: capture))
        do {
            let client = try loader.clientConfig(flags: parse(arguments).flags)
            // A real command asks for credentials before its first request; exec plugins run here.
            _ = try await client.credentials.credential()
            return .connects(client)
        } catch let error as KubeConfigError {
            return .failure(stderr: capture.stderr + error.kubectlStderr, stdout: capture.stdout)
        } catch {
            return .failure(stderr: "unexpected error type: \(error)", stdout: capture.stdout)
        }
    }

    // MARK: Comparing

    /// Where we say it differently on purpose. client-go explains a missing exec plugin in six lines (name, a
    /// paragraph, a documentation link, the install hint); we say the same name and hint in one line.
    static func intended(_ kubectlError: String) -> String {
        let marker = "\n\nIt looks like you are trying to use a client-go credential plugin that is not installed."
        guard let intro = kubectlError.range(of: marker),
              let named = kubectlError.range(of: "exec: executable ", options: .backwards, range: kubectlError.startIndex..<intro.lowerBound) else {
            return kubectlError
        }
        let command = kubectlError[named.upperBound..<intro.lowerBound].replacingOccurrences(of: " not found", with: "")
        let paragraphs = kubectlError[intro.upperBound...].components(separatedBy: "\n\n")
        let hint = paragraphs.count > 2 ? paragraphs.dropFirst(2).joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return String(kubectlError[..<named.lowerBound]) + "exec plugin \(command) not found on PATH; "
            + (hint.isEmpty ? "install it or fix users[].user.exec.command in the kubeconfig" : hint) + "\n"
    }

    static func compare(_ outcome: Outcome, with expected: JSONValue, case name: String, key: String, caseDirectory: String) {
        let expectedError = expected["error"]?.stringValue.map { intended($0.replacingOccurrences(of: "${CASE}", with: caseDirectory)) }
        switch outcome {
        case let .json(actual):
            if let expectedError {
                Issue.record("\(name) \(key): kubectl failed with \(expectedError.debugDescription) but we printed JSON:\n\(actual.rendered())")
            } else if !actual.isIdentical(to: expected) {
                Issue.record("\(name) \(key): JSON differs.\nexpected:\n\(expected.rendered())\nactual:\n\(actual.rendered())")
            }
        case let .failure(stderr, stdout):
            guard let expectedError else {
                Issue.record("\(name) \(key): kubectl succeeded but we failed with \(stderr.debugDescription)")
                return
            }
            if stderr != expectedError {
                Issue.record("\(name) \(key): error text differs.\nexpected: \(expectedError.debugDescription)\nactual:   \(stderr.debugDescription)")
            }
            let expectedStdout = expected["stdout"]?.stringValue ?? ""
            if stdout != expectedStdout {
                Issue.record("\(name) \(key): stdout differs: expected \(expectedStdout.debugDescription), got \(stdout.debugDescription)")
            }
        case let .connects(client):
            // kubectl got as far as connecting; the only recorded case is the localhost:8080 fallback.
            guard let expectedError, expectedError.contains("The connection to the server localhost:8080 was refused") else {
                Issue.record("\(name) \(key): we resolved a client for \(client.server) but kubectl printed \(expected.rendered())")
                return
            }
            if client.server.absoluteString != "http://localhost:8080" {
                Issue.record("\(name) \(key): expected the http://localhost:8080 fallback, got \(client.server)")
            }
        }
    }

    /// `config view` ignores --cluster, --user, -n, --server and --token (cases 16–21); check what they do to a client.
    static func checkFlagEffects(_ name: String, caseDirectory: String, setup: JSONValue) async throws {
        let arguments = strings(setup["args"])
        guard ["16", "17", "18", "19", "20", "21"].contains(String(name.prefix(2))) else { return }
        let loader = KubeConfigLoader(environment: environment(caseDirectory: caseDirectory, setup: setup))
        let client = try loader.clientConfig(flags: parse(arguments).flags)
        switch name.prefix(2) {
        case "16":
            #expect(client.clusterName == "staging-cluster", "\(name)")
            #expect(client.userName == "staging-user", "\(name)")
            #expect(client.server.absoluteString == "https://staging.example:6443", "\(name)")
            #expect(client.transportOptions.insecureSkipTLSVerify, "\(name): staging-cluster is insecure")
            #expect(try await client.credentials.credential() == .bearerToken("staging-token"), "\(name)")
            #expect(client.namespace == "prod-ns", "\(name): the context (prod) still gives the namespace")
        case "17":
            #expect(client.namespace == "override-ns", "\(name)")
            #expect(client.contextName == "prod", "\(name)")
        case "18":
            #expect(client.namespace == "override-ns", "\(name)")
            #expect(client.contextName == "staging", "\(name)")
        case "19":
            #expect(client.namespace == "flux-system", "\(name): our default namespace")
            #expect(client.namespaceIsExplicit == false, "\(name)")
        case "20":
            #expect(client.server.absoluteString == "https://override.example:7443", "\(name)")
            #expect(client.transportOptions.tlsServerName == nil, "\(name): --server drops the kubeconfig tls-server-name")
        default:
            #expect(try await client.credentials.credential() == .bearerToken("override-token"), "\(name)")
            #expect(client.authDescription == "bearer token", "\(name)")
        }
    }
}

/// Collects what a command writes, from any thread.
final class CapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var out = ""
    private var err = ""

    func appendStdout(_ text: String) { lock.lock(); out += text; lock.unlock() }
    func appendStderr(_ text: String) { lock.lock(); err += text; lock.unlock() }
    var stdout: String { lock.lock(); defer { lock.unlock() }; return out }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return err }
}
