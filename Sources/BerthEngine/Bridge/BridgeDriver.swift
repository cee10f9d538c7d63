import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// The bridge driver: a network is a Linux bridge carrying the gateway address, an endpoint a
/// veth pair with its host end on the bridge and its peer in the container.
///
/// Its kernel tags, all from ids Berth mints: the bridge's alias `berth:<network id>` (so gc
/// tells an orphan bridge from one someone else made), the host veths' device group
/// (``vethGroup(ofNetworkID:)``, so a network's veths go in one request) and their names
/// (`bv` + 12 hex digits of the endpoint id).
final class BridgeDriver: NetworkDriver {
    let name = "bridge"
    private var session: RouteSession?

    init() {}

    /// Uses `session` (opened in the host namespace) for this driver's host requests.
    init(session: RouteSession) { self.session = session }

    /// The netlink session in Berth's own (host) namespace, opened on first use.
    func host() throws -> RouteSession {
        if let session { return session }
        let opened = try RouteSession()
        session = opened
        return opened
    }

    /// The alias (`IFLA_IFALIAS`) prefix on every bridge Berth creates, followed by the network id.
    static let aliasPrefix = "berth:"

    /// The device group of a network's host veths: a Berth marker in the top byte and 24 bits of
    /// the network id, so `rm --force` and `disconnect --all` delete them in one request. Nil for
    /// an id Berth did not mint (16 hex digits): a group shared by accident would make one
    /// network's bulk delete take another's veths, so such a network gets no group at all.
    static func vethGroup(ofNetworkID id: String) -> UInt32? {
        guard id.utf8.count == 16, let value = Hex.decode(id) else { return nil }
        return 0xBE00_0000 | UInt32(truncatingIfNeeded: value & 0xFF_FFFF)
    }

    /// True when `group` is one of Berth's veth groups (the marker in the top byte).
    static func isVethGroup(_ group: UInt32) -> Bool { group & 0xFF00_0000 == 0xBE00_0000 }

    /// The group a detach moves a host veth to while its deletion is pending: the veth group
    /// with another marker, so the veth no longer goes with its network's group and `berth gc`
    /// knows it as one to finish deleting.
    static func retiredGroup(of vethGroup: UInt32) -> UInt32 { 0xBD00_0000 | (vethGroup & 0xFF_FFFF) }

    /// True when `group` marks a host veth whose detach took it out of service.
    static func isRetiredGroup(_ group: UInt32) -> Bool { group & 0xFF00_0000 == 0xBD00_0000 }

    /// The MAC a network's bridge is created with: locally administered, from the network id.
    static func bridgeMAC(ofNetworkID id: String) -> MACAddress {
        MACAddress(locallyAdministeredFrom: Hex.decode(id) ?? randomUInt64())
    }

    func deviceName(forNetworkID id: String) -> String { "berth" + id.prefix(10) }

    func hostSurvey(resolvConf: String) throws -> HostSurvey {
        try HostSurvey.take(session: host(), resolvConf: resolvConf)
    }

    func checkHost(for network: NetworkRecord, existing: [NetworkRecord]) throws {
        // First, as it may delete the leftover of a crashed create or rm that holds the gateway,
        // whose name is then free again for a runtime retrying its ADD.
        if let gateway = network.gateway { try checkGatewayIsFree(.v4(gateway), networks: existing) }
        if let gateway = network.gateway6 { try checkGatewayIsFree(.v6(gateway), networks: existing) }
        // A network owns its bridge: never adopt (and later delete) an existing device.
        if try host().linkIndex(name: network.bridge) != nil {
            throw BerthError.conflict("interface \(network.bridge) already exists; choose another --bridge name")
        }
    }

    /// Refuses a gateway that is already an address of this host: the bridge would take over
    /// (or clash with) what another interface answers for. A bridge Berth tagged for a network
    /// that no longer exists (a create or rm that crashed half-way) is not in the way: it is
    /// deleted, as `berth gc` would, so a runtime retrying its ADD succeeds.
    private func checkGatewayIsFree(_ gateway: IPAddress, networks: [NetworkRecord]) throws {
        let session = try host()
        let holder: Int32?
        switch gateway {
        case .v4(let a): holder = try session.addresses().first(where: { $0.address.address == a })?.index
        case .v6(let a): holder = try session.addresses6().first(where: { $0.address.address == a })?.index
        }
        guard let holder else { return }
        let link = try session.links().first { $0.index == holder }
        if let link, link.kind == "bridge", let alias = link.alias, alias.hasPrefix(Self.aliasPrefix),
           !networks.contains(where: { Self.aliasPrefix + $0.id == alias }) {
            _ = try session.deleteLink(name: link.name)
            return
        }
        throw BerthError.conflict("gateway \(gateway) is already an address of \(link?.name ?? "interface \(holder)") on this host; choose another --subnet or --gateway")
    }

