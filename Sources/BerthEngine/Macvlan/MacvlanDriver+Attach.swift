import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// A macvlan attach in the kernel: step 1 makes the macvlan in one request — on the parent, born
/// in the container under its final name, down — then, inside the container, turns IPv6
/// autoconfiguration off for it and brings it up; step 2 gives it its addresses and default
/// routes. Nothing appears on the host.
extension MacvlanDriver {
    /// Step 1's outcome: the container session and the link as the kernel made it (passthru
    /// gives it the parent's MAC, whatever was asked).
    final class Plug: EndpointPlug {
        let container: RouteSession
        let link: LinkInfo
        let mode: MacvlanMode

        init(container: RouteSession, link: LinkInfo, mode: MacvlanMode) {
            self.container = container
            self.link = link
            self.mode = mode
        }

        func namespaceCookie() -> UInt64 { (try? container.namespaceCookie()) ?? 0 }
    }

    func plug(_ plan: PlugPlan, hint: NetworkHint) throws -> (any EndpointPlug)? {
        let options = try MacvlanOptions(hint, network: plan.network)
        let session = try host()
        guard let parent = try session.link(name: options.parent) else {
            throw BerthError.notFound("parent interface \(options.parent) of macvlan network '\(plan.network)' does not exist")
        }
        // The kernel refuses a macvlan larger than its parent with a bare EINVAL: say so first.
        if hint.mtu > parent.mtu {
            throw BerthError.invalidArgument("network '\(plan.network)' has MTU \(hint.mtu), more than its parent \(parent.name)'s \(parent.mtu)")
        }
        let operation = "create macvlan \(plan.ifname) on \(parent.name)"
        do {
            try session.execute(RouteRequests.createMacvlan(name: plan.ifname, parent: parent.index, mode: options.mode,
                                                            mtu: hint.mtu, mac: plan.mac, namespaceFD: plan.namespace.fd),
                                operation)
        } catch let error as NetlinkError where error.alreadyExists {
            throw BerthError.conflict("interface \(plan.ifname) already exists in \(plan.target)")
        } catch let error as NetlinkError where error.errno == EINVAL || error.errno == EBUSY {
            // With the MTU checked above, what is left is passthru's rule: a parent in passthru
            // mode carries exactly one macvlan (older kernels say EBUSY, newer EINVAL).
            throw BerthError.conflict(options.mode == .passthru
                ? "parent \(parent.name) already carries a macvlan: passthru mode allows only one endpoint per parent"
                : "parent \(parent.name) is taken by a passthru macvlan, which allows only one endpoint per parent (kernel: \(error))")
        }
        PhaseTrace.mark("kernel: create macvlan")
        // Ours from here on (the create did not clash), its index not known yet.
        plugged[plan.endpointID] = 0
        let container: RouteSession
        let link: LinkInfo
        do {
            container = try RouteSession(in: plan.namespace)
            guard let made = try container.link(name: plan.ifname), made.kind == "macvlan" else {
                throw BerthError.system("macvlan \(plan.ifname) did not appear in \(plan.target)")
            }
            link = made
        } catch {
            unplug(plan)
            throw error
        }
        plugged[plan.endpointID] = link.index
        do {
            // Before the link is up, so no router advertisement from the LAN is ever taken.
            try ContainerIPv6.disableAutoconfiguration(ifname: plan.ifname, mtu: link.mtu, in: plan.namespace)
            _ = try container.execute(BridgeDriver.linkUpSteps(index: link.index, ifname: plan.ifname, mtu: link.mtu,
                                                               loopback: plan.bringUpLoopback))
        } catch {
            unplug(plan)
            throw error
        }
        return Plug(container: container, link: link, mode: options.mode)
    }

    func unplug(_ plan: PlugPlan) {
        guard let index = plugged.removeValue(forKey: plan.endpointID),
              let session = try? RouteSession(in: plan.namespace) else { return }
        if index != 0 {
            _ = try? session.deleteLink(index: index)
        } else if let link = try? session.link(name: plan.ifname), link.kind == "macvlan",
                  link.mac == plan.mac || link.macvlanMode == .passthru {
            // Made, but never looked up: found by the name and MAC it was made with.
            _ = try? session.deleteLink(index: link.index)
        }
    }

