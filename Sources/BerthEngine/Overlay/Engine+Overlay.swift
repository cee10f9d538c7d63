import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// The overlay API the agent calls (docs/overlay.md): joining this host with a block it claimed,
/// and keeping the VXLAN device's per-peer entries exactly what etcd says. No etcd here.
extension Engine {
    /// The overlay driver of this engine's environment.
    func overlayDriver() throws -> OverlayDriver {
        guard let driver = try driver(named: OverlayDriver.driverName) as? OverlayDriver else {
            throw BerthError.system("the overlay driver is not available")
        }
        return driver
    }

    /// An overlay network's record, or a one-line error naming what it is instead.
    func overlayRecord(named name: String) throws -> NetworkRecord {
        let n = try record(named: name)
        guard n.driver == OverlayDriver.driverName else {
            throw BerthError.invalidArgument("network '\(Validation.printable(name))' is a \(n.driver) network, not an overlay network")
        }
        return n
    }

    /// The underlay route to `address`: the source address and device the kernel would use,
    /// and the device's MTU.
    public func underlayRoute(to address: IPv4Address) throws -> UnderlayRoute {
        let session = try overlayDriver().host()
        guard let route = try translatingNetlink({ try session.lookupRoute(to: address) }),
              let index = route.outputIndex, let source = route.preferredSource,
              let link = try session.links().first(where: { $0.index == index }) else {
            throw BerthError.environment("no route to \(address) on this host")
        }
        return UnderlayRoute(source: source, device: link.name, mtu: link.mtu)
    }

    /// The link that carries `vtep`, an address of this host; a one-line error if none does.
    private func underlayLink(of vtep: IPv4Address, session: RouteSession) throws -> LinkInfo {
        guard let holder = try session.addresses().first(where: { $0.address.address == vtep }),
              let link = try session.links().first(where: { $0.index == holder.index }) else {
            throw BerthError.invalidArgument("VTEP address \(vtep) is not an address of this host")
        }
        return link
    }

    /// Creates the local network (record with the block as subnet, bridge, VXLAN device,
    /// firewall), or checks an existing one agrees (idempotent re-join). Refuses an overlay
    /// subnet overlapping another local network, an MTU above the underlay's − 50, a VNI and
    /// port another local overlay uses. One transaction: on failure nothing is left.
    public func joinOverlay(_ join: OverlayJoin) throws -> OverlayLocalNetwork {
        try Validation.networkName(join.name)
        let d = join.definition
        try OverlayOptions.validate(d, block: join.block)
        try requirePrivileges()
        let driver = try overlayDriver()
        let underlay = try underlayLink(of: join.vtep, session: try driver.host())
        let ceiling = underlay.mtu - OverlayDriver.encapsulationOverhead
        if join.mtu != 0 && join.mtu > ceiling {
            throw BerthError.invalidArgument("MTU \(join.mtu) is above what the underlay \(underlay.name) carries: at most \(ceiling) (its MTU \(underlay.mtu) − 50)")
        }
        let mtu = join.mtu == 0 ? ceiling : join.mtu
        guard mtu >= 68 else { throw BerthError.invalidArgument("MTU \(mtu) is out of range (68-65535)") }

        let networks = try translating { try store.networks() }
        if let existing = networks.first(where: { $0.name == join.name }) {
            return try rejoin(existing, join, mtu: mtu, driver: driver)
        }
        for other in networks {
            if let s = other.subnet, s.overlaps(d.subnet) {
                throw BerthError.conflict("overlay subnet \(d.subnet) overlaps network '\(other.name)' (\(other.subnetsDescription))")
            }
            if other.driver == OverlayDriver.driverName, let o = try? OverlayOptions(other), o.definition.subnet.overlaps(d.subnet) {
                throw BerthError.conflict("overlay subnet \(d.subnet) overlaps overlay network '\(other.name)' (\(o.definition.subnet))")
            }
        }
        var seed = SystemRandomNumberGenerator()
        let options = OverlayOptions(definition: d, vtep: join.vtep,
                                     mac: MACAddress(locallyAdministeredFrom: seed.next()), etcd: join.etcd)
        var spec = NetworkSpec(name: join.name, subnet: join.block, gateway: join.block.firstHost, mtu: mtu, labels: join.labels)
        spec.driver = OverlayDriver.driverName
        spec.firewall = join.firewall
        spec.dns = join.dns
        spec.ipv6 = false
        spec.driverOptions = options.driverOptions
        let record = try create(spec)
        return try localNetwork(record)
    }

    /// A join of a network this host already has: it must be the same overlay with the same
    /// block and VTEP (and MTU, when one is asked for); its kernel side is completed.
    private func rejoin(_ n: NetworkRecord, _ join: OverlayJoin, mtu: Int, driver: OverlayDriver) throws -> OverlayLocalNetwork {
        guard n.driver == OverlayDriver.driverName else {
            throw BerthError.conflict("network '\(n.name)' exists on this host as a \(n.driver) network")
        }
        let o = try OverlayOptions(n)
        func differ(_ what: String, _ have: String, _ want: String) -> BerthError {
            .configuration("overlay network '\(n.name)' exists on this host with \(what) \(have), the join asks for \(want)")
        }
        if o.definition.subnet != join.definition.subnet { throw differ("subnet", "\(o.definition.subnet)", "\(join.definition.subnet)") }
        if o.definition.hostPrefix != join.definition.hostPrefix { throw differ("host prefix", "/\(o.definition.hostPrefix)", "/\(join.definition.hostPrefix)") }
        if o.definition.vni != join.definition.vni { throw differ("VNI", "\(o.definition.vni)", "\(join.definition.vni)") }
        if o.definition.port != join.definition.port { throw differ("port", "\(o.definition.port)", "\(join.definition.port)") }
        if n.subnet != join.block { throw differ("block", n.subnet.map { "\($0)" } ?? "none", "\(join.block)") }
        if o.vtep != join.vtep { throw differ("VTEP", "\(o.vtep)", "\(join.vtep)") }
        if join.mtu != 0 && n.mtu != mtu { throw differ("MTU", "\(n.mtu)", "\(mtu)") }
        let lock = try beginOperation()
        defer { withExtendedLifetime(lock) {} }
        try translating { try driver.realize(n) }
        return try localNetwork(n)
    }

    /// Every local overlay network.
    public func overlayNetworks() throws -> [OverlayLocalNetwork] {
        try translating { try store.networks() }.filter { $0.driver == OverlayDriver.driverName }.map(localNetwork)
    }

    private func localNetwork(_ n: NetworkRecord) throws -> OverlayLocalNetwork {
        let o = try OverlayOptions(n)
        guard let block = n.subnet else { throw BerthError.state("overlay network '\(n.name)' has no block") }
        return OverlayLocalNetwork(name: n.name, id: n.id, definition: o.definition, block: block, vtep: o.vtep, mac: o.mac,
                                   vxlanDevice: OverlayDriver.vxlanName(forNetworkID: n.id), bridge: n.bridge, mtu: n.mtu,
                                   etcd: o.etcd, endpointCount: try translating { try store.endpointCount(network: n.name) })
    }

    /// The host id (made on first use).
    public func overlayHostID() throws -> String {
        try translating { try store.transaction { try store.overlayHostID() } }
    }
}

/// Netlink errors as one-line system errors.
func translatingNetlink<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as NetlinkError { throw BerthError.system("\(e)") }
}
