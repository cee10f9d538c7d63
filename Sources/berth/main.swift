import BerthCLI
import BerthCNI
import Glibc

// A runtime runs CNI plugins with CNI_COMMAND set; anything else is the CLI. One getenv, so the
// CLI's start-up does not change.
if getenv("CNI_COMMAND") != nil { CNIPlugin.main() }
BerthCommand.entry()
