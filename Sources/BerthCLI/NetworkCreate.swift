import ArgumentParser
import BerthEngine

/// `berth network create NAME …`.
struct NetworkCreate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a bridge, macvlan or overlay network.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Network name.") var name: String
    @Option(help: "Subnet in CIDR notation, once per family (default: the first free /24 of the address pools; with --ipv6, a unique local /64).")
    var subnet: [AnySubnetArgument] = []
    @Option(help: "Gateway address, the bridge's own, once per family (default: the first address of the subnet).")
    var gateway: [AnyAddressArgument] = []
    @Option(name: .customLong("ip-range"), help: "Allocate container addresses only from this range of the subnet (once per family).")
    var ipRange: [AnySubnetArgument] = []
    @Flag(name: .customLong("ipv4"), inversion: .prefixedNo,
          help: "Give the network IPv4 (default; --ipv4=false or --no-ipv4 with --ipv6: IPv6 only).") var ipv4: Bool?
    @Flag(name: .customLong("ipv6"), inversion: .prefixedNo,
          help: "Give the network IPv6 as well: a unique local /64 unless an IPv6 --subnet is given.") var ipv6: Bool?
    @Option(name: .customLong("ipv6-nat"), help: "Masquerade IPv6 traffic leaving the host (--ipv6-nat=false: the IPv6 prefix is routed).")
    var ipv6NAT = true
    @Option(help: "Bridge device name (default: berth<id>).") var bridge: String?
    @Option(help: "MTU of the bridge and veths (default: kernel default).") var mtu: Int = 0
    @Flag(name: .customLong("internal"), help: "No outside access: no default route, no NAT, no forwarding out.") var isInternal = false
    @Flag(name: .customLong("no-masquerade"), help: "Do not NAT traffic leaving the network.") var noMasquerade = false
    @Option(name: .customLong("label"), help: "KEY=VALUE metadata (repeatable).") var labels: [String] = []
    @Option(name: .customLong("icc"), help: "Inter-container communication on the bridge (--icc=false blocks it; gateway, NAT and published ports keep working).")
    var icc = true
    @Option(help: "Network driver: bridge, macvlan (containers on the LAN of --parent, with their own MACs), or overlay (one network across hosts over VXLAN, with --etcd; see docs/overlay.md).") var driver = "bridge"
    @Option(help: "macvlan: the host interface whose LAN the containers join (required; it must exist and be up).")
    var parent: String?
    @Option(name: .customLong("macvlan-mode"), help: "macvlan: bridge (default; containers reach each other), private, vepa, passthru (one container takes the parent) or source.")
    var macvlanMode: String?
    @Option(help: "Firewall that renders the network's rules: nftables (default), or none where another tool owns the host's firewall (no NAT, isolation or published ports from Berth). A macvlan network has none.")
    var firewall: String?
    @Option(name: .customLong("isolate"), help: "Wall the network off from other Berth networks (--isolate=false: reach other non-isolated networks directly).")
    var isolate = true
    @Option(name: .customLong("dns"), parsing: .singleValue,
            help: ArgumentHelp("Name service for the network's containers: true (default) or false; an address adds an upstream name server (repeatable; default: the host's).",
                               valueName: "true|false|address"))
    var dns: [String] = []
    @Flag(name: [.customLong("no-dns"), .customLong("disable-dns")], help: "No name service for the network (as --dns=false).")
    var noDNS = false
    @Option(name: .customLong("dns-domain"), help: "The network's DNS domain (default: berth.internal).")
    var dnsDomain: String?

    @OptionGroup(title: "Overlay options (--driver overlay)") var overlay: OverlayCreateOptions

    func run() throws {
        // An overlay network is created (or joined) by berth-agent, which talks to etcd: the
        // options were parsed here for help and syntax, the work is done there.
        if driver == "overlay" { AgentRouting.exec(AgentRouting.processArguments) }
        try checkDriverOptions()
        var spec = NetworkSpec(name: name, bridge: bridge, mtu: mtu, isInternal: isInternal, masquerade: !noMasquerade,
                               labels: try parseLabels(labels))
        (spec.subnet, spec.subnet6) = try AnySubnetArgument.perFamily(subnet, option: "--subnet")
        (spec.ipRange, spec.ipRange6) = try AnySubnetArgument.perFamily(ipRange, option: "--ip-range")
        (spec.gateway, spec.gateway6) = try AnyAddressArgument.perFamily(gateway, option: "--gateway")
        spec.ipv4 = ipv4
        spec.ipv6 = ipv6
        spec.masquerade6 = ipv6NAT
        spec.icc = icc
        spec.isolated = isolate
        spec.driver = driver
        spec.firewall = firewall
        spec.parent = parent
        if let macvlanMode { spec.driverOptions["mode"] = macvlanMode }
        try DNSArguments.parse(dns, off: noDNS).apply(to: &spec, domain: dnsDomain)
        // A macvlan network's traffic does not pass the host, where the name service runs: it
        // has none unless asked (which the engine then refuses, naming why).
        if driver == "macvlan" && dns.isEmpty && !noDNS { spec.dns = false }
        let network = try global.withEngine { try $0.createNetwork(spec) }
        print(network.name)
    }
}

