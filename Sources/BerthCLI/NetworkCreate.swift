import ArgumentParser
import BerthEngine

/// `berth network create NAME …`.
struct NetworkCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a bridge network.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Network name.") var name: String
    @Option(help: "Subnet in CIDR notation (default: the first free /24 of the address pools).") var subnet: SubnetArgument?
    @Option(help: "Gateway address, the bridge's own (default: the first address of the subnet).") var gateway: IPv4AddressArgument?
    @Option(name: .customLong("ip-range"), help: "Allocate container addresses only from this range of the subnet.") var ipRange: SubnetArgument?
    @Option(help: "Bridge device name (default: berth<id>).") var bridge: String?
    @Option(help: "MTU of the bridge and veths (default: kernel default).") var mtu: Int = 0
    @Flag(name: .customLong("internal"), help: "No outside access: no default route, no NAT, no forwarding out.") var isInternal = false
    @Flag(name: .customLong("no-masquerade"), help: "Do not NAT traffic leaving the network.") var noMasquerade = false
    @Option(name: .customLong("label"), help: "KEY=VALUE metadata (repeatable).") var labels: [String] = []
    @Option(name: .customLong("icc"), help: "Inter-container communication on the bridge (--icc=false blocks it; gateway, NAT and published ports keep working).")
    var icc = true
    @Option(help: "Network driver: bridge.") var driver = "bridge"
    @Option(help: "Firewall that renders the network's rules: nftables, or none where another tool owns the host's firewall (no NAT, isolation or published ports from Berth).")
    var firewall = "nftables"
    @Option(name: .customLong("isolate"), help: "Wall the network off from other Berth networks (--isolate=false: reach other non-isolated networks directly).")
    var isolate = true

    func run() throws {
        var spec = NetworkSpec(name: name, subnet: subnet?.subnet, gateway: gateway?.address, ipRange: ipRange?.subnet,
                               bridge: bridge, mtu: mtu, isInternal: isInternal, masquerade: !noMasquerade,
                               labels: try parseLabels(labels))
        spec.icc = icc
        spec.isolated = isolate
        spec.driver = driver
        spec.firewall = firewall
        let network = try global.withEngine { try $0.createNetwork(spec) }
        print(network.name)
    }
}

/// An IPv4 address argument (wrapped so the help shows what is expected).
struct IPv4AddressArgument: ExpressibleByArgument {
    let address: IPv4Address
    init?(argument: String) {
        guard let a = IPv4Address(argument) else { return nil }
        address = a
    }
}

import BerthAddress
