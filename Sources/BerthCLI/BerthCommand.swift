import ArgumentParser
import BerthEngine
import Glibc

/// `berth`: the root command.
public struct BerthCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "Container networking for Linux: bridges, veths, addresses and NAT in one command.",
        version: BerthVersion.current,
        subcommands: [NetworkCommand.self, EndpointsCommand.self, PortsCommand.self, RunCommand.self, GCCommand.self, DoctorCommand.self, FirewallCommand.self, DNSCommand.self, OverlayStaticCommand.self,
                      AgentCommandStub.self, OverlayCommandStub.self])

    @OptionGroup var global: GlobalOptions

    public init() {}

    /// Parses the process arguments, runs the command, and exits: 0 on success, 1 with a one-line
    /// `Error:` on failure, 64 for usage errors, or the command's own status for `berth run`.
    public static func entry() -> Never {
        var arguments = Array(CommandLine.arguments.dropFirst())
        // `berth --state-dir DIR network …`: global options before the subcommand apply to it.
        if let error = GlobalOptions.hoistLeadingOptions(&arguments) { fail(error, status: 64) }
        if let hot = FastPath.parse(arguments) {
            do {
                try hot.run()
                Glibc.exit(0)
            } catch let error as BerthError {
                fail(error.description, status: 1)
            } catch {
                fail("\(error)", status: 1)
            }
        }
        // Overlay commands are berth-agent's (docs/overlay.md): exec'd before any parsing.
        if AgentRouting.isAgentCommand(arguments) { AgentRouting.exec(arguments) }
        BooleanFlagSpelling.normalize(&arguments)
        let (leaf, rest) = CommandDispatch.leaf(for: arguments)
        let parser: ParsableCommand.Type = leaf ?? BerthCommand.self
        do {
            var command = try parser.parseAsRoot(leaf == nil ? arguments : rest)
            try command.run()
            Glibc.exit(0)
        } catch let exit as CommandExit {
            Glibc.exit(exit.status)
        } catch let error as BerthError {
            fail(error.description, status: 1)
        } catch {
            let code = parser.exitCode(for: error)
            if code == .success {
                // --help and --version.
                print(parser.fullMessage(for: error))
                Glibc.exit(0)
            }
            let text = parser.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            fail(text, status: code.rawValue == 1 ? 1 : 64)
        }
    }

    static func fail(_ message: String, status: Int32) -> Never {
        var line = "Error: " + message.replacingNewlines() + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        Glibc.exit(status)
    }
}

/// Picks the leaf command straight from the first words, so a command parses only its own
/// arguments. Parsing from the root builds every subcommand's argument set by reflection,
/// which costs milliseconds of start-up on the connect/disconnect hot path. Help and version
/// requests take the root path, so usage lines show the full command and `--version` (which only
/// the root command declares) works after any subcommand, as the completions offer it.
enum CommandDispatch {
    static let network: [String: ParsableCommand.Type] = [
        "create": NetworkCreate.self, "ls": NetworkList.self, "list": NetworkList.self,
        "inspect": NetworkInspect.self, "rm": NetworkRemove.self, "remove": NetworkRemove.self,
        "prune": NetworkPrune.self, "connect": NetworkConnect.self, "disconnect": NetworkDisconnect.self,
    ]
    static let top: [String: ParsableCommand.Type] = ["gc": GCCommand.self, "doctor": DoctorCommand.self, "endpoints": EndpointsCommand.self, "run": RunCommand.self,
                                                      "ports": PortsCommand.self]

    static func leaf(for arguments: [String]) -> (ParsableCommand.Type?, [String]) {
        let beforeTerminator = arguments.prefix { $0 != "--" }
        if beforeTerminator.contains(where: { $0 == "-h" || $0 == "--help" || $0 == "help" || $0 == "--version" }) {
            return (nil, arguments)
        }
        guard let first = arguments.first else { return (nil, arguments) }
        if first == "network", arguments.count > 1, let leaf = network[arguments[1]] {
            return (leaf, Array(arguments.dropFirst(2)))
        }
        if let leaf = top[first] { return (leaf, Array(arguments.dropFirst())) }
        return (nil, arguments)
    }
}

/// Thrown by a command to exit with a specific status (used by `run`).
struct CommandExit: Error {
    let status: Int32
}

extension String {
    func replacingNewlines() -> String {
        String(map { $0 == "\n" ? " " : $0 })
    }
}
