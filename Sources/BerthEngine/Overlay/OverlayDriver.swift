import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// The overlay driver (docs/overlay.md): a network is a bridge exactly as the bridge driver
/// makes it — its attach *is* the bridge attach, at the same cost — plus one VXLAN device that
/// carries traffic to the other hosts' blocks. The host routes between the two (the VXLAN device
/// is no bridge port); the per-peer kernel entries are the engine's to reconcile
/// (``Engine/reconcileOverlayPeers(network:peers:)``), never the attach's.
///
/// Everything of the bridge (attach, detach, verify, the bridge itself) is delegated to a
/// ``BridgeDriver``; this driver only adds the VXLAN device. For `berth gc` and `berth doctor`
/// the bridge driver covers overlay networks' bridges and veths too (``Engine/networks(servedBy:in:)``),
/// so this driver's repair and diagnosis look at the VXLAN side alone.
final class OverlayDriver: NetworkDriver {
    /// The name overlay networks record.
    static let driverName = "overlay"
    let name = OverlayDriver.driverName
    /// The bridge half, shared session and all.
    let bridge: BridgeDriver

    init() { bridge = BridgeDriver() }

    /// Uses `session` (opened in the host namespace) for this driver's host requests.
    init(session: RouteSession) { bridge = BridgeDriver(session: session) }

    func host() throws -> RouteSession { try bridge.host() }

    /// The bridge of a network: `bo` and 12 hex digits of its id.
    func deviceName(forNetworkID id: String) -> String { "bo" + id.prefix(12) }

    /// The VXLAN device of a network: `bv` and 12 hex digits of its id (no endpoint's veth can
    /// have that name: those are `bv` + an endpoint id, and ids are unique across both).
    static func vxlanName(forNetworkID id: String) -> String { "bv" + id.prefix(12) }

    /// The VXLAN overhead on an IPv4 underlay: inner Ethernet 14 + VXLAN 8 + UDP 8 + IPv4 20.
    static let encapsulationOverhead = 50

    /// Only ``Engine/joinOverlay(_:)`` makes overlay networks (with the options it fills in):
    /// a plain create reaching the engine is refused with the command that makes one.
    func complete(_ spec: inout NetworkSpec) throws {
        guard spec.driverOptions[OverlayOptions.Key.subnet] != nil else {
            throw BerthError.invalidArgument("an overlay network is created with its etcd: berth network create \(Validation.printable(spec.name)) --driver overlay --etcd URL (berth-agent)")
        }
    }

    func hostSurvey(resolvConf: String) throws -> HostSurvey {
        // The block always comes from the overlay's definition.
        throw BerthError.invalidArgument("an overlay network's subnet is its block (berth network create --driver overlay)")
    }

    func checkHost(for network: NetworkRecord, existing: [NetworkRecord]) throws {
        let options = try OverlayOptions(network)
        for other in existing where other.driver == name && other.name != network.name {
            guard let theirs = try? OverlayOptions(other) else { continue }
            if theirs.definition.vni == options.definition.vni && theirs.definition.port == options.definition.port {
                throw BerthError.conflict("VNI \(options.definition.vni) on port \(options.definition.port) is already used by overlay network '\(other.name)' on this host")
            }
        }
        let vxlan = Self.vxlanName(forNetworkID: network.id)
        if let link = try host().link(name: vxlan) {
            guard isStrayVXLAN(link, networkIDs: Set(existing.map(\.id))) else {
                throw BerthError.conflict("interface \(vxlan) already exists")
            }
            _ = try host().deleteLink(name: vxlan)
        }
        try bridge.checkHost(for: network, existing: existing)
    }

    /// A VXLAN device Berth made for a network the store no longer has.
    func isStrayVXLAN(_ link: LinkInfo, networkIDs: Set<String>) -> Bool {
        guard link.kind == "vxlan", let alias = link.alias, alias.hasPrefix(BridgeDriver.aliasPrefix) else { return false }
        return !networkIDs.contains(String(alias.dropFirst(BridgeDriver.aliasPrefix.count)))
    }

    func realize(_ network: NetworkRecord) throws {
        try bridge.realize(network)
        _ = try realizeVXLAN(network)
    }

