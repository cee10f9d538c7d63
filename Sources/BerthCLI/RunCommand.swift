import BerthAddress
import ArgumentParser
import BerthEngine
import Glibc

/// `berth run [--network N] -- CMD…`: a command in its own network namespace, attached for its lifetime.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command in a new network namespace attached to a network; exits with its status.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Network to attach to (default: 'bridge', created on first use).") var network = NetworkSpec.defaultNetworkName
    @Option(help: "Static IPv4 address.") var ip: IPv4AddressArgument?
    @Option(help: "Static IPv6 address (on a network with IPv6).") var ip6: IPv6AddressArgument?
    @Option(help: "Container name recorded with the endpoint.") var name: String?
    @Option(name: [.customShort("p"), .customLong("publish")], parsing: .singleValue,
            help: ArgumentHelp("Publish a port: [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp] (repeatable).",
                               valueName: "mapping"),
            transform: PublishArgument.parse) var publish: [PortMapping] = []
    @Option(name: .customLong("alias"), parsing: .singleValue,
            help: "Another name for the container in the network's name service (repeatable).") var aliases: [String] = []
    @Argument(parsing: .postTerminator, help: "The command and its arguments (after --).") var command: [String]

    func validate() throws {
        if command.isEmpty { throw ValidationError("missing command: berth run [options] -- CMD [ARG...]") }
    }

    func run() throws {
        let status = try global.withEngine { engine in
            let namespace = try ContainerProcess.createNamespace()
            let target = namespace.target
            // From the connect on, berth must outlive the command to disconnect it: signals stay
            // pending until the command runs (then they are passed on to it) and are ignored after.
            ContainerProcess.holdSignals()
            var request = ConnectRequest(
                network: .named(network), target: .created(namespace), address: ip?.address,
                containerID: name ?? target, bringUpLoopback: true, ports: publish)
            request.address6 = ip6?.address
            request.dnsName = name
            request.aliases = try checkedAliases(aliases)
            let attached = try engine.connect(request)
            let endpoint = attached.endpoint
            let status: Int32
            do {
                let resolvConf = try RunResolvConf.write(for: attached.network)
                defer { resolvConf?.remove() }
                status = try ContainerProcess.run(command, in: namespace, resolvConf: resolvConf)
            } catch {
                try? engine.disconnect(network: endpoint.network, target: target, ifname: endpoint.ifname)
                throw error
            }
            try engine.disconnect(network: endpoint.network, target: target, ifname: endpoint.ifname)
            return status
        }
        throw CommandExit(status: status)
    }
}
