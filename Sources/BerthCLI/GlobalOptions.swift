import ArgumentParser
import BerthEngine
import Glibc

/// Options every subcommand accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "State directory (default: $BERTH_STATE_DIR or /var/lib/berth).")
    var stateDirectory: String?

    /// Opens the engine with the configured state directory and address pools.
    func engine() throws -> Engine {
        try GlobalOptions.engine(stateDirectory: stateDirectory)
    }

    /// The state directory: the flag's value, else BERTH_STATE_DIR, else /var/lib/berth.
    static func resolveStateDirectory(_ flag: String?) -> String {
        if let flag { return flag }
        if let env = getenv("BERTH_STATE_DIR"), env.pointee != 0 { return String(cString: env) }
        return "/var/lib/berth"
    }

    /// Opens the engine for a state directory flag (nil: environment or default).
    static func engine(stateDirectory: String?) throws -> Engine {
        try Engine(configuration: configuration(stateDirectory: stateDirectory))
    }

    /// The engine's configuration for a state directory flag (nil: environment or default).
    static func configuration(stateDirectory: String?) -> EngineConfiguration {
        var configuration = EngineConfiguration(stateDirectory: resolveStateDirectory(stateDirectory))
        if let env = getenv("BERTH_POOLS"), env.pointee != 0 { configuration.poolList = String(cString: env) }
        return configuration
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
