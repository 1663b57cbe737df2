import CCurl
import Foundation
import GitOpsCLI

ccurl_skip_unused_tls_init()

// The first argument is the plugin's own path when kubectl execs it.
let code = await CLI.run(arguments: Array(CommandLine.arguments.dropFirst()), context: .live())
exit(code)
