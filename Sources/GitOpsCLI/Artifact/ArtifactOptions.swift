import ArgumentParser
import Foundation
import HTTPTransport
import JSON
import KubeConfig
import OCI

/// `--creds`, `--insecure-registry` and `-v`: how the artifact commands reach a registry.
struct RegistryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Registry credentials: <username>:<password>, or a single token sent as a bearer token. Without it: docker config, containers auth.json, else anonymous.", valueName: "creds"))
    var creds: String?

    @Flag(inversion: .prefixedNo, help: "Allow plain HTTP and skip TLS certificate verification for the registry.")
    var insecureRegistry = false

    @Option(name: .customShort("v"), help: ArgumentHelp("Log level: 6 requests, 8 headers (secrets redacted).", valueName: "level"))
    var verbosity: Int = 0

    @Option(help: ArgumentHelp("Bound on each registry request with its retries (1s, 2m, 1h; 0 = none). Without it a connection must open within 15 s and a transfer that moves no bytes for 30 s ends.", valueName: "duration"))
    var requestTimeout: String?

    /// How long a registry connection may take to open, and a transfer may move nothing, unless told otherwise.
    static let connectTimeout: TimeInterval = 15
    static let stallTimeout: TimeInterval = 30

    /// A client for `reference`'s registry with credentials from `--creds` or the keychain files of `context`'s environment.
    func client(for reference: OCIReference, context: CommandContext, progress: RegistryProgressHandler? = nil) throws -> RegistryClient {
        let environment = context.environment
        let keychain = RegistryKeychain(explicitCreds: creds, environment: environment, homeDirectory: environment["HOME"])
        var transport = TransportOptions(connectTimeout: Self.connectTimeout, stallTimeout: Self.stallTimeout,
                                         userAgent: KubectlGitOpsVersion.userAgent, verbosity: verbosity)
        if let bound = try parsedRequestTimeout() {
            transport.requestTimeout = bound
            transport.connectTimeout = min(transport.connectTimeout, bound)
            transport.stallTimeout = min(Self.stallTimeout, bound)
        }
        if verbosity > 0 {
            let console = context.console
            transport.log = { console.note($0) }
        }
        return try RegistryClient.live(for: reference, keychain: keychain, insecure: insecureRegistry,
                                       transportOptions: transport, progress: progress)
    }

    /// `--request-timeout` as kubectl reads it; nil for none.
    func parsedRequestTimeout() throws -> TimeInterval? {
        guard let requestTimeout else { return nil }
        do {
            return try KubeFlags.parseRequestTimeout(requestTimeout)
        } catch {
            throw ArtifactUsageError("--request-timeout \(requestTimeout): \(error)")
        }
    }
}

/// `--ignore-paths`, `--add-ignore-paths`, `--resolve-symlinks`: what goes into a built artifact.
struct IgnoreOptions: ParsableArguments {
    @Option(parsing: .singleValue, help: ArgumentHelp("Paths to leave out, gitignore syntax (comma list or repeated); replaces the defaults (.git/, *.png, *.zip, …).", valueName: "patterns"))
    var ignorePaths: [String] = []

    @Option(parsing: .singleValue, help: ArgumentHelp("Paths to leave out in addition to --ignore-paths or the defaults (comma list or repeated).", valueName: "patterns"))
    var addIgnorePaths: [String] = []

    @Flag(inversion: .prefixedNo, help: "Copy the content symbolic links point to instead of skipping the links.")
    var resolveSymlinks = false

    var buildOptions: ArtifactBuildOptions {
        func split(_ values: [String]) -> [String] {
            values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        }
        return ArtifactBuildOptions(ignorePaths: ignorePaths.isEmpty ? nil : split(ignorePaths),
                                    addIgnorePaths: split(addIgnorePaths), resolveSymlinks: resolveSymlinks)
    }
}

/// Helpers shared by the artifact commands: argument checks that fail before any request, and error reporting.
enum ArtifactCommandSupport {
    /// Parses the `oci://` argument; a usage error names it.
    static func reference(_ text: String?, what: String = "artifact") throws -> OCIReference {
        guard let text, !text.isEmpty else {
            throw ArtifactUsageError("an \(what) URL is required, e.g. oci://ghcr.io/org/app:v1")
        }
        do {
            return try OCIReference(parsing: text)
        } catch let error as RegistryError {
            throw ArtifactUsageError("invalid \(what) URL \"\(text)\": \(error.message)")
        }
    }

    /// A required option, checked here so the message is one line naming the flag.
    static func required(_ value: String?, flag: String, example: String) throws -> String {
        guard let value, !value.isEmpty else { throw ArtifactUsageError("\(flag) is required, e.g. \(flag)=\(example)") }
        return value
    }

    /// `path` made absolute against the command's working directory (`-` stays stdin).
    static func absolute(_ path: String, in context: CommandContext) -> String {
        if path == "-" || path.hasPrefix("/") { return path }
        if path.hasPrefix("~/"), let home = context.environment["HOME"] { return home + path.dropFirst(1) }
        return (context.workingDirectory as NSString).appendingPathComponent(path)
    }

    /// A private scratch directory for downloads and built layers, removed by the caller.
    static func scratchDirectory(_ label: String, context: CommandContext) throws -> String {
        var base = context.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
        if base.hasSuffix("/") && base.count > 1 { base.removeLast() }
        var template = Array("\(base)/kubectl-gitops-\(label)-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw CommandError("cannot create a temporary directory in \(base): \(String(cString: strerror(errno))); set TMPDIR to a writable directory")
        }
        return String(cString: created)
    }

    /// Reports `error` as one `✗` line and returns what to throw: the same exit code the error asks for, else `failureCode`.
    static func report(_ error: Error, console: Console, failureCode: Int32 = 1, usageCode: Int32 = 64) -> AlreadyReported {
        switch error {
        case let reported as AlreadyReported:
            return reported
        case is ArtifactInterrupted:
            console.failure("interrupted")
            return AlreadyReported(exitCode: 130)
        case let usage as ArtifactUsageError:
            console.failure(usage.message)
            return AlreadyReported(exitCode: usageCode)
        default:
            console.failure(oneLine(String(describing: error)))
            return AlreadyReported(exitCode: failureCode)
        }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// The Go-style `{…}` object of `pairs`, keys in the given order, 2-space indent, trailing newline.
    static func orderedJSON(_ pairs: [(String, String)], indent: String = "  ", level: Int = 0) -> String {
        let inner = String(repeating: indent, count: level + 1)
        let outer = String(repeating: indent, count: level)
        let members = pairs.map { "\(inner)\(CanonicalJSON.quoted($0.0)): \(CanonicalJSON.quoted($0.1))" }
        return "{\n" + members.joined(separator: ",\n") + "\n\(outer)}"
    }
}

/// A wrong or missing argument, found before any request was sent.
struct ArtifactUsageError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Ctrl-C arrived while the command was working.
struct ArtifactInterrupted: Error, CustomStringConvertible {
    var description: String { "interrupted" }
}
