import BerthAddress
import BerthEngine

/// Podman's ``NetworkOptions`` as engine requests (docs/podman.md, "Translation"). Everything
/// is checked here, before the engine is called, so bad input changes nothing.
enum Translation {
    /// The DNS domain of every Podman network with DNS, as aardvark-dns serves it.
    static let dnsDomain = "dns.podman"
    /// netavark's metric for the default routes it installs when the network sets none.
    static let defaultRouteMetric = 100

    /// The `setup` request. `ipv6Available` is asked only when a network enables IPv6.
    /// Aliases that are not DNS names are left out (the name service holds only DNS names; a
    /// container should still start, as with netavark), each with a line in `notes`.
    static func setup(_ o: NetworkOptions, namespace: String, ipv6Available: () -> Bool,
                      notes: inout [String]) throws -> PodmanSetup {
        var attachments: [PodmanAttachmentRequest] = []
        var askedIPv6 = false
        for (name, per) in o.networks {
            guard let network = o.network(named: name) else {
                throw NetavarkError("network \(quoted(name)) has no definition in network_info")
            }
            let spec = try self.spec(network)
            if network.ipv6Enabled && !askedIPv6 {
                askedIPv6 = true
                guard ipv6Available() else { throw NetavarkError("IPv6 is disabled on this host") }
            }
            let aliases = per.aliases.filter { Validation.isContainerDNSName($0) }
            for skipped in per.aliases where !aliases.contains(skipped) {
                notes.append("network \(quoted(name)): alias \(quoted(skipped)) is not a DNS name: the container is not registered under it")
            }
            var request = PodmanAttachmentRequest(spec: spec, ifname: per.interfaceName, aliases: spec.dns ? aliases : [])
            try assignStaticIPs(per.staticIPs, network: network, spec: spec, to: &request)
            if let text = per.staticMAC, !text.isEmpty {
                guard let mac = MACAddress(text) else {
                    throw NetavarkError("network \(quoted(name)): static_mac \(quoted(text)) is not a MAC address")
                }
                guard !mac.isMulticast, !mac.isZero else {
                    throw NetavarkError("network \(quoted(name)): static_mac \(quoted(text)) is not a unicast MAC address")
                }
                request.mac = mac
            }
            attachments.append(request)
        }
        guard !attachments.isEmpty else { throw NetavarkError("no networks to set up") }
        return PodmanSetup(containerID: o.containerID, containerName: o.containerName, namespacePath: namespace,
                           networks: attachments, ports: try ports(o.portMappings))
    }

    /// The `teardown` request. Lenient: a network whose definition is missing or does not
    /// translate is still detached by name (teardown must undo whatever a setup made).
    static func teardown(_ o: NetworkOptions, namespace: String) -> PodmanTeardown {
        let networks = o.networks.map { name, per -> (spec: NetworkSpec, ifname: String) in
            let network = o.network(named: name)
            if let network, let spec = try? spec(network) { return (spec: spec, ifname: per.interfaceName) }
            var spec = NetworkSpec(name: name)
            spec.owner = .podman
            if let network, network.driver == "bridge", !network.networkInterface.isEmpty { spec.bridge = network.networkInterface }
            return (spec: spec, ifname: per.interfaceName)
        }
        return PodmanTeardown(containerID: o.containerID, namespacePath: namespace, networks: networks)
    }

    /// The network as Berth creates it: owned by Podman, with Podman's subnets and bridge name.
    static func spec(_ n: Network, defaultParent: () -> String? = DefaultRouteInterface.find) throws -> NetworkSpec {
        let name = quoted(n.name)
        var spec = NetworkSpec(name: n.name)
        spec.owner = .podman
        switch n.driver {
        case "bridge":
            spec.bridge = n.networkInterface.isEmpty ? nil : n.networkInterface
        case "macvlan":
            spec.driver = "macvlan"
            spec.parent = n.networkInterface.isEmpty ? defaultParent() : n.networkInterface
            // Containers sit on the parent's LAN: nothing goes through the host to NAT.
            spec.masquerade = false
            spec.masquerade6 = false
        default:
            throw NetavarkError("unsupported network driver \(quoted(n.driver))")
        }
        switch n.ipamDriver ?? "host-local" {
        case "host-local", "":
            try assignSubnets(n, to: &spec)
        case "none":
            // No addresses: Podman sends no subnets; the interface comes up without addresses
            // or routes, and there is no name service (docs/podman.md).
            spec.addressless = true
            (spec.ipv4, spec.ipv6) = (false, false)
        case "dhcp":
            throw NetavarkError("IPAM driver \"dhcp\" is not supported")
        case let other:
            throw NetavarkError("network \(name): unsupported IPAM driver \(quoted(other))")
        }
        spec.isInternal = n.isInternal
        // Podman's name service is aardvark-dns's: on the gateways, for `dns.podman`. macvlan
        // networks have none (as with netavark).
        spec.dns = n.dnsEnabled && n.driver == "bridge" && !spec.addressless
        spec.dnsDomain = dnsDomain
        spec.dnsServers = try n.networkDNSServers.map { text in
            guard let a = IPAddress(text) else {
                throw NetavarkError("network \(name): network_dns_servers entry \(quoted(text)) is not an IP address")
            }
            return a
        }
        // Podman networks reach each other unless isolated (unlike the CLI's).
        spec.isolated = false
        spec.routeMetric = defaultRouteMetric
        for (option, value) in n.options {
            try apply(option: option, value: value, network: n, to: &spec)
        }
        return spec
    }