    /// Makes sure the VXLAN device exists with the network's settings, carries `<block>.0/32`
    /// and is up; creates it if not. Returns its index.
    @discardableResult
    func realizeVXLAN(_ n: NetworkRecord) throws -> Int32 {
        let o = try OverlayOptions(n)
        let session = try host()
        let name = Self.vxlanName(forNetworkID: n.id)
        var index: Int32
        if let link = try session.link(name: name) {
            guard link.kind == "vxlan" else { throw BerthError.conflict("interface \(name) exists and is not a VXLAN device") }
            index = link.index
        } else {
            do {
                try session.createVXLAN(name: name, vni: o.definition.vni, local: o.vtep, port: o.definition.port,
                                        mac: o.mac, mtu: n.mtu)
            } catch let e as NetlinkError where e.alreadyExists {
                // Another process made it, or the VNI is taken on this port: the lookup tells.
                guard try session.link(name: name) != nil else {
                    throw BerthError.conflict("cannot create VXLAN device \(name): VNI \(o.definition.vni) on port \(o.definition.port) is already in use on this host (\(e))")
                }
            }
            guard let made = try session.linkIndex(name: name) else {
                throw BerthError.system("VXLAN device \(name) vanished while it was being set up")
            }
            index = made
            try session.execute(RouteRequests.setAlias(index: index, alias: BridgeDriver.aliasPrefix + n.id), "tag VXLAN device \(name)")
        }
        if let block = n.subnet {
            do {
                try session.addAddress(IPv4Interface(address: block.network, prefixLength: 32), index: index)
            } catch let e as NetlinkError where e.alreadyExists {}
        }
        try session.setLinkUp(index: index)
        installFastPath(n, vxlanIndex: index)
        return index
    }

    func remove(_ network: NetworkRecord) throws {
        // The VXLAN device first: its neighbours, FDB entries and routes go with it.
        _ = try host().deleteLink(name: Self.vxlanName(forNetworkID: network.id))
        try bridge.remove(network)
    }

    func remove(_ network: NetworkRecord, handingDeletionTo lock: OperationLock) throws {
        _ = try host().deleteLink(name: Self.vxlanName(forNetworkID: network.id))
        try bridge.remove(network, handingDeletionTo: lock)
    }

    // MARK: attach and detach: the bridge's

    func plug(_ plan: PlugPlan, hint: NetworkHint) throws -> (any EndpointPlug)? { try bridge.plug(plan, hint: hint) }
    func unplug(_ plan: PlugPlan) { bridge.unplug(plan) }
    func configure(_ plug: any EndpointPlug, endpoint: EndpointRecord, network: NetworkRecord) throws -> DefaultRoutes {
        let routes = try bridge.configure(plug, endpoint: endpoint, network: network)
        PhaseTrace.mark("kernel: container configured")
        try addToFastPath(plug, endpoint: endpoint, network: network)
        PhaseTrace.mark("kernel: overlay fast path (veth classifier, map entry)")
        return routes
    }
    func preparePorts(for endpoint: EndpointRecord) throws { try bridge.preparePorts(for: endpoint) }
    func interfaces(of plug: any EndpointPlug, endpoint: EndpointRecord, network: NetworkRecord)
        -> (host: [InterfaceInfo], container: InterfaceInfo) {
        bridge.interfaces(of: plug, endpoint: endpoint, network: network)
    }
    func retire(_ endpoint: EndpointRecord, namespace: NetworkNamespace?) -> (any RetiredLink)? {
        // The entry first: the veth may be deleted any moment after. A detach that is undone
        // (`reinstate`) leaves the container on the normal path until `berth gc` adds it back.
        removeFromFastPath(endpoint)
        return bridge.retire(endpoint, namespace: namespace)
    }
    func reinstate(_ link: any RetiredLink, network: NetworkRecord?) { bridge.reinstate(link, network: network) }
    func finishRetirement(_ link: any RetiredLink, lock: OperationLock) { bridge.finishRetirement(link, lock: lock) }
    func removeLinks(of endpoints: [EndpointRecord], wholeNetwork: NetworkRecord?) throws {
        // A whole network's map goes with its devices.
        if wholeNetwork == nil { endpoints.forEach(removeFromFastPath) }
        try bridge.removeLinks(of: endpoints, wholeNetwork: wholeNetwork)
    }
    func linkState(of endpoint: EndpointRecord) throws -> LinkState { try bridge.linkState(of: endpoint) }
    func deleteRetiredLink(of endpoint: EndpointRecord) { bridge.deleteRetiredLink(of: endpoint) }
    func verify(_ endpoint: EndpointRecord, network: NetworkRecord, namespace: NetworkNamespace,
                mac: MACAddress, defaultGateway: IPv4Address?, defaultGateway6: IPv6Address?) throws {
        try bridge.verify(endpoint, network: network, namespace: namespace, mac: mac,
                          defaultGateway: defaultGateway, defaultGateway6: defaultGateway6)
    }
    func deviceProblem(device: String, network: NetworkRecord?, attached: Int) -> Engine.Readiness? {
        bridge.deviceProblem(device: device, network: network, attached: attached)
    }
}