extension NetworkCreate {
    /// The macvlan options against the driver, before anything runs: one-line errors naming
    /// the flags.
    func checkDriverOptions() throws {
        if let flag = overlay.givenFlag {
            throw BerthError.invalidArgument("\(flag) is for --driver overlay, not \(Validation.printable(driver))")
        }
        if driver == "macvlan" {
            guard let parent, !parent.isEmpty else {
                throw BerthError.invalidArgument("--driver macvlan needs --parent IFNAME: the host interface whose LAN the containers join")
            }
            if bridge != nil { throw BerthError.invalidArgument("--bridge is for bridge networks: a macvlan network has no bridge") }
        } else {
            if let parent { throw BerthError.invalidArgument("--parent \(Validation.printable(parent)) is for --driver macvlan, not \(Validation.printable(driver))") }
            if macvlanMode != nil { throw BerthError.invalidArgument("--macvlan-mode is for --driver macvlan, not \(Validation.printable(driver))") }
        }
    }
}

/// `--ipv4=false` and `--ipv6=true` for the `--[no-]ipv4` / `--[no-]ipv6` flags, as Docker
/// spells them: rewritten to the flag forms before parsing (never after a `--`).
enum BooleanFlagSpelling {
    static let flags = ["ipv4", "ipv6"]

    static func normalize(_ arguments: inout [String]) {
        for i in arguments.indices {
            let word = arguments[i]
            if word == "--" { return }
            for flag in flags {
                switch word {
                case "--\(flag)=true": arguments[i] = "--\(flag)"
                case "--\(flag)=false": arguments[i] = "--no-\(flag)"
                default: break
                }
            }
        }
    }
}

/// An address of either family (`--gateway`).
struct AnyAddressArgument: ExpressibleByArgument {
    let address: IPAddress
    init?(argument: String) {
        guard let a = IPAddress(argument) else { return nil }
        address = a
    }

    /// At most one address per family.
    static func perFamily(_ values: [Self], option: String) throws -> (IPv4Address?, IPv6Address?) {
        let v4 = values.compactMap(\.address.ipv4), v6 = values.compactMap(\.address.ipv6)
        if v4.count > 1 || v6.count > 1 {
            throw ValidationError("\(option) may be given once per family (one IPv4, one IPv6)")
        }
        return (v4.first, v6.first)
    }
}

/// An IPv6 address argument (`--ip6`).
struct IPv6AddressArgument: ExpressibleByArgument {
    let address: IPv6Address
    init?(argument: String) {
        guard let a = IPv6Address(argument) else { return nil }
        address = a
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

/// The options of `network create --driver overlay`, declared here so `berth network create
/// --help` shows them and their syntax is checked before berth-agent runs (it parses the same
/// command line again and owns their meaning: docs/overlay.md).
struct OverlayCreateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("etcd endpoints, comma-separated (http:// or https://).", valueName: "url[,url…]"))
    var etcd: String?
    @Option(name: .customLong("host-prefix"), help: "Prefix length of each host's block of the overlay subnet (default 24).")
    var hostPrefix: Int?
    @Option(help: "VXLAN network identifier (default: the lowest from 4096 no other overlay network uses).")
    var vni: UInt32?
    @Option(help: "VXLAN UDP port (default 4789).") var port: UInt16?
    @Option(name: .customLong("vtep-address"), help: "This host's underlay address (default: the source address of the route to the first etcd endpoint).")
    var vtepAddress: IPv4AddressArgument?
    @Option(name: .customLong("etcd-prefix"), help: "Key prefix in etcd (default /berth).") var etcdPrefix: String?
    @Option(name: .customLong("etcd-cacert"), help: "CA certificate (PEM) that signed the etcd servers' certificates.") var etcdCACert: String?
    @Option(name: .customLong("etcd-cert"), help: "Client certificate (PEM) for etcd.") var etcdCert: String?
    @Option(name: .customLong("etcd-key"), help: "Client certificate's private key (PEM) for etcd.") var etcdKey: String?

    /// The first overlay-only flag given, for the error when the driver is not overlay.
    var givenFlag: String? {
        if etcd != nil { return "--etcd" }
        if hostPrefix != nil { return "--host-prefix" }
        if vni != nil { return "--vni" }
        if port != nil { return "--port" }
        if vtepAddress != nil { return "--vtep-address" }
        if etcdPrefix != nil { return "--etcd-prefix" }
        if etcdCACert != nil { return "--etcd-cacert" }
        if etcdCert != nil { return "--etcd-cert" }
        if etcdKey != nil { return "--etcd-key" }
        return nil
    }
}
