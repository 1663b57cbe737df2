import ArgumentParser
import Flux
import Foundation
import JSON
import KubeClient

/// NAME… or `--all`, shared by export, suspend and resume.
struct TargetNames: ParsableArguments {
    @Argument(help: "Object names (a repeated name is handled once).")
    var names: [String] = []

    @Flag(inversion: .prefixedNo, help: "Every object of the kind in the namespace.")
    var all = false

    func validate(command: String) throws {
        if names.isEmpty && !all { throw CommandError("\(command): give at least one name, or --all") }
        if !names.isEmpty && all { throw CommandError("\(command): give names or --all, not both") }
    }

    /// The names to act on: the given ones once each, or (`--all`) every object in the namespace.
    func resolve(_ target: FluxTarget) async throws -> [String] {
        if !all { return FluxCommandSupport.unique(names) }
        let list = try await target.client.list(target.resource, namespace: target.namespace)
        return list.items.compactMap { $0[path: "metadata", "name"]?.stringValue }
    }
}

/// `export`: YAML documents without status and server-set metadata.
enum FluxExporter {
    static func run(_ kind: FluxKind, names: TargetNames, kube: KubeOptions, context: CommandContext) async throws {
        try names.validate(command: "export")
        let target = try await FluxTarget.resolve(kind, kube: kube, context: context)
        var objects: [JSONValue] = []
        if names.all {
            objects = try await target.client.list(target.resource, namespace: target.namespace).items
            if objects.isEmpty {
                context.console.note("No resources found in \(target.namespace) namespace.")
                return
            }
        } else {
            for name in FluxCommandSupport.unique(names.names) {
                objects.append(try await target.client.get(target.resource, namespace: target.namespace, name: name))
            }
        }
        context.console.write(FluxExport.render(objects))
    }
}

/// `suspend` and `resume`: one merge patch per name; a missing name is reported and skipped, as flux does.
enum FluxSuspension {
    static func suspend(_ kind: FluxKind, names: TargetNames, kube: KubeOptions, context: CommandContext) async throws {
        try names.validate(command: "suspend")
        let target = try await FluxTarget.resolve(kind, kube: kube, context: context)
        let console = context.console
        for name in try await names.resolve(target) {
            // As flux: a missing object gets only the ✗ line, so the action line follows the patch.
            guard try await patch(target, name: name, body: FluxPatches.suspend) != nil else {
                console.failure("\(kind.kind) \(name) not found in \(target.namespace) namespace")
                continue
            }
            console.action("suspending \(kind.commandNoun) \(name) in \(target.namespace) namespace")
            console.success("\(kind.commandNoun) suspended")
        }
    }

    /// Waits by default when exactly one name is given; `wait` (from `--wait` / `--wait=false`) overrides.
    static func resume(_ kind: FluxKind, names: TargetNames, wait: Bool?, timeout: String, kube: KubeOptions,
                       context: CommandContext) async throws {
        try names.validate(command: "resume")
        let seconds = try FluxCommandSupport.seconds(timeout, flag: "--timeout")
        let target = try await FluxTarget.resolve(kind, kube: kube, context: context)
        let console = context.console
        let resolved = try await names.resolve(target)
        var resumed: [(name: String, object: JSONValue)] = []
        for name in resolved {
            guard let patched = try await patch(target, name: name, body: FluxPatches.resume) else {
                console.failure("\(kind.kind) \(name) not found in \(target.namespace) namespace")
                continue
            }
            console.action("resuming \(kind.commandNoun) \(name) in \(target.namespace) namespace")
            console.success("\(kind.commandNoun) resumed")
            resumed.append((name, patched))
        }
        // flux counts the arguments, not the distinct names: `resume ks a a` does not wait.
        guard wait ?? (names.names.count == 1), !resumed.isEmpty else { return }
        var failed = 0
        for (name, patched) in resumed {
            console.waiting("waiting for \(kind.kind) reconciliation")
            let waiter = ReadinessWaiter(client: target.client, resource: target.resource, namespace: target.namespace, name: name)
            do {
                let outcome = try await waiter.wait(from: patched, timeout: seconds)
                FluxReadyReport.print(outcome.object, kind: kind, name: name, console: console, afterCreate: false)
            } catch let failure as ReconciliationFailed {
                console.failure(failure.description)
                failed += 1
            }
        }
        if failed > 0 { throw CommandError("reconciliation failed for \(failed) \(kind.kind)(s)") }
    }

    /// The patched object, or nil when it does not exist.
    private static func patch(_ target: FluxTarget, name: String, body: JSONValue) async throws -> JSONValue? {
        do {
            return try await target.client.patch(target.resource, namespace: target.namespace, name: name, type: .merge, patch: body.data)
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }
}

/// `-y/--yes` and flux's `--silent` skip the confirmation.
struct ConfirmationOptions: ParsableArguments {
    @Flag(name: [.customShort("y"), .long], inversion: .prefixedNo, help: "Delete without asking.")
    var yes = false

    @Flag(inversion: .prefixedNo, help: "Delete without asking (flux's spelling; -s is kubectl's --server here).")
    var silent = false
}

/// `delete`: asks on a terminal, refuses without one unless told `--yes`.
enum FluxDeleter {
    static func run(_ kind: FluxKind, names: [String], confirmation: ConfirmationOptions, kube: KubeOptions,
                    context: CommandContext) async throws {
        let unique = FluxCommandSupport.unique(names)
        guard !unique.isEmpty else { throw CommandError("delete: give at least one \(kind.kind) name") }
        let confirmed = confirmation.yes || confirmation.silent
        if !confirmed && !context.stdinIsTerminal {
            throw CommandError("refusing to delete without confirmation: stdin is not a terminal; pass --yes to delete \(kind.kind) \(unique.joined(separator: ", "))")
        }
        let target = try await FluxTarget.resolve(kind, kube: kube, context: context)
        let console = context.console
        var failures = 0
        for name in unique {
            if !confirmed {
                console.stderr.write("Are you sure you want to delete \(kind.kind) \(target.namespace)/\(name)? [y/N] ")
                let answer = (context.readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
                guard answer == "y" || answer == "yes" else {
                    console.failure("\(kind.kind) \(target.namespace)/\(name) not deleted")
                    continue
                }
            }
            console.action("deleting \(kind.commandNoun) \(name) in \(target.namespace) namespace")
            do {
                _ = try await target.client.delete(target.resource, namespace: target.namespace, name: name)
                console.success("\(kind.commandNoun) deleted")
            } catch let error as KubeAPIError where error.isNotFound && unique.count > 1 {
                // With several names, report and carry on; the exit code says something failed.
                console.note(error.description)
                failures += 1
            }
        }
        if failures > 0 { throw AlreadyReported() }
    }
}
