import ArgumentParser
import BerthAddress
import BerthEngine

/// `berth overlay-static …`: a hidden test seam onto the engine's overlay API, with the block
/// and the peers given by hand instead of by etcd and the agent (docs/overlay.md, "Test seam").
/// Not in the help: real overlays are made with `berth network create --driver overlay`.
struct OverlayStaticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay-static",
        abstract: "Test seam: join an overlay network and set its peers without etcd.",
        shouldDisplay: false,
        subcommands: [OverlayStaticJoin.self, OverlayStaticPeers.self, OverlayStaticShow.self, OverlayStaticRoute.self, OverlayStaticHostID.self])
}

/// `berth overlay-static join NAME --subnet S --block B --vni N [--port P] --vtep IP [--mtu M]`.
struct OverlayStaticJoin: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "join", abstract: "Join this host to an overlay network with a given block.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Network name.") var name: String
    @Option(help: "The whole overlay subnet.") var subnet: String
    @Option(name: .customLong("host-prefix"), help: "Block size (default: the block's prefix).") var hostPrefix: Int?
    @Option(help: "This host's block.") var block: String
    @Option(help: "VXLAN id.") var vni: UInt32
    @Option(help: "VXLAN UDP port.") var port: UInt16 = 4789
    @Option(help: "This host's underlay address.") var vtep: String
    @Option(help: "MTU (default: underlay − 50).") var mtu: Int = 0
    @Flag(help: "Give the network a name service.") var dns = false
    @Option(help: "Firewall: nftables or none.") var firewall: String?

    func run() throws {
        guard let subnet = IPv4Subnet(subnet) else { throw BerthError.invalidArgument("--subnet \(subnet) is not an IPv4 subnet") }
        guard let block = IPv4Subnet(block) else { throw BerthError.invalidArgument("--block \(block) is not an IPv4 subnet") }
        guard let vtep = IPv4Address(vtep) else { throw BerthError.invalidArgument("--vtep \(vtep) is not an IPv4 address") }
        let join = OverlayJoin(name: name,
                               definition: OverlayDefinition(subnet: subnet, hostPrefix: hostPrefix ?? block.prefixLength, vni: vni, port: port),
                               block: block, vtep: vtep, mtu: mtu, firewall: firewall, dns: dns)
        let network = try global.withEngine { try $0.joinOverlay(join) }
        OverlayStaticShow.print(network)
    }
}

/// `berth overlay-static peers NAME [BLOCK=VTEP=MAC …]`: sets exactly these peers.
struct OverlayStaticPeers: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peers", abstract: "Set exactly these peers (BLOCK=VTEP=MAC).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Network name.") var name: String
    @Argument(help: "Peers, BLOCK=VTEP=MAC.") var peers: [String] = []

    func run() throws {
        let parsed = try peers.map { text in
            guard let peer = OverlayPeer(text) else {
                throw BerthError.invalidArgument("peer '\(text)' is not BLOCK=VTEP=MAC (10.240.1.0/24=198.51.100.12=02:00:00:00:00:01)")
            }
            return peer
        }
        let report = try global.withEngine { try $0.reconcileOverlayPeers(network: name, peers: parsed) }
        for p in report.added { Swift.print("added \(p)") }
        for p in report.removed { Swift.print("removed \(p)") }
        for f in report.failures { Swift.print("failed \(f)") }
        if !report.failures.isEmpty { throw CommandExit(status: 1) }
    }
}

/// `berth overlay-static show NAME`: the local network and the peers the kernel holds.
struct OverlayStaticShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the local overlay network and its programmed peers.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Network name.") var name: String

    func run() throws {
        let (network, peers, fastPath) = try global.withEngine { engine in
            guard let n = try engine.overlayNetworks().first(where: { $0.name == name }) else {
                throw BerthError.notFound("overlay network '\(name)' does not exist")
            }
            return (n, try engine.programmedOverlayPeers(network: name), try engine.overlayFastPath(network: name))
        }
        Self.print(network)
        Swift.print("fastpath \(fastPath?.attached == true ? "on" : "off")")
        Swift.print("fastpath-entries \(fastPath?.entries ?? 0)")
        for p in peers { Swift.print("peer \(p)") }
    }

    static func print(_ n: OverlayLocalNetwork) {
        Swift.print("name \(n.name)")
        Swift.print("id \(n.id)")
        Swift.print("subnet \(n.definition.subnet)")
        Swift.print("block \(n.block)")
        Swift.print("vni \(n.definition.vni)")
        Swift.print("port \(n.definition.port)")
        Swift.print("vtep \(n.vtep)")
        Swift.print("mac \(n.mac)")
        Swift.print("vxlan \(n.vxlanDevice)")
        Swift.print("bridge \(n.bridge)")
        Swift.print("mtu \(n.mtu)")
        Swift.print("endpoints \(n.endpointCount)")
    }
}

/// `berth overlay-static route ADDRESS`: the underlay route to an address (source, device, MTU).
struct OverlayStaticRoute: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "route", abstract: "Show the underlay route to an address.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "An IPv4 address.") var address: String

    func run() throws {
        guard let to = IPv4Address(address) else { throw BerthError.invalidArgument("\(address) is not an IPv4 address") }
        let route = try global.withEngine { try $0.underlayRoute(to: to) }
        print("source \(route.source) device \(route.device) mtu \(route.mtu)")
    }
}

/// `berth overlay-static host-id`: this host's overlay identity (made on first use).
struct OverlayStaticHostID: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "host-id", abstract: "Print this host's overlay host id.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        print(try global.withEngine { try $0.overlayHostID() })
    }
}
