import ArgumentParser
import BerthEngine
import Glibc

/// Options every subcommand accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "State directory (default: $BERTH_STATE_DIR or /var/lib/berth).")
    var stateDirectory: String?

    /// Runs `body` with an engine on the configured state directory, and closes it after.
    func withEngine<T>(_ body: (Engine) throws -> T) throws -> T {
        try GlobalOptions.withEngine(stateDirectory: stateDirectory, body)
    }

    /// Runs `body` with an engine for a state directory flag (nil: environment or default),
    /// and closes it after (its deferred checkpoint, see ``Engine/close()``).
    static func withEngine<T>(stateDirectory: String?, _ body: (Engine) throws -> T) throws -> T {
        let engine = Engine(settings: .fromEnvironment(explicit: stateDirectory))
        defer { engine.close() }
        return try body(engine)
    }
}

extension GlobalOptions {
    /// Moves `--state-dir DIR` given before the subcommand into the environment the
    /// subcommand reads. Returns an error message when the option has no value.
    static func hoistLeadingOptions(_ arguments: inout [String]) -> String? {
        while let first = arguments.first, first.hasPrefix("--state-dir") {
            let value: String
            if first.hasPrefix("--state-dir=") {
                value = String(first.dropFirst("--state-dir=".count))
                arguments.removeFirst()
            } else if first == "--state-dir", arguments.count > 1 {
                value = arguments[1]
                arguments.removeFirst(2)
            } else {
                return "missing value for '--state-dir <state-dir>'"
            }
            setenv("BERTH_STATE_DIR", value, 1)
        }
        return nil
    }
}

/// `--format table|json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
