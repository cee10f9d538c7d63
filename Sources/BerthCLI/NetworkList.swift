import ArgumentParser
import BerthEngine

/// `berth network ls`.
struct NetworkList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks.", aliases: ["list"])

    @OptionGroup var global: GlobalOptions
    @Option(help: "Output format.") var format: OutputFormat = .table

    func run() throws {
        let engine = try global.engine()
        let networks = try engine.networks()
        let counts = try networks.map { try engine.endpointCount(network: $0.name) }
        switch format {
        case .json:
            printJSON(.array(zip(networks, counts).map { NetworkSummaryView(network: $0, endpointCount: $1).json }))
        case .table:
            printTable(["NAME", "BRIDGE", "SUBNET", "GATEWAY", "INTERNAL", "ENDPOINTS"],
                       zip(networks, counts).map { n, c in
                           [n.name, n.bridge, "\(n.subnet)", "\(n.gateway)", n.isInternal ? "yes" : "no", "\(c)"]
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
        let engine = try global.engine()
        let views = try names.map { name in
            let n = try engine.network(named: name)
            var view = NetworkView(n, endpoints: try engine.endpoints(network: name))
            view.ports = try engine.publishedPorts(network: name)
            return view
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

    func run() throws {
        try global.engine().removeNetworks(names, force: force)
        for name in names { print(name) }
    }
}

/// `berth network prune`.
struct NetworkPrune: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all networks without endpoints.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        for name in try global.engine().pruneNetworks() { print(name) }
    }
}
