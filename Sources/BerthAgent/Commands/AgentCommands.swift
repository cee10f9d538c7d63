import ArgumentParser
import BerthAddress
import BerthEngine
import BerthJSON
import Glibc

/// Options every berth-agent subcommand accepts (as berth's).
struct AgentGlobalOptions: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: "State directory (default: $BERTH_STATE_DIR or /var/lib/berth).")
    var stateDirectory: String?

    var context: OverlayContext { OverlayContext.live(stateDirectory: stateDirectory) }
}

/// A berth-agent command: parsed by swift-argument-parser, run asynchronously by ``BerthAgentMain``.
protocol AgentRunnable {
    func execute() async throws
}

/// The root: named `berth`, since users reach these commands through berth.
struct AgentRoot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "Overlay networks across hosts (VXLAN, etcd): berth-agent, run by berth for these commands.",
        subcommands: [AgentNetwork.self, AgentRun.self, AgentOverlay.self])
}

struct AgentNetwork: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Create (join) and remove overlay networks.",
        subcommands: [AgentNetworkCreate.self, AgentNetworkRemove.self])
}

/// `network create NAME --driver overlay --etcd URL[,URL…] …`.
struct AgentNetworkCreate: ParsableCommand, AgentRunnable {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create or join an overlay network.")

    @OptionGroup var global: AgentGlobalOptions
    @Argument(help: "Network name.") var name: String
    @Option(help: "Network driver: overlay.") var driver = "overlay"
    @Option(help: ArgumentHelp("etcd endpoints, comma-separated (http:// or https://).", valueName: "url[,url…]")) var etcd: String?
    @Option(help: "The overlay subnet, IPv4 CIDR (default: a free /16 of 10.240.0.0/12, or the stored one).") var subnet: [String] = []
    @Option(name: .customLong("host-prefix"), help: "Prefix length of each host's block (default 24).") var hostPrefix: Int?
    @Option(help: "VXLAN network identifier (default: the lowest from 4096 no other overlay network uses).") var vni: UInt32?
    @Option(help: "VXLAN UDP port (default 4789).") var port: Int?
    @Option(name: .customLong("vtep-address"), help: "This host's underlay address (default: the source of the route to the first etcd endpoint).")
    var vtepAddress: String?
    @Option(name: .customLong("etcd-prefix"), help: "Key prefix in etcd (default /berth).") var etcdPrefix: String?
    @Option(name: .customLong("etcd-cacert"), help: "CA certificate (PEM) for https:// endpoints.") var etcdCACert: String?
    @Option(name: .customLong("etcd-cert"), help: "Client certificate (PEM).") var etcdCert: String?
    @Option(name: .customLong("etcd-key"), help: "Client certificate's key (PEM).") var etcdKey: String?
    @Option(help: "MTU (default: the underlay's minus 50).") var mtu: Int = 0
    @Option(name: .customLong("label"), help: "KEY=VALUE metadata (repeatable).") var labels: [String] = []
    @Option(help: "Firewall: nftables (default) or none.") var firewall: String?
    @Option(name: .customLong("dns"), parsing: .singleValue, help: ArgumentHelp("Name service: true (default) or false.", valueName: "true|false"))
    var dns: [String] = []
    @Flag(name: [.customLong("no-dns"), .customLong("disable-dns")], help: "No name service.") var noDNS = false

    func options() throws -> OverlayCreateRequest.Options {
        var o = OverlayCreateRequest.Options(name: name)
        o.driver = driver; o.etcd = etcd; o.subnet = subnet; o.hostPrefix = hostPrefix; o.vni = vni; o.port = port
        o.vtepAddress = vtepAddress; o.etcdPrefix = etcdPrefix; o.caCert = etcdCACert; o.cert = etcdCert; o.key = etcdKey
        o.mtu = mtu; o.labels = labels; o.firewall = firewall
        o.dns = !noDNS
        for value in dns {
            switch value {
            case "true": break
            case "false": o.dns = false
            default: throw BerthError.invalidArgument("--dns \(Validation.printable(value)): an overlay network takes --dns true or false (upstream servers are the host's)")
            }
        }
        return o
    }

    func execute() async throws {
        let request = try OverlayCreateRequest.validate(try options())
        let created = try await global.context.create(request)
        TextOutput.writeAll(created.text)
    }
}

/// `network rm NAME… [--force] [--everywhere]`.
struct AgentNetworkRemove: ParsableCommand, AgentRunnable {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove networks (overlay ones leave etcd too).", aliases: ["remove"])

    @OptionGroup var global: AgentGlobalOptions
    @Flag(name: .shortAndLong, help: "Disconnect attached endpoints first.") var force = false
    @Flag(help: "Remove the overlay network from every host and from etcd.") var everywhere = false
    @Argument(help: "Network names.") var names: [String]

    func validate() throws {
        if names.isEmpty { throw ValidationError("name at least one network") }
    }

    func execute() async throws {
        for name in try await global.context.remove(names, force: force, everywhere: everywhere) { print(name) }
    }
}

