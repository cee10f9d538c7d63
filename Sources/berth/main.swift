import BerthCLI
import BerthCNI
import BerthNetavark
import Glibc

// Podman runs the binary as `netavark` (a link to berth); a runtime runs CNI plugins with
// CNI_COMMAND set; anything else is the CLI. A string compare on argv[0] and one getenv, so the
// CLI's start-up does not change.
if NetavarkFrontEnd.isInvoked(as: CommandLine.unsafeArgv[0]) { NetavarkFrontEnd.main(version: BerthVersion.current) }
if getenv("CNI_COMMAND") != nil { CNIPlugin.main() }
BerthCommand.entry()
