import ArgumentParser
import BerthEngine
import Glibc

/// Overlay networks live in `berth-agent` (docs/overlay.md): it links SwiftNIO and talks to
/// etcd, which `berth` never does, so berth's start-up and the attach path stay as they are.
/// `berth agent …`, `berth overlay …`, `berth network create … --driver overlay` and `berth
/// network rm` of an overlay network replace this process with `berth-agent`, same arguments.
enum AgentRouting {
    /// The top-level words that belong to berth-agent. Not `overlay-static`: that is the
    /// engine's own hidden test seam, served by berth.
    static let topLevel: Set<String> = ["agent", "overlay"]

    /// Whether `arguments` (after the leading global options) name a berth-agent command.
    static func isAgentCommand(_ arguments: [String]) -> Bool {
        guard let first = arguments.first else { return false }
        return topLevel.contains(first)
    }

    /// The berth-agent executable: beside this process's own binary, else the first on `$PATH`;
    /// nil when there is none.
    static func binaryPath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            let own = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let slash = own.lastIndex(of: "/") {
                let beside = String(own[...slash]) + "berth-agent"
                if access(beside, X_OK) == 0 { return beside }
            }
        }
        guard let path = getenv("PATH").map({ String(cString: $0) }) else { return nil }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = String(directory) + "/berth-agent"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Replaces this process with `berth-agent arguments…`; on failure, a one-line error and
    /// exit status 1. Global options already moved into the environment (`BERTH_STATE_DIR`)
    /// travel with it.
    static func exec(_ arguments: [String]) -> Never {
        guard let binary = binaryPath() else {
            BerthCommand.fail("berth-agent is not installed (looked beside berth and on PATH): overlay networks and 'berth agent' need it (make install puts it beside berth)", status: 1)
        }
        var argv = ([binary] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(binary, argv)
        let reason = String(cString: strerror(errno))
        BerthCommand.fail("cannot run \(binary): \(reason)", status: 1)
    }

    /// The process's own arguments, without the program name: what berth-agent is given when
    /// a subcommand decides, after parsing, that the work is berth-agent's.
    static var processArguments: [String] { Array(CommandLine.arguments.dropFirst()) }
}

/// `berth agent …`: listed in berth's help; the words are berth-agent's (the entry point execs
/// it before parsing, so `berth agent --help` shows berth-agent's own help).
struct AgentCommandStub: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the overlay agent in the foreground: etcd leases, peers, the kernel's VXLAN entries (berth-agent).")
    @Argument(parsing: .allUnrecognized) var rest: [String] = []
    func run() throws { AgentRouting.exec(["agent"] + rest) }
}

/// `berth overlay status|forget …`: see ``AgentCommandStub``.
struct OverlayCommandStub: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay",
        abstract: "Show overlay networks across hosts (status) or forget a dead host's block (berth-agent).")
    @Argument(parsing: .allUnrecognized) var rest: [String] = []
    func run() throws { AgentRouting.exec(["overlay"] + rest) }
}