/// `agent [--lease-ttl S] [--vtep-address IP]`.
struct AgentRun: ParsableCommand, AgentRunnable {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the overlay agent in the foreground (one per state directory; SIGHUP resynchronises, SIGTERM stops).")

    @OptionGroup var global: AgentGlobalOptions
    @Option(name: .customLong("lease-ttl"), help: "Lease TTL in seconds: peers drop this host this long after the agent stops (default 60, at least 2).")
    var leaseTTL = 60
    @Option(name: .customLong("vtep-address"), help: "The underlay address peers send to (default: each network's, as joined).")
    var vtepAddress: String?

    func agentOptions() throws -> AgentOptions {
        guard leaseTTL >= 2 else { throw BerthError.invalidArgument("--lease-ttl \(leaseTTL): etcd's floor is 2 seconds") }
        guard leaseTTL <= 86400 else { throw BerthError.invalidArgument("--lease-ttl \(leaseTTL): at most 86400 (a dead host would stay a peer that long)") }
        var options = AgentOptions(leaseTTL: leaseTTL)
        if let text = vtepAddress {
            guard let a = IPv4Address(text), a.value != 0, !a.isMulticast, !a.isLoopback else {
                throw BerthError.invalidArgument("--vtep-address '\(Validation.printable(text))' is not a unicast IPv4 address")
            }
            options.vtep = a
        }
        return options
    }

    func execute() async throws {
        let options = try agentOptions()
        let context = global.context
        let pidFile = try PidFile(stateDirectory: context.stateDirectory)
        let hostID = try context.engine.overlayHostID()
        let loop = AgentLoop(context: context, options: options, hostID: hostID)
        await loop.run(signals: SignalSource.stream())
        _ = consume pidFile
    }
}

struct AgentOverlay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay", abstract: "Overlay networks across hosts: status, forget a dead host's block.",
        subcommands: [AgentOverlayStatus.self, AgentOverlayForget.self])
}

/// Which etcd to ask when no local network says (a host that has not joined).
struct EtcdChoice: ParsableArguments {
    @Option(help: ArgumentHelp("etcd endpoints (default: a local overlay network's).", valueName: "url[,url…]")) var etcd: String?
    @Option(name: .customLong("etcd-prefix"), help: "Key prefix in etcd (default /berth).") var etcdPrefix: String?
    @Option(name: .customLong("etcd-cacert"), help: "CA certificate (PEM).") var etcdCACert: String?
    @Option(name: .customLong("etcd-cert"), help: "Client certificate (PEM).") var etcdCert: String?
    @Option(name: .customLong("etcd-key"), help: "Client certificate's key (PEM).") var etcdKey: String?

    func settings() throws -> OverlayEtcdSettings? {
        guard let etcd else {
            if etcdPrefix != nil || etcdCACert != nil || etcdCert != nil || etcdKey != nil {
                throw BerthError.invalidArgument("--etcd-prefix and the TLS options go with --etcd")
            }
            return nil
        }
        var o = OverlayCreateRequest.Options(name: "x")
        o.etcd = etcd; o.caCert = etcdCACert; o.cert = etcdCert; o.key = etcdKey; o.vtepAddress = "192.0.2.1"
        o.etcdPrefix = etcdPrefix
        return try OverlayCreateRequest.validate(o).etcd
    }
}

/// `overlay status [NAME] [--json]`.
struct AgentOverlayStatus: ParsableCommand, AgentRunnable {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Hosts of overlay networks, and this kernel's entries for each.")

    @OptionGroup var global: AgentGlobalOptions
    @Argument(help: "Network name (default: every overlay network).") var name: String?
    @Flag(help: "JSON output.") var json = false
    @OptionGroup var etcd: EtcdChoice

    func execute() async throws {
        if let name { try Validation.networkName(name) }
        let statuses = try await global.context.status(network: name, etcd: try etcd.settings())
        if json {
            let w = JSONWriter(style: .pretty)
            w.array { for s in statuses { s.write(to: w) } }
            TextOutput.writeAll(w.text + "\n")
        } else {
            TextOutput.writeAll(statuses.map { $0.table() }.joined(separator: "\n"))
        }
    }
}

/// `overlay forget NAME BLOCK`.
struct AgentOverlayForget: ParsableCommand, AgentRunnable {
    static let configuration = CommandConfiguration(commandName: "forget", abstract: "Delete a dead host's block reservation (refused while it is alive).")

    @OptionGroup var global: AgentGlobalOptions
    @Argument(help: "Network name.") var name: String
    @Argument(help: "The block, as 10.240.3.0/24.") var block: String
    @OptionGroup var etcd: EtcdChoice

    func execute() async throws {
        try Validation.networkName(name)
        guard let subnet = IPv4Subnet(block: block) else {
            throw BerthError.invalidArgument("'\(Validation.printable(block))' is not a block (CIDR such as 10.240.3.0/24)")
        }
        try await global.context.forget(network: name, block: subnet, etcd: try etcd.settings())
        print("\(name) \(subnet)")
    }
}
