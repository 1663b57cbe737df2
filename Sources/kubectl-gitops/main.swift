import Foundation
import GitOpsCLI

// The first argument is the plugin's own path when kubectl execs it.
let code = await CLI.run(arguments: Array(CommandLine.arguments.dropFirst()), context: .live())
exit(code)
