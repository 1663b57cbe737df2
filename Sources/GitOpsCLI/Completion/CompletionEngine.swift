import ArgumentParser
import Flux
import Foundation

public struct CompletionCandidate: Sendable, Equatable, CustomStringConvertible {
    public var value: String
    public var description: String

    public init(_ value: String, description: String = "") {
        self.value = value
        self.description = description
    }
}

/// cobra's `ShellCompDirective` bits, printed as the last line `:<n>`.
public struct CompletionDirective: OptionSet, Sendable, Equatable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let `default`: CompletionDirective = []
    public static let error = CompletionDirective(rawValue: 1)
    public static let noSpace = CompletionDirective(rawValue: 2)
    public static let noFileCompletion = CompletionDirective(rawValue: 4)
    /// The candidates are file extensions to filter file names by.
    public static let filterFileExtensions = CompletionDirective(rawValue: 8)
    public static let filterDirectories = CompletionDirective(rawValue: 16)
    public static let keepOrder = CompletionDirective(rawValue: 32)
}

public struct CompletionResult: Sendable, Equatable {
    public var candidates: [CompletionCandidate]
    public var directive: CompletionDirective

    public init(_ candidates: [CompletionCandidate] = [], directive: CompletionDirective) {
        self.candidates = candidates
        self.directive = directive
    }

    public var values: [String] { candidates.map(\.value) }

