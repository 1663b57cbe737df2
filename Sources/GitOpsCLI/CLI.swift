import ArgumentParser
import Foundation
import KubeClient

/// Entry point shared by `main` and the in-process command tests.
public enum CLI {
    /// Boolean flags users may write Go-style (`--wait=false`); each is declared with a `--no-` inversion.
    static let booleanFlags: Set<String> = KubeOptions.booleanFlags.union([
        "--client", "--wait", "--export", "--prune", "--insecure", "--force-conflicts", "--all",
        "--all-namespaces", "--no-header", "--watch", "--yes", "--silent", "--with-source",
        "--reproducible", "--wait-resources", "--skip-unchanged", "--insecure-registry", "--resolve-symlinks", "--diff",
    ])

    /// Runs one command line (without the program name) and returns the exit code.
    public static func run(arguments: [String], context: CommandContext) async -> Int32 {
        let prepared = ArgumentNormalizer.hoistGlobalFlags(ArgumentNormalizer.normalizeBooleans(arguments, booleanFlags: booleanFlags))
        let command: ParsableCommand
        do {
            command = try RootCommand.parseAsRoot(prepared)
        } catch {
            return report(parserError: error, console: context.console)
        }
        do {
            if let contextual = command as? any ContextCommand {
                try await contextual.run(context)
            } else if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var plain = command
                try plain.run()
            }
            return 0
        } catch let error as AlreadyReported {
            return error.exitCode
        } catch {
            if isArgumentParserError(error) {
                return report(parserError: error, console: context.console)
            }
            // Stopped by a signal: the exit code says so (128 + it); kubectl prints nothing either.
            if TerminationSignals.received != 0 { return 128 + TerminationSignals.received }
            context.console.note(message(for: error))
            return (error as? ExitCodeError)?.exitCode ?? 1
        }
    }

    /// kubectl's wording: API errors as the server said them, everything else behind `error: `.
    static func message(for error: Error) -> String {
        switch error {
        case let apiError as KubeAPIError: return apiError.description
        case let connection as KubeConnectionError: return connection.description
        default: return "error: \(error)"
        }
    }

    private static func isArgumentParserError(_ error: Error) -> Bool {
        error is ValidationError || error is CleanExit || error is ExitCode
            || String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    }

    private static func report(parserError error: Error, console: Console) -> Int32 {
        let code = RootCommand.exitCode(for: error).rawValue
        let text = RootCommand.fullMessage(for: error)
        if !text.isEmpty {
            if code == 0 { console.print(text) } else { console.note(text) }
        }
        return code
    }
}