    private static func apply(option: String, value: String, network n: Network, to spec: inout NetworkSpec) throws {
        let name = quoted(n.name)
        switch (option, n.driver) {
        case ("mtu", _):
            guard let mtu = Int(value.trimmingSpaces()), mtu >= 0, mtu <= 65535 else {
                throw NetavarkError("network \(name): option mtu \(quoted(value)) is not an MTU")
            }
            spec.mtu = mtu
        case ("metric", _):
            guard let metric = Int(value.trimmingSpaces()), metric >= 0, metric <= Int(UInt32.max) else {
                throw NetavarkError("network \(name): option metric \(quoted(value)) is not a route metric")
            }
            spec.routeMetric = metric
        case ("isolate", "bridge"):
            switch value {
            case "true", "strict": spec.isolated = true
            case "false", "": spec.isolated = false
            default: throw NetavarkError("network \(name): option isolate takes true, strict or false, not \(quoted(value))")
            }
        case ("mode", "macvlan"):
            guard ["bridge", "private", "vepa", "passthru", "source"].contains(value) else {
                throw NetavarkError("network \(name): unknown macvlan mode \(quoted(value))")
            }
            spec.driverOptions["mode"] = value
        default:
            throw NetavarkError("unsupported network option \(quoted(option))")
        }
    }

    /// At most one subnet per family; gateways as given.
    private static func assignSubnets(_ n: Network, to spec: inout NetworkSpec) throws {
        let name = quoted(n.name)
        for s in n.subnets {
            if let v4 = IPv4Subnet(s.subnet) {
                guard spec.subnet == nil else { throw NetavarkError("network \(name) has more than one IPv4 subnet") }
                spec.subnet = v4
                if let g = s.gateway, !g.isEmpty {
                    guard let gateway = IPv4Address(g), v4.contains(gateway) else {
                        throw NetavarkError("network \(name): gateway \(quoted(g)) is not an address in \(v4)")
                    }
                    spec.gateway = gateway
                }
            } else if let v6 = IPv6Subnet(s.subnet) {
                guard n.ipv6Enabled else {
                    throw NetavarkError("network \(name) has the IPv6 subnet \(v6) but ipv6_enabled is false")
                }
                guard spec.subnet6 == nil else { throw NetavarkError("network \(name) has more than one IPv6 subnet") }
                spec.subnet6 = v6
                if let g = s.gateway, !g.isEmpty {
                    guard let gateway = IPv6Address(g), v6.contains(gateway) else {
                        throw NetavarkError("network \(name): gateway \(quoted(g)) is not an address in \(v6)")
                    }
                    spec.gateway6 = gateway
                }
            } else {
                throw NetavarkError("network \(name): subnet \(quoted(s.subnet)) is not a subnet in CIDR notation")
            }
        }
        spec.ipv4 = spec.subnet != nil
        spec.ipv6 = spec.subnet6 != nil
    }

    /// Podman's allocations: one address per family, inside that family's subnet.
    private static func assignStaticIPs(_ ips: [String], network n: Network, spec: NetworkSpec,
                                        to request: inout PodmanAttachmentRequest) throws {
        let name = quoted(n.name)
        for text in ips {
            switch IPAddress(text) {
            case .v4(let a)?:
                guard let subnet = spec.subnet, subnet.contains(a) else {
                    throw NetavarkError("network \(name): static IP \(a) is not in the network's IPv4 subnet")
                }
                guard request.address == nil else { throw NetavarkError("network \(name): more than one static IPv4 address") }
                request.address = a
            case .v6(let a)?:
                guard n.ipv6Enabled else {
                    throw NetavarkError("network \(name): static IP \(a) is IPv6 but ipv6_enabled is false")
                }
                guard let subnet = spec.subnet6, subnet.contains(a) else {
                    throw NetavarkError("network \(name): static IP \(a) is not in the network's IPv6 subnet")
                }
                guard request.address6 == nil else { throw NetavarkError("network \(name): more than one static IPv6 address") }
                request.address6 = a
            case nil:
                throw NetavarkError("network \(name): static IP \(quoted(text)) is not an IP address")
            }
        }
    }

    /// Port mappings: one per protocol (`tcp,udp` is two), `range` ports in a row.
    static func ports(_ entries: [PortMappingEntry]) throws -> [PortMapping] {
        var mappings: [PortMapping] = []
        for e in entries {
            let count = max(e.range, 1)
            guard (1...65535).contains(e.hostPort), (1...65535).contains(e.containerPort) else {
                throw NetavarkError("port mapping \(e.hostPort):\(e.containerPort): ports run from 1 to 65535")
            }
            // `range` first on its own: a huge one would overflow the sums.
            guard count <= 65535, e.hostPort + count - 1 <= 65535, e.containerPort + count - 1 <= 65535 else {
                throw NetavarkError("port mapping \(e.hostPort):\(e.containerPort) with range \(e.range) runs past port 65535")
            }
            var hostIP: IPAddress?
            if !e.hostIP.isEmpty {
                guard let a = IPAddress(e.hostIP) else {
                    throw NetavarkError("port mapping host_ip \(quoted(e.hostIP)) is not an IP address")
                }
                hostIP = a
            }
            let protocols = e.proto.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
            for p in protocols {
                guard let proto = TransportProtocol(rawValue: p) else {
                    throw NetavarkError("unsupported port protocol \(quoted(p))")
                }
                mappings.append(PortMapping(hostIP: hostIP, hostPort: UInt16(e.hostPort), containerPort: UInt16(e.containerPort),
                                            count: UInt16(count), proto: proto))
            }
        }
        return mappings
    }

    /// A name or value in double quotes, made safe for a one-line message.
    static func quoted(_ text: String) -> String { Arguments.printable(text) }
}
