import ArgumentParser
import BerthEngine
import Glibc

/// `berth`: the root command.
public struct BerthCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "Container networking for Linux: bridges, veths, addresses and NAT in one command.",
        subcommands: [NetworkCommand.self, EndpointsCommand.self, RunCommand.self])

    public init() {}

    /// Parses the process arguments, runs the command, and exits: 0 on success, 1 with a one-line
    /// `Error:` on failure, 64 for usage errors, or the command's own status for `berth run`.
    public static func entry() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Glibc.exit(0)
        } catch let exit as CommandExit {
            Glibc.exit(exit.status)
        } catch let error as BerthError {
            fail(error.description, status: 1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version.
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            fail(message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)",
                 status: code.rawValue == 1 ? 1 : 64)
        }
    }

    static func fail(_ message: String, status: Int32) -> Never {
        var line = "Error: " + message.replacingNewlines() + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        Glibc.exit(status)
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
