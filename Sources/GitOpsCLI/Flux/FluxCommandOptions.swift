import ArgumentParser
import Flux
import Foundation

/// `--wait` / `--timeout`: the same meaning on every command that changes a Flux object.
struct WaitOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Wait for the object to become Ready after applying (--wait=false to return at once).")
    var wait = true

    @Option(help: "How long to wait for Ready (Go duration: 30s, 5m, 1h).")
    var timeout: String = "5m"

    /// The wait timeout in seconds; the error names `--timeout`.
    func timeoutSeconds() throws -> TimeInterval {
        try FluxCommandSupport.seconds(timeout, flag: "--timeout")
    }
}

/// `--export`, `--dry-run`, `--force-conflicts`: how `create` and `bootstrap` apply what they built.
struct ApplyOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Print the objects as YAML instead of applying them (no cluster access).")
    var export = false

    @Option(name: .customLong("dry-run"), help: "none; client: validate locally and send nothing; server: the API server validates, nothing is stored.")
    var dryRun: DryRunMode = .none

    @Flag(inversion: .prefixedNo, help: "Take ownership of fields another field manager owns (server-side apply force=true).")
    var forceConflicts = false
}

enum DryRunMode: String, ExpressibleByArgument, CaseIterable {
    case none, client, server
}

/// `-o` and `--no-header` of `get`.
struct OutputOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Output format: table, wide, yaml, json or name.")
    var output: OutputFormat = .table

    @Flag(inversion: .prefixedNo, help: "Omit the table header.")
    var noHeader = false
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, wide, yaml, json, name
}

enum FluxCommandSupport {
    /// A Go duration flag as seconds.
    static func seconds(_ text: String, flag: String) throws -> TimeInterval {
        let duration = try GoDuration.parse(text, flag: flag)
        return TimeInterval(duration.nanoseconds) / 1_000_000_000
    }

    /// Names in the order given, each once (flux handles a repeated name once).
    static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    /// The namespace for commands that may not touch the cluster (`--export`, `--dry-run=client`): `-n`, else the
    /// kubeconfig context's, else flux-system — reading kubeconfig sends no request.
    static func offlineNamespace(_ kube: KubeOptions, context: CommandContext) -> String {
        if let namespace = kube.namespace, !namespace.isEmpty { return namespace }
        return (try? KubeSession.make(options: kube, context: context))?.namespace ?? defaultFluxNamespace
    }
}
