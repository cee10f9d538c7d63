import BerthCLI

BerthCommand.entry()
