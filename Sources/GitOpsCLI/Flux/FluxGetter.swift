import ArgumentParser
import Flux
import Foundation
import JSON
import KubeClient

/// The flags every `get` shares.
struct GetOptions: ParsableArguments {
    @Flag(name: [.customShort("A"), .long], inversion: .prefixedNo, help: "List objects in every namespace.")
    var allNamespaces = false

    @Option(name: [.customShort("l"), .long], help: "Label selector, as kubectl takes it (app=podinfo,tier!=web).")
    var labelSelector: String?

    @Option(help: "Keep objects whose condition matches: ready=false, ready!=true (condition type, case-insensitive).")
    var statusSelector: String?

    @Flag(name: [.customShort("w"), .long], inversion: .prefixedNo, help: "After listing, print one row per change until interrupted.")
    var watch = false

    @OptionGroup var output: OutputOptions
}

/// `--status-selector TYPE=VALUE` or `TYPE!=VALUE`.
struct StatusSelector {
    var conditionType: String
    var status: String
    var negated: Bool

    init(parsing text: String) throws {
        let negated = text.contains("!=")
        let parts = text.components(separatedBy: negated ? "!=" : "=")
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw CommandError("--status-selector \"\(text)\": must be CONDITION=VALUE or CONDITION!=VALUE (e.g. ready=false)")
        }
        (conditionType, status, self.negated) = (parts[0].lowercased(), parts[1].lowercased(), negated)
    }

    func matches(_ object: JSONValue) -> Bool {
        let condition = FluxStatus.conditions(object).first { $0.type.lowercased() == conditionType }
        // A missing Ready condition shows as READY False in the table, so it selects as false.
        let value = condition?.status.lowercased() ?? (conditionType == "ready" ? "false" : "unknown")
        return (value == status) != negated
    }
}

/// Lists, filters and prints Flux objects of one or more kinds.
struct FluxGetter {
    var options: GetOptions
    var context: CommandContext

    func run(kinds: [FluxKind], name: String?, kube: KubeOptions) async throws {
        let console = context.console
        let selector = try options.statusSelector.map(StatusSelector.init(parsing:))
        if name != nil && options.allNamespaces {
            throw CommandError("a resource cannot be retrieved by name across all namespaces")
        }
        let session = try KubeSession.make(options: kube, context: context)
        let namespace: String? = options.allNamespaces ? nil : session.namespace
        var targets: [(FluxKind, APIResource)] = []
        for kind in kinds { targets.append((kind, try await session.discovery.resource(for: kind))) }

        var found: [(FluxKind, [JSONValue])] = []
        for (kind, resource) in targets {
            var objects: [JSONValue]
            if let name {
                objects = [try await session.client.get(resource, namespace: namespace, name: name)]
            } else {
                objects = try await session.client.list(resource, namespace: namespace,
                                                        options: ListOptions(labelSelector: options.labelSelector)).items
            }
            if let selector { objects = objects.filter(selector.matches) }
            found.append((kind, objects))
        }

        let total = found.reduce(0) { $0 + $1.1.count }
        if total == 0 && !options.watch {
            console.note(namespace.map { "No resources found in \($0) namespace." } ?? "No resources found")
            return
        }
        let qualified = kinds.count > 1
        switch options.output.output {
        case .table, .wide:
            var tables: [String] = []
            for (kind, objects) in found where !objects.isEmpty || (options.watch && kinds.count == 1) {
                tables.append(FluxTable.render(objects, kind: kind, options: tableOptions(qualified: qualified)))
            }
            console.write(tables.joined(separator: "\n"))
        case .json, .yaml:
            let all = found.flatMap(\.1)
            if name != nil, all.count == 1 {
                console.write(render(single: all[0]))
            } else {
                console.write(FluxListOutput.render(all, format: options.output.output == .json ? .json : .yaml))
            }
        case .name:
            console.write(FluxListOutput.render(found.flatMap(\.1), format: .name))
        }
        if options.watch {
            try await watch(client: session.client, targets: targets, namespace: namespace, name: name,
                            shown: found.flatMap(\.1), selector: selector, qualified: qualified)
        }
    }

    func tableOptions(qualified: Bool, noHeader: Bool? = nil) -> FluxTableOptions {
        FluxTableOptions(allNamespaces: options.allNamespaces, wide: options.output.output == .wide,
                         noHeader: noHeader ?? options.output.noHeader, qualifiedNames: qualified, now: context.now())
    }

    func render(single object: JSONValue) -> String {
        var copy = object
        copy.setValue(nil, at: ["metadata", "managedFields"])
        return options.output.output == .json ? CanonicalJSON.indented(copy) + "\n" : KubeYAML.encode(copy)
    }

    /// One row (or document) per change after the first listing; the objects already shown are skipped.
    private func watch(client: KubeAPIClient, targets: [(FluxKind, APIResource)], namespace: String?, name: String?,
                       shown: [JSONValue], selector: StatusSelector?, qualified: Bool) async throws {
        var shownVersions: [String: String] = [:]
        for object in shown { shownVersions[Self.key(object)] = object[path: "metadata", "resourceVersion"]?.stringValue ?? "" }
        let listOptions = ListOptions(labelSelector: options.labelSelector, fieldSelector: name.map { "metadata.name=\($0)" })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (kind, resource) in targets {
                group.addTask { [shownVersions] in
                    var skip = shownVersions
                    for try await event in client.listAndWatch(resource, namespace: namespace, options: listOptions) {
                        let object = event.object
                        let key = Self.key(object)
                        // listAndWatch starts with the current objects; the ones printed above are not repeated.
                        if event.type == .added, let version = skip[key],
                           version == object[path: "metadata", "resourceVersion"]?.stringValue ?? "" {
                            skip[key] = nil
                            continue
                        }
                        skip[key] = nil
                        if let selector, !selector.matches(object) { continue }
                        print(change: object, kind: kind, qualified: qualified)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    private func print(change object: JSONValue, kind: FluxKind, qualified: Bool) {
        switch options.output.output {
        case .table, .wide:
            context.console.write(FluxTable.render([object], kind: kind, options: tableOptions(qualified: qualified, noHeader: true)))
        case .json, .yaml:
            context.console.write(render(single: object))
        case .name:
            context.console.write(FluxListOutput.render([object], format: .name))
        }
    }

    static func key(_ object: JSONValue) -> String {
        "\(object["kind"]?.stringValue ?? "")/\(object[path: "metadata", "namespace"]?.stringValue ?? "")/\(object[path: "metadata", "name"]?.stringValue ?? "")"
    }
}