    func realize(_ network: NetworkRecord) throws {
        _ = try realizeBridge(network)
    }

    /// Makes sure the bridge exists, is up and carries the gateway address; creates it if not.
    /// Returns its index. Safe to call when another process does the same at the same time.
    @discardableResult
    func realizeBridge(_ n: NetworkRecord) throws -> Int32 {
        let session = try host()
        if let link = try session.link(name: n.bridge) {
            guard link.kind == "bridge" else {
                throw BerthError.conflict("interface \(n.bridge) exists and is not a bridge")
            }
            return link.index
        }
        do {
            try session.createBridge(name: n.bridge, mac: Self.bridgeMAC(ofNetworkID: n.id), mtu: n.mtu)
        } catch let e as NetlinkError where e.alreadyExists {
            // Created concurrently; fall through to read it.
        }
        guard let index = try session.linkIndex(name: n.bridge) else {
            throw BerthError.system("bridge \(n.bridge) vanished while it was being set up")
        }
        try session.execute(RouteRequests.setAlias(index: index, alias: Self.aliasPrefix + n.id), "tag bridge \(n.bridge)")
        if let subnet = n.subnet, let gateway = n.gateway {
            do {
                try session.addAddress(IPv4Interface(address: gateway, prefixLength: subnet.prefixLength), index: index)
            } catch let e as NetlinkError where e.alreadyExists {}
        }
        try Sysctl.configureBridge(n.bridge)
        if let subnet = n.subnet6, let gateway = n.gateway6 {
            // Without duplicate address detection: the gateway is usable at once (a container
            // attached right after must reach it), and the address is Berth's to give.
            do {
                try session.addAddress(IPv6Interface(address: gateway, prefixLength: subnet.prefixLength), index: index)
            } catch let e as NetlinkError where e.alreadyExists {}
        }
        if !n.isInternal {
            if n.subnet != nil { try Sysctl.enableIPv4Forwarding() }
            if n.subnet6 != nil { try IPv6Forwarding.enable(session: session) }
        }
        return index
    }

    func remove(_ network: NetworkRecord) throws {
        let session = try host()
        if let group = Self.vethGroup(ofNetworkID: network.id) { _ = try session.deleteLinks(group: group) }
        _ = try session.deleteLink(name: network.bridge)
    }

    func removeLinks(of endpoints: [EndpointRecord], wholeNetwork: NetworkRecord?) throws {
        guard !endpoints.isEmpty else { return }
        let session = try host()
        if let wholeNetwork, endpoints.count > 1, let group = Self.vethGroup(ofNetworkID: wholeNetwork.id) {
            try session.deleteLinks(group: group)
        }
        // After a group request, these only sweep stragglers.
        try session.deleteLinks(names: endpoints.map(\.hostIfname))
    }

    func linkState(of endpoint: EndpointRecord) throws -> LinkState {
        // A session of its own: this may run on the attach's second thread, and the host
        // session belongs to the first.
        guard let veth = try RouteSession().link(name: endpoint.hostIfname) else { return .missing }
        return Self.isRetiredGroup(veth.group) ? .retired : .present
    }

    func deleteRetiredLink(of endpoint: EndpointRecord) {
        if let veth = try? RouteSession().link(name: endpoint.hostIfname), Self.isRetiredGroup(veth.group) {
            _ = try? RouteSession().deleteLink(name: endpoint.hostIfname)
        }
    }

    func preparePorts(for endpoint: EndpointRecord) throws {
        // So the container can reach its own published ports through a host address also when
        // the host bridges IPv4 through netfilter (br_netfilter).
        _ = try host().execute(RouteRequests.setHairpin(name: endpoint.hostIfname), "set hairpin on \(endpoint.hostIfname)")
    }

    func deviceProblem(device: String, network: NetworkRecord?, attached: Int) -> Engine.Readiness? {
        let link: LinkInfo?
        do { link = try host().link(name: device) } catch { return .unavailable("netlink: \(error)") }
        guard let network else {
            // Created on first ADD: only the name must be free.
            return link.map { .unavailable("interface \($0.name) exists and does not belong to a berth network") }
        }
        if let link, link.kind != "bridge" { return .unavailable("interface \(device) exists and is not a bridge") }
        if link == nil, attached > 0 {
            return .degraded("bridge \(device) of network '\(network.name)' is missing while containers are attached")
        }
        return nil
    }
}
