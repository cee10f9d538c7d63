import ArgumentParser
import BerthAddress
import BerthEngine

/// `berth network connect NETWORK TARGET`.
struct NetworkConnect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Attach a network namespace (PID, name under /run/netns, or path) to a network.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Network name.") var network: String
    @Argument(help: "Container: a PID, a netns name under /run/netns, or a namespace file path.") var target: String
    @Option(help: "Interface name inside the container.") var ifname = "eth0"
    @Option(help: "Static IPv4 address.") var ip: IPv4AddressArgument?
    @Option(help: "Static IPv6 address (on a network with IPv6).") var ip6: IPv6AddressArgument?
    @Option(help: "Static MAC address.") var mac: MACAddress?
    @Option(help: "Container name recorded with the endpoint (default: TARGET).") var name: String?
    @Option(name: [.customShort("p"), .customLong("publish")], parsing: .singleValue,
            help: ArgumentHelp("Publish a port: [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp] (repeatable).",
                               valueName: "mapping"),
            transform: PublishArgument.parse) var publish: [PortMapping] = []
    @Option(name: .customLong("alias"), parsing: .singleValue,
            help: "Another name for the container in the network's name service (repeatable).") var aliases: [String] = []

    func run() throws {
        try Self.perform(stateDirectory: global.stateDirectory, network: network, target: target,
                         ifname: ifname, ip: ip?.address, ip6: ip6?.address, mac: mac, name: name, publish: publish,
                         aliases: try checkedAliases(aliases))
    }

    /// The command's work, callable without swift-argument-parser (see ``FastPath``).
    static func perform(stateDirectory: String?, network: String, target: String, ifname: String,
                        ip: IPv4Address?, ip6: IPv6Address? = nil, mac: MACAddress?, name: String?,
                        publish: [PortMapping] = [], aliases: [String] = []) throws {
        PhaseTrace.mark("process start to command")
        try GlobalOptions.withEngine(stateDirectory: stateDirectory) { engine in
            var request = ConnectRequest(
                network: .named(network), target: .user(target), ifname: ifname,
                address: ip, mac: mac, containerID: name, bringUpLoopback: true, ports: publish)
            request.address6 = ip6
            request.dnsName = name
            request.aliases = aliases
            let attached = try engine.connect(request)
            var view = EndpointView(attached.endpoint, gateway: attached.network.gateway, gateway6: attached.network.gateway6)
            view.ports = publish
            view.dns = dnsJSON(attached.network)
            printJSON(view.json)
            PhaseTrace.mark("print result")
        }
    }
}

/// `berth network disconnect NETWORK TARGET`.
struct NetworkDisconnect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disconnect", abstract: "Detach a container from a network.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Network name.") var network: String
    @Argument(help: "Container: a PID, a netns name, a namespace path, or the name it was connected with.") var target: String?
    @Option(help: "Interface name inside the container.") var ifname = "eth0"
    @Flag(help: "Detach every container of the network at once (one kernel request for all veths).") var all = false

    func validate() throws {
        if all && target != nil { throw ValidationError("give either TARGET or --all, not both") }
        if !all && target == nil { throw ValidationError("missing TARGET (or --all)") }
    }

    func run() throws {
        if all {
            let count = try global.withEngine { try $0.disconnectAll(network: network) }
            print("\(count) endpoint(s) disconnected")
            return
        }
        try Self.perform(stateDirectory: global.stateDirectory, network: network, target: target ?? "", ifname: ifname)
    }

    /// The command's work, callable without swift-argument-parser (see ``FastPath``).
    /// Like connect, it leaves the WAL's checkpoint to a detached child (``Engine/close()``).
    static func perform(stateDirectory: String?, network: String, target: String, ifname: String) throws {
        try GlobalOptions.withEngine(stateDirectory: stateDirectory) {
            try $0.disconnect(network: network, target: target, ifname: ifname)
        }
    }
}

extension MACAddress: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
