import CCurl
import Foundation
import GitOpsCLI

ccurl_skip_unused_tls_init()

// The first argument is the plugin's own path when kubectl execs it.
let arguments = Array(CommandLine.arguments.dropFirst())
let code = await TerminationSignals.run { await CLI.run(arguments: arguments, context: .live()) }
exit(code)
