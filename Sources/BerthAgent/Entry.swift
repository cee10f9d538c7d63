import ArgumentParser
import BerthEngine
import BerthJSON
import Glibc

/// The `berth-agent` executable's command line (docs/overlay.md, "Commands"). berth execs it
/// with its own arguments for overlay work, so the words are berth's.
public enum BerthAgentMain {
    /// Parses the process arguments, runs the command, exits: 0, 1 with one `Error:` line, 64
    /// for usage errors.
    public static func main() async -> Never {
        var arguments = Array(CommandLine.arguments.dropFirst())
        // Before any thread exists, so every thread inherits the mask and only the agent's
        // signal thread ever takes these (other commands never block them).
        if let error = hoistStateDirectory(&arguments) { fail(error, status: 64) }
        if arguments.first == "agent" { SignalSource.blockInProcess() }
        do {
            var command = try AgentRoot.parseAsRoot(arguments)
            guard let runnable = command as? any AgentRunnable else {
                // `help`, or a group named without a subcommand: its run shows the help.
                try command.run()
                exit(0)
            }
            try await runnable.execute()
            exit(0)
        } catch let error as BerthError {
            fail(error.description, status: 1)
        } catch let error as AgentError {
            fail(error.description, status: 1)
        } catch {
            let code = AgentRoot.exitCode(for: error)
            if code == .success {
                print(AgentRoot.fullMessage(for: error))
                exit(0)
            }
            let message = AgentRoot.message(for: error)
            let text = message.split(separator: "\n").first.map(String.init) ?? "\(error)"
            fail(text, status: code.rawValue == 1 ? 1 : 64)
        }
    }

    static func fail(_ message: String, status: Int32) -> Never {
        let line = "Error: " + String(message.map { $0 == "\n" ? " " : $0 }) + "\n"
        TextOutput.writeAll(line, to: 2)
        exit(status)
    }

    /// `--state-dir DIR` before the subcommand, into the environment (as berth does).
    static func hoistStateDirectory(_ arguments: inout [String]) -> String? {
        while let first = arguments.first, first.hasPrefix("--state-dir") {
            if first.hasPrefix("--state-dir=") {
                setenv("BERTH_STATE_DIR", String(first.dropFirst("--state-dir=".count)), 1)
                arguments.removeFirst()
            } else if first == "--state-dir", arguments.count > 1 {
                setenv("BERTH_STATE_DIR", arguments[1], 1)
                arguments.removeFirst(2)
            } else {
                return "missing value for '--state-dir <state-dir>'"
            }
        }
        return nil
    }
}
