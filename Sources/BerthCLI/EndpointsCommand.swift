import ArgumentParser
import BerthEngine

/// `berth endpoints`.
struct EndpointsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "endpoints", abstract: "List attached containers.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this network's endpoints.") var network: String?
    @Option(help: "Output format.") var format: OutputFormat = .table

    func run() throws {
        let views = try global.withEngine { engine in
            let gateways = Dictionary(uniqueKeysWithValues: try engine.networks().map { ($0.network.name, $0.network.gateway) })
            return try engine.endpoints(network: network).map { EndpointView($0, gateway: gateways[$0.network]) }
        }
        switch format {
        case .json: printJSON(.array(views.map(\.json)))
        case .table:
            printTable(["NETWORK", "NAME", "IFNAME", "IPV4", "MAC", "HOST IFNAME", "STATE"],
                       views.map { [$0.network, $0.name, $0.ifname, $0.ipv4, $0.mac, $0.hostIfname, $0.state] })
        }
    }
}
