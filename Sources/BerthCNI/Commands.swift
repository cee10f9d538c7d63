import BerthAddress
import BerthEngine
import Glibc

/// ADD, DEL, CHECK, STATUS and GC: each validates its whole input first (so bad input changes
/// nothing), then makes engine calls and shapes the answer for the caller's CNI version.
struct Commands {
    let env: CNIEnvironment
    let config: CNIConfig
    let version: String

    func run(_ command: CNIEnvironment.Command) throws -> String {
        switch command {
        case .add: return try add()
        case .del: try del(); return ""
        case .check: try check(); return ""
        case .status: try status(); return ""
        case .gc: try gc(); return ""
        case .version: return CNIPlugin.versionReply([])
        }
    }

    /// The engine, on the state directory the environment or the configuration names.
    let engine: Engine

    /// Engine errors about the network definition itself are configuration errors (code 7).
    func configurationErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch BerthError.configuration(let m) {
            throw CNIError(.invalidConfig, m)
        }
    }

    // MARK: ADD

    func add() throws -> String {
        let containerID = try env.requireContainerID()
        let ifname = try env.requireIfname()
        let envArgs = try CNIArgs(parsing: env.args)
        let spec = try config.networkSpec()
        let overlay = spec.driver == "overlay"
        if overlay { try requireJoinedOverlay(spec.name) }
        // A configuration without addressing joins the network as it is: its families (IPv4
        // for one this ADD creates) decide which one-family requests apply. Read only when
        // there is such a request.
        var families: Set<IPFamily>?
        if CNIConfig.families(of: spec) == nil, config.asksForOneFamily(envArgs) {
            families = (try? engine.network(named: spec.name))?.families ?? [.ipv4]
        }
        let addresses = try config.staticAddresses(envArgs, network: spec, families: families)
        let mac = try config.staticMAC(envArgs)
        let ports = try config.portMappings(network: spec, families: families)
        let aliases = try config.aliases(network: spec.name)
        let netns = try env.requireNetns()
        PhaseTrace.mark("cni: validate")
        // The network as this configuration defines it (created on the first ADD), and no second
        // attachment of the same interface: checked once the store is open, which may be while
        // the kernel already creates the veth (undone if a check fails). A failed ADD changes
        // nothing: a network it created goes again.
        var request = ConnectRequest(network: overlay ? .named(spec.name) : .defined(spec), target: .path(netns), ifname: ifname,
                                     address: addresses.ipv4, mac: mac, containerID: containerID, ports: ports, frontEnd: .cni)
        request.address6 = addresses.ipv6
        request.dnsName = envArgs.podName
        request.aliases = aliases
        let attached = try configurationErrors { try namespaceErrors { try engine.connect(request) } }
        let result = shape(attached)
        PhaseTrace.mark("cni: result")
        return (config.prevResult.map { $0.appending(result) } ?? result).json(version: version)
    }

    /// An overlay network is attached like a bridge network, but only once this host has
    /// joined it (which needs etcd: the agent's business, never ADD's): otherwise one line
    /// naming the command that joins it, as flannel's plugin fails without its subnet.env.
    func requireJoinedOverlay(_ name: String) throws {
        let existing: NetworkInfo
        do {
            existing = try engine.network(named: name)
        } catch BerthError.notFound {
            throw CNIError(.notFound, "overlay network '\(name)' is not joined on this host: run '\(config.overlayJoinCommand(name))' first")
        }
        guard existing.driver == "overlay" else {
            throw CNIError(.invalidConfig, "network '\(name)' exists on this host as a \(existing.driver) network, not overlay")
        }
    }

    /// CNI_NETNS that is not a usable network namespace is an environment error (code 4).
    func namespaceErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch BerthError.target(let m) {
            throw CNIError(.invalidEnvironment, "CNI_NETNS: \(m)")
        }
    }

    /// The result of one attachment, in the reference bridge plugin's layout: the bridge, the
    /// host veth, then the container interface (which the IP entry points at).
    func shape(_ a: Attachment) -> CNIResult {
        var result = CNIResult(cniVersion: version)
        result.interfaces = a.hostInterfaces.map { .init(name: $0.name, mac: $0.mac.map { "\($0)" }, mtu: $0.mtu) }
        let c = a.containerInterface
        result.interfaces.append(.init(name: c.name, mac: c.mac.map { "\($0)" }, mtu: c.mtu, sandbox: env.netns))
        let container = result.interfaces.count - 1
        if let address = a.endpoint.address, let gateway = a.network.gateway {
            result.ips.append(.init(address: "\(address)", gateway: "\(gateway)", interface: container))
        }
        if let address = a.endpoint.address6, let gateway = a.network.gateway6 {
            result.ips.append(.init(address: "\(address)", gateway: "\(gateway)", interface: container))
        }
        // Only the routes the engine really installed: a container that already had a default
        // route (an earlier network, or an earlier plugin in the chain) keeps it.
        if a.defaultRoutes.contains(.ipv4), let gateway = a.network.gateway {
            result.routes.append(.init(dst: "0.0.0.0/0", gw: "\(gateway)"))
        }
        if a.defaultRoutes.contains(.ipv6), let gateway = a.network.gateway6 {
            result.routes.append(.init(dst: "::/0", gw: "\(gateway)"))
        }
        // The network's name service answers on its gateways, for its domain.
        if a.network.dns {
            result.dns.nameservers = a.network.nameservers.map { "\($0)" }
            result.dns.search = [a.network.dnsDomain]
        }
        return result
    }

    // MARK: DEL

    /// Idempotent and best effort: succeeds when the network, the endpoint or the namespace is
    /// already gone, and needs neither CNI_NETNS nor a valid rest of the configuration.
    func del() throws {
        let containerID = try env.requireContainerID()
        let ifname = try env.requireIfname()
        let name = try config.requireName()
        try engine.detach(network: name, containerID: containerID, ifname: ifname)
    }

    // MARK: CHECK

    func check() throws {
        guard CNIVersion.hasCheck(version) else {
            throw CNIError(.incompatibleVersion, "CHECK is not defined for CNI version \(version)")
        }
        let containerID = try env.requireContainerID()
        let ifname = try env.requireIfname()
        let spec = try config.networkSpec()
        guard let prev = config.prevResult else { throw CNIError(.invalidConfig, "CHECK needs prevResult") }
        guard let index = prev.interfaces.firstIndex(where: { $0.name == ifname && $0.sandbox != nil }) else {
            throw CNIError(.invalidConfig, "prevResult has no container interface \(ifname)")
        }
        var expected = Engine.AttachmentExpectation(address: nil, defaultGateway: nil,
                                                    mac: prev.interfaces[index].mac.flatMap { MACAddress($0) })
        // The default route of a family is this interface's when it goes via this interface's
        // gateway (in a chain it may belong to an earlier plugin's interface).
        if let ip = prev.entry(of: .ipv4, interface: index) {
            guard let a = IPv4Interface(ip.address) else { throw Self.unreadable(ip) }
            expected.address = a
            if let g = ip.gateway.flatMap({ IPv4Address($0) }), prev.hasDefaultRoute(.ipv4, via: .v4(g)) { expected.defaultGateway = g }
        }
        if let ip = prev.entry(of: .ipv6, interface: index) {
            guard let a = IPv6Interface(ip.address) else { throw Self.unreadable(ip) }
            expected.address6 = a
            if let g = ip.gateway.flatMap({ IPv6Address($0) }), prev.hasDefaultRoute(.ipv6, via: .v6(g)) { expected.defaultGateway6 = g }
        }
        let netns = try env.requireNetns()
        do {
            try namespaceErrors {
                try configurationErrors {
                    try engine.verifyAttachment(spec, containerID: containerID, ifname: ifname,
                                                namespacePath: netns, expected: expected)
                }
            }
        } catch BerthError.notFound(let m) {
            throw CNIError(.checkFailed, m)
        }
    }

    private static func unreadable(_ ip: CNIResult.IPConfig) -> CNIError {
        CNIError(.invalidConfig, "prevResult address '\(Validation.printable(ip.address))' is not an address in CIDR notation")
    }

    // MARK: STATUS

    func status() throws {
        let spec = try config.networkSpec()
        if spec.driver == "overlay" {
            do { try requireJoinedOverlay(spec.name) } catch let e as CNIError { throw CNIError(.statusUnavailable, e.msg) }
            return
        }
        // A state that cannot even be opened (a read-only file system, say): no ADD can work.
        switch engine.readiness(for: spec) {
        case .ready: return
        case .unavailable(let m): throw CNIError(.statusUnavailable, m)
        case .degraded(let m): throw CNIError(.statusDegraded, m)
        }
    }

    // MARK: GC

    func gc() throws {
        let name = try config.requireName()
        let keep = try config.gcKeepList()
        let removed = try engine.releaseAttachments(network: name, except: keep)
        for e in removed {
            let addresses = [e.address.map { "\($0.address)" }, e.address6.map { "\($0.address)" }].compactMap { $0 }
            let line = "berth: GC released \(e.containerID) \(e.ifname) (\(addresses.joined(separator: ", "))) on \(name)\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
        }
    }
}

extension CNIResult {
    /// The first entry of `family` for the interface at `index`.
    func entry(of family: IPFamily, interface index: Int) -> IPConfig? {
        ips.first { $0.interface == index && CNIConfig.family(of: $0.address) == family }
    }

    /// Whether the result lists `family`'s default route, via `gateway` or via no gateway at all.
    func hasDefaultRoute(_ family: IPFamily, via gateway: IPAddress) -> Bool {
        routes.contains { CNIConfig.defaultRouteFamily($0.dst) == family && ($0.gw == nil || $0.gw.flatMap { IPAddress($0) } == gateway) }
    }
}
