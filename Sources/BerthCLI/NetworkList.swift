import ArgumentParser
import BerthEngine

/// `berth network ls`.
struct NetworkList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks.", aliases: ["list"])

    @OptionGroup var global: GlobalOptions
    @Option(help: "Output format.") var format: OutputFormat = .table

    func run() throws {
        let summaries = try global.withEngine { try $0.networks() }
        switch format {
        case .json:
            printJSON(.array(summaries.map { NetworkSummaryView(network: $0.network, endpointCount: $0.endpointCount).json }))
        case .table:
            // Both families of a dual-stack network, comma-separated, IPv4 first.
            func both(_ a: (some CustomStringConvertible)?, _ b: (some CustomStringConvertible)?) -> String {
                [a.map { "\($0)" }, b.map { "\($0)" }].compactMap { $0 }.joined(separator: ",")
            }
            // DEVICE: a bridge network's bridge, a macvlan network's parent.
            printTable(["NAME", "DRIVER", "DEVICE", "SUBNET", "GATEWAY", "INTERNAL", "ENDPOINTS"],
                       summaries.map { s in
                           let n = s.network
                           let driver = n.driverOptions["mode"].map { "\(n.driver)/\($0)" } ?? n.driver
                           return [n.name, driver, n.device, both(n.subnet, n.subnet6), both(n.gateway, n.gateway6),
                                   n.isInternal ? "yes" : "no", "\(s.endpointCount)"]
                       })
        }
    }
}

/// `berth network inspect NAME…`.
struct NetworkInspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show networks as JSON.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Network names.") var names: [String]

    func validate() throws {
        if names.isEmpty { throw ValidationError("name at least one network") }
    }

    func run() throws {
        let views = try global.withEngine { engine in
            try names.map { name in
                NetworkView(try engine.network(named: name), endpoints: try engine.endpoints(network: name),
                            ports: try engine.publishedPorts(network: name))
            }
        }
        printJSON(.array(views.map(\.json)))
    }
}

/// `berth network rm NAME… [--force]`.
struct NetworkRemove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove networks.", aliases: ["remove"])

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Disconnect attached endpoints first.") var force = false
    @Argument(help: "Network names.") var names: [String]

    func validate() throws {
        if names.isEmpty { throw ValidationError("name at least one network") }
    }

    @Flag(help: "Overlay networks: remove the network from every host and from etcd (berth-agent).") var everywhere = false

    func run() throws {
        // An overlay network leaves etcd too: berth-agent's. One look at the store, and only here.
        // An overlay network joined through etcd (not the engine's test seam, which has none).
        let overlay = try everywhere || global.withEngine { engine in
            names.contains { name in
                guard let info = try? engine.network(named: name), info.driver == "overlay" else { return false }
                return !(info.driverOptions["overlay.etcd"] ?? "").isEmpty
            }
        }
        if overlay { AgentRouting.exec(AgentRouting.processArguments) }
        try global.withEngine { try $0.removeNetworks(names, force: force) }
        for name in names { print(name) }
    }
}

/// `berth network prune`.
struct NetworkPrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all networks without endpoints.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        for name in try global.withEngine({ try $0.pruneNetworks() }) { print(name) }
    }
}
