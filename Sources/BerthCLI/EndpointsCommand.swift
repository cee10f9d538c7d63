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
            let networks = Dictionary(uniqueKeysWithValues: try engine.networks().map { ($0.network.name, $0.network) })
            let ports = Dictionary(grouping: try engine.publishedPorts(network: network), by: \.endpoint)
            return try engine.endpoints(network: network).map {
                var view = EndpointView($0, gateway: networks[$0.network]?.gateway, gateway6: networks[$0.network]?.gateway6)
                view.ports = ports[$0.id]?.map(\.mapping) ?? []
                return view
            }
        }
        switch format {
        case .json: printJSON(.array(views.map(\.json)))
        case .table:
            let anyIPv6 = views.contains { !$0.ipv6.isEmpty }
            printTable(["NETWORK", "NAME", "IFNAME", "IPV4"] + (anyIPv6 ? ["IPV6"] : []) + ["MAC", "HOST IFNAME", "STATE"],
                       views.map { [$0.network, $0.name, $0.ifname, $0.ipv4] + (anyIPv6 ? [$0.ipv6] : [])
                           + [$0.mac, $0.hostIfname, $0.state] })
        }
    }
}
