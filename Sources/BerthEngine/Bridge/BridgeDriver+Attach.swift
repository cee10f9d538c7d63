import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// A bridge attach in the kernel: step 1 makes the veth pair in one request, the peer born in
/// the container under its final name, the host end on the bridge; step 2 gives the container
/// its address and default route through a session inside its namespace.
extension BridgeDriver {
    /// Step 1's outcome: the container session, the peer's index there, and the bridge as the
    /// lookup found it (for a CNI result's MAC and MTU).
    final class Plug: EndpointPlug {
        let container: RouteSession
        let peerIndex: Int32?
        /// The host end's index, when the kernel echoed the new link (6.3+).
        let hostIndex: Int32?
        /// Whether the peer is up already (brought up while the store's half was still running).
        let linkReady: Bool
        let bridge: LinkInfo
        let mtu: Int
        let bringUpLoopback: Bool

        init(container: RouteSession, peerIndex: Int32?, hostIndex: Int32? = nil, linkReady: Bool, bridge: LinkInfo, mtu: Int,
             bringUpLoopback: Bool) {
            self.container = container
            self.peerIndex = peerIndex
            self.hostIndex = hostIndex
            self.linkReady = linkReady
            self.bridge = bridge
            self.mtu = mtu
            self.bringUpLoopback = bringUpLoopback
        }

        func namespaceCookie() -> UInt64 { (try? container.namespaceCookie()) ?? 0 }
    }

    func plug(_ plan: PlugPlan, hint: NetworkHint) throws -> (any EndpointPlug)? {
        let session = try host()
        guard let bridge = try session.link(name: hint.device) else { return nil }
        var steps: [(NetlinkRequest, String)] = [
            (RouteRequests.createVeth(
                hostName: plan.hostIfname, master: bridge.index, mtu: hint.mtu,
                peerName: plan.ifname, peerNamespaceFD: plan.namespace.fd, peerMAC: plan.mac,
                group: Self.vethGroup(ofNetworkID: hint.id) ?? 0, hostMAC: plan.hostMAC),
             "create veth \(plan.hostIfname) for \(plan.ifname)"),
        ]
        // A bridge port needs no IPv6 address of its own (see `IPv6`).
        if IPv6.canSkipAddresses(mtu: hint.mtu) {
            steps.append((RouteRequests.disableIPv6AddressGeneration(name: plan.hostIfname), "set \(plan.hostIfname) addrgenmode none"))
        }
        steps.append((RouteRequests.setLinkUp(name: plan.hostIfname), "set \(plan.hostIfname) up"))
        let peerIndex: Int32?, hostIndex: Int32?
        do {
            let echoed = try session.execute(steps)
            // Kernels before 6.3 do not echo a new link: step 2 then looks the peer up.
            let made = echoed.lazy.compactMap(LinkInfo.init).first { $0.name == plan.hostIfname }
            peerIndex = made?.peerIndex
            hostIndex = made?.index
        } catch let error as NetlinkError where error.alreadyExists {
            throw BerthError.conflict("interface \(plan.ifname) already exists in \(plan.target)")
        } catch let error as NetlinkError where error.errno == EXFULL {
            // The kernel's limit on bridge ports (BR_MAX_PORTS).
            throw BerthError.conflict("network '\(plan.network)' is full: a Linux bridge takes at most 1023 containers")
        }
        PhaseTrace.mark("kernel: create veth")
        let container = try RouteSession(in: plan.namespace)
        var linkReady = false
        if let peerIndex {
            // Needs no address, so it goes while the store's half may still be running.
            _ = try container.execute(Self.linkUpSteps(index: peerIndex, ifname: plan.ifname, mtu: hint.mtu,
                                                       loopback: plan.bringUpLoopback))
            linkReady = true
        }
        return Plug(container: container, peerIndex: peerIndex, hostIndex: hostIndex, linkReady: linkReady, bridge: bridge, mtu: hint.mtu,
                    bringUpLoopback: plan.bringUpLoopback)
    }

    func unplug(_ plan: PlugPlan) {
        _ = try? host().deleteLink(name: plan.hostIfname)
    }

