import BerthAddress
import BerthEngine
import BerthIPAM
import BerthNetlink
import BerthStore
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

    /// An engine already being opened on a second thread (see ``EngineWarmup``), if any.
    var warmup: EngineWarmup? = nil

    /// The state directory: `BERTH_STATE_DIR`, else the config's `stateDir`, else /var/lib/berth.
    var stateDirectory: String { Commands.stateDirectory(configured: config.stateDir) }

    /// The state directory for a configuration's `stateDir` (nil when it names none).
    static func stateDirectory(configured: String?) -> String {
        if let v = getenv("BERTH_STATE_DIR"), v.pointee != 0 { return String(cString: v) }
        if let dir = configured, !dir.isEmpty { return dir }
        return "/var/lib/berth"
    }

    func engine() throws -> Engine {
        try Commands.openEngine(stateDirectory: stateDirectory, migrating: true)
    }

    /// Opens the engine on `stateDirectory`, with `BERTH_POOLS` when set. Runs on the attach's
    /// second thread for an ADD (see ``EngineWarmup``): nothing here may touch shared state.
    static func openEngine(stateDirectory: String, migrating: Bool, deferringCheckpoints: Bool = false) throws -> Engine {
        var configuration = EngineConfiguration(stateDirectory: stateDirectory)
        if let v = getenv("BERTH_POOLS"), v.pointee != 0 {
            // Checked now (only when set), so a bad value is an environment error (code 4).
            do {
                configuration.pools = try AddressPool.parseList(String(cString: v))
            } catch {
                throw CNIError(.invalidEnvironment, "BERTH_POOLS: \(error)")
            }
        }
        do {
            return try Engine(configuration: configuration, migrating: migrating, deferringCheckpoints: deferringCheckpoints)
        } catch {
            throw CNIError(.ioFailure, "\(error)")
        }
    }

    /// Opens CNI_NETNS; anything but a network namespace there is an environment error.
    func openNamespace() throws -> NetworkNamespace {
        let path = try env.requireNetns()
        do {
            return try NetworkNamespace(path: path)
        } catch {
            throw CNIError(.invalidEnvironment, "CNI_NETNS: \(error)")
        }
    }

    /// Engine errors about the network definition itself are configuration errors (code 7).
    func configurationErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch BerthError.conflict(let m) {
            throw CNIError(.invalidConfig, m)
        }
    }

    // MARK: ADD

    func add() throws -> String {
        let containerID = try env.requireContainerID()
        let ifname = try env.requireIfname()
        let envArgs = try CNIArgs(parsing: env.args)
        let spec = try config.networkSpec()
        let address = try config.staticAddress(envArgs)
        let mac = try config.staticMAC(envArgs)
        let ports = try config.portMappings()
        let namespace = try openNamespace()
        PhaseTrace.mark("cni: validate, open netns")
        // The network as this configuration defines it (created on the first ADD), and no second
        // attachment of the same interface: checked once the store is open, which may be while
        // the kernel already creates the veth (undone if a check fails). A failed ADD changes
        // nothing: a network it created goes again.
        let attached = try Engine.attach(ConnectRequest(
            network: spec.name, namespace: namespace, target: namespace.path, ifname: ifname,
            address: address, mac: mac, containerID: containerID, ports: ports, owner: .cni),
            stateDirectory: stateDirectory,
            open: { migrating in
                try Commands.openEngine(stateDirectory: stateDirectory, migrating: migrating, deferringCheckpoints: true)
            },
            warmup: warmup, resolve: { engine in
                let (network, created) = try self.configurationErrors { try engine.ensureNetwork(spec) }
                if let existing = try engine.attachment(network: network.name, containerID: containerID, ifname: ifname) {
                    if created { try? engine.removeNetworks([network.name], force: false) }
                    throw CNIError(.conflict, "container \(containerID) already has \(ifname) on network '\(network.name)'",
                                   details: "endpoint \(existing.id) in \(existing.netnsPath)")
                }
                return (network, created)
            })
        let (endpoint, network, engine) = (attached.endpoint, attached.network, attached.engine)
        let result = try shape(endpoint, network, engine, defaultRoute: attached.defaultRoute)
        PhaseTrace.mark("cni: result")
        let output = (config.prevResult.map { $0.appending(result) } ?? result).json(version: version)
        engine.finish()
        return output
    }

    /// The result of one attachment, in the reference bridge plugin's layout: the bridge, the
    /// host veth, then the container interface (which the IP entry points at).
    func shape(_ e: EndpointRecord, _ n: NetworkRecord, _ engine: Engine, defaultRoute: Bool) throws -> CNIResult {
        // Only for its MAC and MTU (the attach just looked it up): a failed lookup leaves them out
        // rather than failing the ADD. The veth's MAC and MTU are Berth's own choices.
        let bridge = (try? engine.hostLink(name: n.bridge)) ?? nil
        let mtu = n.mtu > 0 ? n.mtu : 1500   // a veth's default MTU is Ethernet's
        var result = CNIResult(cniVersion: version)
        result.interfaces = [
            .init(name: n.bridge, mac: bridge?.mac.map { "\($0)" }, mtu: bridge?.mtu),
            .init(name: e.hostIfname, mac: "\(Engine.hostMAC(ofEndpoint: e.id))", mtu: mtu),
            .init(name: e.ifname, mac: "\(e.mac)", mtu: mtu, sandbox: env.netns),
        ]
        result.ips = [.init(address: "\(e.address)/\(e.prefixLength)", gateway: "\(n.gateway)", interface: 2)]
        // Like the engine, a container that already has a default route (an earlier plugin in
        // the chain made it) keeps it: this network then adds only its subnet.
        // Only the route the engine really installed: a container that already had a default
        // route (an earlier network, or an earlier plugin in the chain) keeps it.
        if defaultRoute { result.routes = [.init(dst: "0.0.0.0/0", gw: "\(n.gateway)")] }
        return result
    }

    // MARK: DEL

    /// Idempotent and best effort: succeeds when the network, the endpoint or the namespace is
    /// already gone, and needs neither CNI_NETNS nor a valid rest of the configuration.
    func del() throws {
        let containerID = try env.requireContainerID()
        let ifname = try env.requireIfname()
        let name = try config.requireName()
        // Like ADD, it leaves the WAL's checkpoint to a detached child (``Engine/finish()``).
        let engine = try Commands.openEngine(stateDirectory: stateDirectory, migrating: true, deferringCheckpoints: true)
        try engine.detach(network: name, containerID: containerID, ifname: ifname)
        engine.finish()
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
        let ip = prev.ips.first { $0.interface == index && !$0.address.contains(":") }
        var expected = Engine.AttachmentExpectation(address: nil, defaultGateway: nil,
                                                    mac: prev.interfaces[index].mac.flatMap { MACAddress($0) })
        if let ip {
            guard let a = IPv4Interface(ip.address) else {
                throw CNIError(.invalidConfig, "prevResult address '\(Validation.printable(ip.address))' is not IPv4 CIDR")
            }
            expected.address = a
            // The default route is this interface's when it goes via this interface's gateway
            // (in a chain it may belong to an earlier plugin's interface).
            let gateway = ip.gateway.flatMap { IPv4Address($0) }
            if let gateway, prev.routes.contains(where: { $0.dst == "0.0.0.0/0" && ($0.gw == nil || IPv4Address($0.gw!) == gateway) }) {
                expected.defaultGateway = gateway
            }
        }
        let namespace = try openNamespace()
        let engine = try engine()
        let network: NetworkRecord
        do {
            network = try engine.network(named: spec.name)
        } catch {
            throw CNIError(.checkFailed, "network '\(spec.name)' does not exist")
        }
        try configurationErrors { try Engine.checkAgreement(network, spec) }
        do {
            try engine.verifyAttachment(network: spec.name, containerID: containerID, ifname: ifname,
                                        namespace: namespace, expected: expected)
        } catch BerthError.notFound(let m) {
            throw CNIError(.checkFailed, m)
        }
    }

    // MARK: STATUS

    func status() throws {
        let spec = try config.networkSpec()
        let engine: Engine
        do {
            engine = try self.engine()
        } catch let e as CNIError where e.code == .ioFailure {
            // A state that cannot even be opened (a read-only file system, say): no ADD can work.
            throw CNIError(.statusUnavailable, e.msg)
        }
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
        let removed = try engine().releaseAttachments(network: name, except: keep)
        for e in removed {
            let line = "berth: GC released \(e.containerID) \(e.ifname) (\(e.address)) on \(name)\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
        }
    }
}