    /// The protocol's text: `value[\tdescription]` per line, then `:<directive>`.
    public func rendered(descriptions: Bool) -> String {
        var lines = candidates.map { candidate -> String in
            let summary = CompletionEngine.oneLine(candidate.description)
            return descriptions && !summary.isEmpty ? "\(candidate.value)\t\(summary)" : candidate.value
        }
        lines.append(":\(directive.rawValue)")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Completes one command line the way cobra's `__complete` does, from the parser's own description of the tree.
struct CompletionEngine: Sendable {
    var root: CommandNode
    var provider: any CompletionValueProvider
    /// KubeOptions' arguments as the parser describes them, from the command that splices in the most of them.
    private let kubeArguments: [ArgumentNode]

    init(root: CommandNode = CommandTree.root, provider: any CompletionValueProvider) {
        self.root = root
        self.provider = provider
        var found: [ArgumentNode] = []
        for command in root.allCommands {
            let matching = command.arguments.filter { $0.spellings.contains(where: CompletionEngine.isKubeSpelling) }
            if matching.count > found.count { found = matching }
        }
        kubeArguments = found
    }

    /// Where the typed words left the parser.
    struct Position {
        var command: CommandNode
        var positionals: [String] = []
        var usedArguments: Set<[String]> = []
        /// Kube flags seen anywhere on the line, as argv for `KubeOptions.parse`.
        var kubeArguments: [String] = []
        /// An option typed last, still waiting for its value.
        var pendingOption: ArgumentNode?
        var afterTerminator = false
    }

    /// `words` are the arguments after `__complete`; the last one is the word being completed ("" = a new word).
    func complete(_ words: [String]) async -> CompletionResult {
        let current = words.last ?? ""
        let position = walk(Array(words.dropLast()))
        // KubeOptions() leaves its wrappers unparsed: always go through the parser.
        let kube = (try? KubeOptions.parse(position.kubeArguments)) ?? (try? KubeOptions.parse([]))
        let scope = CompletionScope(kube: kube ?? KubeOptions())
        let command = position.command

        if let option = position.pendingOption {
            return await values(for: option, in: command, typed: current, scope: scope)
        }
        if !position.afterTerminator, current.hasPrefix("--"), let equals = current.firstIndex(of: "=") {
            let spelling = String(current[..<equals])
            guard let option = command.namedArgument(spelling) ?? kubeArgument(spelling), option.kind == .option else {
                return CompletionResult(directive: .noFileCompletion)
            }
            var result = await values(for: option, in: command, typed: String(current[current.index(after: equals)...]), scope: scope)
            result.candidates = result.candidates.map { CompletionCandidate(spelling + "=" + $0.value, description: $0.description) }
            return result
        }
        if !position.afterTerminator, current.hasPrefix("-") {
            return CompletionResult(flags(of: command, used: position.usedArguments, typed: current), directive: .noFileCompletion)
        }
        if position.positionals.isEmpty, !command.visibleSubcommands.isEmpty {
            let subcommands = command.visibleSubcommands
                .filter { $0.name.hasPrefix(current) }
                .map { CompletionCandidate($0.name, description: $0.abstract) }
            return CompletionResult(subcommands, directive: .noFileCompletion)
        }
        return await positionalValues(in: command, typed: current, earlier: position.positionals, scope: scope)
    }

    /// Follows subcommands and options through the words already typed.
    func walk(_ typed: [String]) -> Position {
        var position = Position(command: root)
        var index = 0
        while index < typed.count {
            let word = typed[index]
            index += 1
            if position.afterTerminator {
                position.positionals.append(word)
                continue
            }
            if word == "--" {
                position.afterTerminator = true
                continue
            }
            guard word.hasPrefix("-"), word.count > 1 else {
                if position.positionals.isEmpty, let subcommand = position.command.subcommand(named: word) {
                    position.command = subcommand
                } else {
                    position.positionals.append(word)
                    if let taker = position.command.positionals.first, taker.takesRemainingInput { position.afterTerminator = true }
                }
                continue
            }
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            let spelling = parts[0]
            let isKube = CompletionEngine.isKubeSpelling(spelling)
            guard let argument = position.command.namedArgument(spelling) ?? (isKube ? kubeArgument(spelling) : nil) else {
                continue  // an unknown flag: nothing to learn from it
            }
            position.usedArguments.insert(argument.spellings)
            var value: String? = parts.count == 2 ? parts[1] : nil
            if argument.kind == .option, value == nil {
                if index < typed.count {
                    value = typed[index]
                    index += 1
                } else {
                    position.pendingOption = argument
                }
            }
            if isKube {
                switch (argument.kind, value) {
                case (.flag, _): position.kubeArguments.append(word)
                case (.option, let value?): position.kubeArguments += [spelling, value]
                default: break  // still being typed
                }
            }
        }
        return position
    }

    // MARK: Candidates

    private func flags(of command: CommandNode, used: Set<[String]>, typed: String) -> [CompletionCandidate] {
        var candidates: [CompletionCandidate] = []
        for argument in command.arguments where argument.kind != .positional && !argument.isHidden {
            if used.contains(argument.spellings), !argument.isRepeating { continue }
            for spelling in argument.spellings where spelling.hasPrefix(typed) {
                // cobra offers short spellings only until a second dash is typed.
                if typed.hasPrefix("--"), !spelling.hasPrefix("--") { continue }
                candidates.append(CompletionCandidate(spelling, description: argument.abstract))
            }
        }
        return candidates
    }

    private func positionalValues(in command: CommandNode, typed: String, earlier: [String], scope: CompletionScope) async -> CompletionResult {
        let positionals = command.positionals
        let index = earlier.count
        if let opted = command.type as? any CompletesFluxNames.Type, index >= opted.completedPositionalIndex {
            let takesName = index == opted.completedPositionalIndex
                || positionals.indices.contains(opted.completedPositionalIndex) && positionals[opted.completedPositionalIndex].isRepeating
            if takesName {
                let alreadyNamed = Set(earlier.dropFirst(opted.completedPositionalIndex))
                let names = await provider.candidates(for: .fluxNames(opted.completedKind, prefix: ""), scope: scope)
                return CompletionResult(names.filter { $0.value.hasPrefix(typed) && !alreadyNamed.contains($0.value) }, directive: .noFileCompletion)
            }
        }
        let argument = index < positionals.count ? positionals[index] : positionals.last.flatMap { $0.isRepeating ? $0 : nil }
        guard let argument else { return CompletionResult(directive: .noFileCompletion) }
        return await values(for: argument, in: command, typed: typed, scope: scope)
    }

    private func values(for argument: ArgumentNode, in command: CommandNode, typed: String, scope: CompletionScope) async -> CompletionResult {
        if let longName = argument.longName,
           let dynamic = (command.type as? any CompletesOptionValues.Type)?.completedOptionValues[longName]
               ?? DynamicValues.defaultsByOptionName[longName] {
            var candidates = await provider.candidates(for: dynamic, scope: scope)
            if case .fluxNames(_, let prefix) = dynamic {
                candidates = candidates.map { CompletionCandidate(prefix + $0.value, description: $0.description) }
            }
            return CompletionResult(candidates.filter { $0.value.hasPrefix(typed) }, directive: .noFileCompletion)
        }
        if !argument.values.isEmpty {
            let candidates = argument.values.filter { $0.hasPrefix(typed) }
                .map { CompletionCandidate($0, description: argument.valueDescriptions[$0] ?? "") }
            return CompletionResult(candidates, directive: .noFileCompletion)
        }
        switch argument.declaredCompletion ?? PathLikeOptions.completion(for: argument) {
        case .list(let values)?:
            return CompletionResult(values.filter { $0.hasPrefix(typed) }.map { CompletionCandidate($0) }, directive: .noFileCompletion)
        case .file(let extensions)?:
            if extensions.isEmpty { return CompletionResult(directive: .default) }
            return CompletionResult(extensions.map { CompletionCandidate($0) }, directive: .filterFileExtensions)
        case .directory?:
            return CompletionResult(directive: .filterDirectories)
        case .custom?, nil:
            // Free text (a URL, a duration): nothing to offer, and file names would mislead.
            return CompletionResult(directive: .noFileCompletion)
        }
    }

    // MARK: kubectl's global flags, accepted before the subcommand as well

    private static func isKubeSpelling(_ spelling: String) -> Bool {
        KubeOptions.valueFlags.contains(spelling) || KubeOptions.booleanFlags.contains(spelling)
            || KubeOptions.booleanFlags.contains(spelling.replacingOccurrences(of: "--no-", with: "--"))
    }

    private func kubeArgument(_ spelling: String) -> ArgumentNode? {
        kubeArguments.first { $0.spellings.contains(spelling) }
    }

    static func oneLine(_ text: String) -> String {
        let first = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return first.replacingOccurrences(of: "\t", with: " ").trimmingCharacters(in: .whitespaces)
    }
}