    func configure(_ plug: any EndpointPlug, endpoint e: EndpointRecord, network: NetworkRecord) throws -> DefaultRoutes {
        guard let plug = plug as? Plug else { preconditionFailure("a bridge endpoint plugged by another driver") }
        guard let index = try plug.peerIndex ?? plug.container.linkIndex(name: e.ifname) else {
            throw BerthError.system("\(e.ifname) did not appear in \(e.target)")
        }
        var steps = plug.linkReady ? [] : Self.linkUpSteps(index: index, ifname: e.ifname, mtu: network.mtu,
                                                            loopback: plug.bringUpLoopback)
        if let address = e.interface {
            steps.append((RouteRequests.addAddress(address, index: index), "add address \(address) to \(e.ifname)"))
        }
        if let address = e.interface6 {
            // Without duplicate address detection: usable the moment the attach returns. The
            // interface's `accept_ra` is left alone: no router advertisement reaches it, as the
            // firewall drops those a container sends (the bridge sends none), and setting it
            // takes a write under /proc/sys/net/ipv6 whose path lookup costs time that grows
            // with the network namespaces on the host (netlink cannot set it).
            steps.append((RouteRequests.addAddress(address, index: index, noDAD: true), "add address \(address) to \(e.ifname)"))
        }
        var routes = [(NetlinkRequest, String, IPFamily)]()
        // The network's metric (a Podman network's, netavark's default 100): with several
        // networks, each container's default routes then differ by metric rather than clash.
        let metric = UInt32(clamping: network.routeMetric)
        if !network.isInternal {
            if e.address != nil, let gateway = network.gateway {
                routes.append((RouteRequests.addDefaultRoute(via: gateway, index: index, metric: metric),
                               "add default route via \(gateway)", .ipv4))
            }
            if e.address6 != nil, let gateway = network.gateway6 {
                routes.append((RouteRequests.addDefaultRoute(via: gateway, index: index, metric: metric),
                               "add default route via \(gateway)", .ipv6))
            }
        }
        // Routes last, so an EEXIST from one can only mean that route and nothing else failed.
        // The first rides with the addresses; a second (dual stack) needs its own request, as a
        // batch reports only its first failure.
        var installed = DefaultRoutes()
        for (i, route) in routes.enumerated() {
            do {
                try plug.container.execute(i == 0 ? steps + [(route.0, route.1)] : [(route.0, route.1)])
                installed.insert(DefaultRoutes(route.2))
            } catch let error as NetlinkError where error.alreadyExists && error.operation == route.1 {
                // The container already has a default route through its first network; like
                // Docker, a second network adds its subnet but does not take the default route.
            }
        }
        if routes.isEmpty { try plug.container.execute(steps) }
        return installed
    }

    func interfaces(of plug: any EndpointPlug, endpoint e: EndpointRecord, network n: NetworkRecord)
        -> (host: [InterfaceInfo], container: InterfaceInfo) {
        let bridge = (plug as? Plug)?.bridge
        // The veth's MAC and MTU are Berth's own choices; a veth's default MTU is Ethernet's.
        let mtu = n.mtu > 0 ? n.mtu : 1500
        return ([InterfaceInfo(name: n.bridge, mac: bridge?.mac, mtu: bridge?.mtu),
                 InterfaceInfo(name: e.hostIfname, mac: EndpointIdentity.hostMAC(ofEndpoint: e.id), mtu: mtu)],
                InterfaceInfo(name: e.ifname, mac: e.mac, mtu: mtu))
    }

    /// The container's new interface up (and its loopback, when asked), without an IPv6
    /// link-local address of its own (see `IPv6`).
    static func linkUpSteps(index: Int32, ifname: String, mtu: Int, loopback: Bool) -> [(NetlinkRequest, String)] {
        var steps: [(NetlinkRequest, String)] = []
        if IPv6.canSkipAddresses(mtu: mtu) {
            steps.append((RouteRequests.disableIPv6AddressGeneration(index: index), "set \(ifname) addrgenmode none"))
        }
        steps.append((RouteRequests.setLinkUp(index: index), "set \(ifname) up"))
        if loopback { steps.append((RouteRequests.setLinkUp(index: 1), "set lo up")) }
        return steps
    }
}