    func configure(_ plug: any EndpointPlug, endpoint e: EndpointRecord, network: NetworkRecord) throws -> DefaultRoutes {
        guard let plug = plug as? Plug else { preconditionFailure("a macvlan endpoint plugged by another driver") }
        let index = plug.link.index
        // The attach is about to be recorded: from here on the link is the endpoint's, and
        // the engine's rollback goes through ``unplug(_:)`` only until it is active.
        var steps: [(NetlinkRequest, String)] = []
        if let address = e.interface {
            steps.append((RouteRequests.addAddress(address, index: index), "add address \(address) to \(e.ifname)"))
        }
        if let address = e.interface6 {
            // Without duplicate address detection, as on a bridge: usable the moment the attach
            // returns (the address is Berth's to give on this subnet).
            steps.append((RouteRequests.addAddress(address, index: index, noDAD: true), "add address \(address) to \(e.ifname)"))
        }
        let metric = UInt32(clamping: network.routeMetric)
        var routes = [(NetlinkRequest, String, IPFamily)]()
        if !network.isInternal {
            // The gateway is a router on the parent's LAN: on-link through the address's subnet.
            if e.address != nil, let gateway = network.gateway {
                routes.append((RouteRequests.addDefaultRoute(via: gateway, index: index, metric: metric), "add default route via \(gateway)", .ipv4))
            }
            if e.address6 != nil, let gateway = network.gateway6 {
                routes.append((RouteRequests.addDefaultRoute(via: gateway, index: index, metric: metric), "add default route via \(gateway)", .ipv6))
            }
        }
        // As on a bridge: routes last, the first with the addresses, a second in a request of
        // its own; an EEXIST on a route means the container has a default route already.
        var installed = DefaultRoutes()
        for (i, route) in routes.enumerated() {
            do {
                try plug.container.execute(i == 0 ? steps + [(route.0, route.1)] : [(route.0, route.1)])
                installed.insert(DefaultRoutes(route.2))
            } catch let error as NetlinkError where error.alreadyExists && error.operation == route.1 {
            }
        }
        if routes.isEmpty && !steps.isEmpty { try plug.container.execute(steps) }
        return installed
    }

    func interfaces(of plug: any EndpointPlug, endpoint e: EndpointRecord, network n: NetworkRecord)
        -> (host: [InterfaceInfo], container: InterfaceInfo) {
        // Nothing on the host; the container's link as the kernel made it.
        let link = (plug as? Plug)?.link
        return ([], InterfaceInfo(name: e.ifname, mac: link?.mac ?? e.mac, mtu: link?.mtu ?? (n.mtu > 0 ? n.mtu : nil)))
    }
}

/// IPv6 autoconfiguration of a container's interface: off. A macvlan sits on a real LAN, whose
/// routers' advertisements reach it (a bridge's containers never see one): it must neither
/// take a SLAAC address or a default route from them, nor make a link-local address of its own.
enum ContainerIPv6 {
    /// `accept_ra=0` and `autoconf=0` for `ifname` inside `namespace` (netlink cannot set them:
    /// a write under /proc/sys/net/ipv6 from inside the namespace), before the link comes up;
    /// its `addrgenmode none` goes with the link-up request (``BridgeDriver/linkUpSteps``).
    /// Nothing to do without IPv6 in the kernel or below IPv6's minimum MTU (no IPv6 state).
    static func disableAutoconfiguration(ifname: String, mtu: Int, in namespace: NetworkNamespace) throws {
        guard IPv6.canSkipAddresses(mtu: mtu) else { return }
        try namespace.briefly {
            let folder = "/proc/sys/net/ipv6/conf/\(ifname)/"
            try SystemFile.write(folder + "accept_ra", "0")
            try SystemFile.write(folder + "autoconf", "0")
        }
    }
}
