import ArgumentParser
import Foundation

/// The command tree as completion, man pages and docs see it: swift-argument-parser's own help dump
/// (`--experimental-dump-help`, ToolInfo v0) joined with the Swift type of every command, so commands can opt into
/// behaviour through protocols. Built from the tree, never from a list of commands.
public struct CommandNode: Sendable {
    public var name: String
    /// Names from the root down to this command, the root included (`["kubectl-gitops", "push", "artifact"]`).
    public var path: [String]
    public var aliases: [String]
    public var abstract: String
    public var discussion: String
    public var isHidden: Bool
    public var arguments: [ArgumentNode]
    public var subcommands: [CommandNode]
    public var type: any ParsableCommand.Type

    /// Every command of the subtree, this one first, depth first in declaration order.
    public var allCommands: [CommandNode] {
        [self] + subcommands.flatMap(\.allCommands)
    }

    public var visibleSubcommands: [CommandNode] { subcommands.filter { !$0.isHidden } }

    public func subcommand(named word: String) -> CommandNode? {
        subcommands.first { $0.name == word || $0.aliases.contains(word) }
    }

    /// The named argument (option or flag) spelled `spelling` (`--namespace`, `-n`).
    public func namedArgument(_ spelling: String) -> ArgumentNode? {
        arguments.first { $0.kind != .positional && $0.spellings.contains(spelling) }
    }

    public var positionals: [ArgumentNode] { arguments.filter { $0.kind == .positional } }
}

public struct ArgumentNode: Sendable, Equatable {
    public enum Kind: String, Sendable, Decodable { case positional, option, flag }

    /// What the parser declared about the value (`completion:` or an enum's cases).
    public enum DeclaredCompletion: Sendable, Equatable {
        case list([String])
        case file(extensions: [String])
        case directory
        case custom
    }

    public var kind: Kind
    /// Spellings with dashes, long ones first: `["--namespace", "-n"]`; empty for positionals.
    public var spellings: [String]
    public var valueName: String
    public var abstract: String
    public var discussion: String
    public var sectionTitle: String?
    public var isHidden: Bool
    public var isOptional: Bool
    public var isRepeating: Bool
    public var defaultValue: String?
    public var values: [String]
    public var valueDescriptions: [String: String]
    public var declaredCompletion: DeclaredCompletion?
    /// Takes every remaining word (`captureForPassthrough`-style arguments).
    public var takesRemainingInput: Bool

    public var longName: String? {
        spellings.first { $0.hasPrefix("--") }.map { String($0.dropFirst(2)) }
    }
}

public enum CommandTree {
    /// The tool's tree, built once per process.
    public static let root: CommandNode = {
        do {
            return try load(RootCommand.self)
        } catch {
            preconditionFailure("the argument parser's help dump could not be read: \(error)")
        }
    }()

    /// Asks the parser for its ToolInfo dump in-process and joins it with the command types.
    public static func load(_ rootType: any ParsableCommand.Type) throws -> CommandNode {
        let json: String
        do {
            _ = try rootType.parseAsRoot(["--experimental-dump-help"])
            throw CommandTreeError(message: "the parser did not answer --experimental-dump-help with a dump")
        } catch let error as CommandTreeError {
            throw error
        } catch {
            json = rootType.fullMessage(for: error)
        }
        let dumped = try JSONDecoder().decode(DumpedTool.self, from: Data(json.utf8)).command
        return node(dumped, type: rootType, parentPath: [])
    }

    private static func node(_ dumped: DumpedCommand, type: any ParsableCommand.Type, parentPath: [String]) -> CommandNode {
        let path = parentPath + [dumped.commandName]
        let declared = type.configuration.subcommands
        // The dump lists the declared subcommands in order, then the parser's own `help` at the root: keep only
        // commands that exist as types in the tree.
        let children = zip(dumped.subcommands ?? [], declared).map { child, childType in
            node(child, type: childType, parentPath: path)
        }
        return CommandNode(
            name: dumped.commandName, path: path, aliases: dumped.aliases ?? [],
            abstract: dumped.abstract ?? "", discussion: dumped.discussion ?? "",
            isHidden: !(dumped.shouldDisplay ?? true),
            arguments: (dumped.arguments ?? []).map(argument), subcommands: children, type: type)
    }

    private static func argument(_ dumped: DumpedArgument) -> ArgumentNode {
        let names = dumped.names ?? []
        let spellings = names.filter { $0.kind != "short" }.map { ($0.kind == "long" ? "--" : "-") + $0.name }
            + names.filter { $0.kind == "short" }.map { "-" + $0.name }
        return ArgumentNode(
            kind: dumped.kind, spellings: spellings, valueName: dumped.valueName ?? "value",
            abstract: dumped.abstract ?? "", discussion: dumped.discussion ?? "", sectionTitle: dumped.sectionTitle,
            isHidden: !(dumped.shouldDisplay ?? true), isOptional: dumped.isOptional ?? true,
            isRepeating: dumped.isRepeating ?? false, defaultValue: dumped.defaultValue,
            values: dumped.allValues ?? [], valueDescriptions: dumped.allValueDescriptions ?? [:],
            declaredCompletion: dumped.completionKind?.declared,
            takesRemainingInput: ["allRemainingInput", "postTerminator", "allUnrecognized"].contains(dumped.parsingStrategy ?? ""))
    }
}

public struct CommandTreeError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

// MARK: The dump's JSON (ToolInfo v0), only the fields used here.

private struct DumpedTool: Decodable {
    var command: DumpedCommand
}

private struct DumpedCommand: Decodable {
    var commandName: String
    var aliases: [String]?
    var abstract: String?
    var discussion: String?
    var shouldDisplay: Bool?
    var subcommands: [DumpedCommand]?
    var arguments: [DumpedArgument]?
}

private struct DumpedArgument: Decodable {
    struct Name: Decodable {
        var kind: String
        var name: String
    }

    var kind: ArgumentNode.Kind
    var shouldDisplay: Bool?
    var sectionTitle: String?
    var isOptional: Bool?
    var isRepeating: Bool?
    var parsingStrategy: String?
    var names: [Name]?
    var valueName: String?
    var defaultValue: String?
    var allValues: [String]?
    var allValueDescriptions: [String: String]?
    var completionKind: DumpedCompletion?
    var abstract: String?
    var discussion: String?
}

/// Swift's synthesized enum coding: `{"list":{"values":[…]}}`, `{"file":{"extensions":[…]}}`, `{"directory":{}}`.
private struct DumpedCompletion: Decodable {
    var declared: ArgumentNode.DeclaredCompletion?

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct Payload: Decodable {
        var values: [String]?
        var extensions: [String]?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard let key = container.allKeys.first else { return }
        let payload = try? container.decode(Payload.self, forKey: key)
        switch key.stringValue {
        case "list": declared = .list(payload?.values ?? [])
        case "file": declared = .file(extensions: payload?.extensions ?? [])
        case "directory": declared = .directory
        default: declared = .custom
        }
    }
}
