import ArgumentParser
import Flux
import Foundation

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Make Flux reconcile an object now, and watch for the result.",
        discussion: """
        Sets the reconcile.fluxcd.io/requestedAt annotation, then watches the object (no polling) until the
        controller reports that it handled the request, and fails as soon as the controller reports a failure.

        EXAMPLES:
          kubectl gitops reconcile ks podinfo --with-source
        """,
        subcommands: [ReconcileSourceCommand.self, ReconcileKustomizationCommand.self])
}

struct ReconcileSourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Reconcile Flux sources.",
        subcommands: [ReconcileSourceOCICommand.self])
}

/// Flags shared by the reconcile commands.
struct ReconcileOptions: ParsableArguments {
    @Argument(help: "Names of the objects to reconcile.")
    var names: [String] = []

    @Flag(name: .long, help: "Reconcile every object of this kind in the namespace.")
    var all = false

    @Option(help: "How long to wait for the result (e.g. 30s, 5m).")
    var timeout: String = "5m"

    @Flag(inversion: .prefixedNo, help: "Wait for the result; --wait=false only requests reconciliation and prints the token.")
    var wait = true

    func validate() throws {
        if names.isEmpty && !all { throw ValidationError("name is required (or --all)") }
        if !names.isEmpty && all { throw ValidationError("give names or --all, not both") }
        _ = try timeoutSeconds()
    }

    func timeoutSeconds() throws -> TimeInterval {
        do {
            return TimeInterval(try GoDuration.parse(timeout, flag: "--timeout").nanoseconds) / 1e9
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Names in order, each once (flux handles a repeated name once).
    var uniqueNames: [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

struct ReconcileSourceOCICommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract: "Reconcile OCIRepository sources: fetch the newest artifact now.",
        discussion: """
        EXAMPLES:
          kubectl gitops reconcile source oci podinfo
        """)

    @OptionGroup var options: ReconcileOptions
    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await runReconcile(kind: .ociRepository, options: options, kube: kube, withSource: false, context: context)
    }
}

struct ReconcileKustomizationCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "kustomization",
        abstract: "Reconcile Kustomizations: apply the newest revision of their source now.",
        discussion: """
        EXAMPLES:
          kubectl gitops reconcile ks podinfo --with-source
        """,
        aliases: ["ks"])

    @OptionGroup var options: ReconcileOptions

    @Flag(inversion: .prefixedNo, help: "Reconcile the Kustomization's OCIRepository first, and stop if that fails.")
    var withSource = false

    @OptionGroup(title: "Kubernetes flags") var kube: KubeOptions

    func run(_ context: CommandContext) async throws {
        try await runReconcile(kind: .kustomization, options: options, kube: kube, withSource: withSource, context: context)
    }
}

extension ReconcileSourceOCICommand: CompletesFluxNames {
    static var completedKind: FluxKind { .ociRepository }
}

extension ReconcileKustomizationCommand: CompletesFluxNames {
    static var completedKind: FluxKind { .kustomization }
}

/// Reconciles each object in turn; a failure is reported and the others still run; exit 1 if any failed.
private func runReconcile(kind: FluxKind, options: ReconcileOptions, kube: KubeOptions, withSource: Bool, context: CommandContext) async throws {
    let session = try KubeSession.make(options: kube, context: context)
    let reconciler = Reconciler(session: session, console: context.console, now: context.now)
    let namespace = session.namespace
    let requests = options.all
        ? try await reconciler.all(kind, namespace: namespace)
        : options.uniqueNames.map { Reconciler.Request(kind: kind, name: $0, namespace: namespace) }
    let timeout = try options.timeoutSeconds()
    var failures = 0
    for request in requests {
        do {
            if withSource {
                let source = try await reconciler.sourceOf(kustomization: request.name, namespace: request.namespace)
                try await reconciler.reconcile(source, wait: true, timeout: timeout)
            }
            try await reconciler.reconcile(request, wait: options.wait, timeout: timeout)
        } catch {
            failures += 1
            context.console.failure(CLI.message(for: error).replacingOccurrences(of: "error: ", with: "", options: .anchored))
        }
    }
    if failures > 0 { throw AlreadyReported() }
}
