import ArgumentParser
import Foundation

/// `kubectl-gitops __complete <words…> <word being completed>`: cobra's completion protocol, which kubectl speaks to
/// plugins through `kubectl_complete-gitops` and the shell scripts speak to us directly.
struct HiddenCompleteCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "__complete",
        abstract: "Print completion candidates for the words typed (cobra's __complete protocol).",
        shouldDisplay: false)

    @Argument(parsing: .captureForPassthrough, help: "The words after the program name; the last one is being completed.")
    var words: [String] = []

    func run(_ context: CommandContext) async throws {
        try await HiddenCompleteCommand.complete(words, descriptions: true, context: context)
    }

    static func complete(_ words: [String], descriptions: Bool, context: CommandContext) async throws {
        let live = LiveCompletionValues(context: context, deadlineSeconds: LiveCompletionValues.deadline(environment: context.environment))
        let engine = CompletionEngine(provider: live)
        let result = await engine.complete(words.isEmpty ? [""] : words)
        context.console.write(result.rendered(descriptions: descriptions))
    }
}

/// The same without descriptions, as cobra's `__completeNoDesc`.
struct HiddenCompleteNoDescCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "__completeNoDesc",
        abstract: "Print completion candidates without descriptions.",
        shouldDisplay: false)

    @Argument(parsing: .captureForPassthrough, help: "The words after the program name; the last one is being completed.")
    var words: [String] = []

    func run(_ context: CommandContext) async throws {
        try await HiddenCompleteCommand.complete(words, descriptions: false, context: context)
    }
}
