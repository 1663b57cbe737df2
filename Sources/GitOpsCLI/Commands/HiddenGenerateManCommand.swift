import ArgumentParser
import Foundation

/// `kubectl-gitops __generate-man DIR`: writes one man page per visible command (`make man` runs it into man/).
struct HiddenGenerateManCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "__generate-man",
        abstract: "Write the man pages of every command into a directory.",
        shouldDisplay: false)

    @Argument(help: "The directory to write kubectl-gitops*.1 into; created when missing. Stale pages are removed.")
    var directory: String

    func run(_ context: CommandContext) async throws {
        let target = directory.hasPrefix("/") ? directory : context.workingDirectory + "/" + directory
        let written = try HiddenGenerateManCommand.write(ManPages.render(CommandTree.root), to: target)
        context.console.note("wrote \(written) man pages to \(target)")
    }

    /// Writes the pages and removes pages of commands that no longer exist; returns how many were written.
    static func write(_ pages: [ManPages.Page], to directory: String) throws -> Int {
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let current = Set(pages.map(\.fileName))
            for existing in try files.contentsOfDirectory(atPath: directory)
            where existing.hasPrefix("kubectl-gitops") && existing.hasSuffix(".1") && !current.contains(existing) {
                try files.removeItem(atPath: directory + "/" + existing)
            }
            for page in pages {
                try Data(page.text.utf8).write(to: URL(fileURLWithPath: directory + "/" + page.fileName))
            }
        } catch {
            throw CommandError("cannot write man pages to \(directory): \(error.localizedDescription)")
        }
        return pages.count
    }
}
