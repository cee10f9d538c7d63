import ArgumentParser
import BerthEngine
import BerthIPAM
import Glibc

/// Options every subcommand accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "State directory (default: $BERTH_STATE_DIR or /var/lib/berth).")
    var stateDirectory: String?

    /// The state directory: flag, else BERTH_STATE_DIR, else /var/lib/berth.
    var resolvedStateDirectory: String {
        if let stateDirectory { return stateDirectory }
        if let env = getenv("BERTH_STATE_DIR"), env.pointee != 0 { return String(cString: env) }
        return "/var/lib/berth"
    }

    /// Opens the engine with the configured state directory and address pools.
    func engine() throws -> Engine {
        var configuration = EngineConfiguration(stateDirectory: resolvedStateDirectory)
        if let env = getenv("BERTH_POOLS"), env.pointee != 0 {
            do {
                configuration.pools = try AddressPool.parseList(String(cString: env))
            } catch {
                throw BerthError.invalidArgument("BERTH_POOLS: \(error)")
            }
        }
        return try Engine(configuration: configuration)
    }
}

/// `--format table|json`.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
