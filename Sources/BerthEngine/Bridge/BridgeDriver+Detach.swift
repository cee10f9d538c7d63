import BerthNetlink
import BerthStore

/// Detaching one container without waiting for the kernel's grace period.
///
/// Deleting a veth costs its caller ~20 ms, nearly all of it after the work: once the kernel has
/// unregistered the pair and dropped the RTNL lock, `netdev_run_todo` waits in `rcu_barrier()`
/// for the RCU callbacks of the unregistration, in the context of whoever sent the
/// `RTM_DELLINK`. No other request is held up meanwhile (RTNL is free), so the wait can be
/// anyone's. A detach therefore
///
/// 1. takes the veth out of service with three cheap requests: the host end moves to the
///    *retired* device group (``BridgeDriver/retiredGroup(of:)``), which marks it for `berth gc`; the
///    container end goes down — its routes go with it, as with a deletion, and the host end
///    loses its carrier, so the bridge disables that port and forgets the MACs it learnt there —
///    and is renamed out of the way (``BridgeDriver/retiredName(ofEndpoint:)``), so the container's
///    interface name is free at once. Only the last two cost the kernel a grace period, an
///    expedited one (~0.2 ms on a quiet machine, ~1 ms on a loaded one); taking the host end
///    off its bridge or down as well would add another;
/// 2. releases the address, the ports and the record in one store transaction, which comes
///    last, so a failed commit (a full disk) is undone by putting the veth back;
/// 3. hands the `RTM_DELLINK` to a detached child process (``DetachedChild``) that holds the
///    operation lock until the veth is gone, so `berth gc` never races it.
///
/// A crash before the commit leaves an active endpoint whose host veth is in the retired group,
/// and a crash of the child a retired veth no endpoint owns: `berth gc` finishes both.
extension BridgeDriver {
    /// A veth taken out of service by ``retire(_:namespace:)``: what it takes to put it back.
    final class Retired: RetiredLink {
        let endpoint: EndpointRecord
        /// The host end as it was before.
        let host: LinkInfo
        /// The container end's index, and a session in its namespace.
        let peerIndex: Int32
        let container: RouteSession

        init(endpoint: EndpointRecord, host: LinkInfo, peerIndex: Int32, container: RouteSession) {
            self.endpoint = endpoint
            self.host = host
            self.peerIndex = peerIndex
            self.container = container
        }
    }

    /// The name a detached container interface carries until its deletion: `bd` and the first
    /// 12 hex digits of the endpoint id (unique, and short enough for an interface name).
    static func retiredName(ofEndpoint id: String) -> String { "bd" + String(id.prefix(12)) }

    /// Takes `e`'s veth out of service (step 1 above). Returns nil, having changed at most the
    /// host end (which the synchronous path then deletes), when the veth is gone or its
    /// container end cannot be reached and verified.
    func retire(_ e: EndpointRecord, namespace given: NetworkNamespace?) -> (any RetiredLink)? {
        guard let session = try? host(),
              let veth = try? session.link(name: e.hostIfname), veth.kind == "veth", let peer = veth.peerIndex else {
            return nil
        }
        PhaseTrace.mark("detach: look up host veth")
        guard let namespace = given ?? (e.netnsPath.isEmpty ? nil : try? NetworkNamespace(path: e.netnsPath)),
              let container = try? RouteSession(in: namespace),
              // Only the veth's own peer: the path may lead to another namespace by now.
              let link = try? container.link(name: e.ifname),
              link.index == peer, link.peerIndex == veth.index, link.kind == "veth" else {
            return nil
        }
        PhaseTrace.mark("detach: find container end")
        // The container can die at any moment: then the synchronous path deletes what is left.
        guard (try? session.execute(RouteRequests.setGroup(index: veth.index, group: Self.retiredGroup(of: veth.group)),
                                    "mark \(e.hostIfname) retired")) != nil else { return nil }
        PhaseTrace.mark("detach: host end marked retired")
        do {
            // Down first: the kernel refuses to rename a running interface before Linux 6.8.
            try container.execute([
                (RouteRequests.setLinkDown(index: peer), "set \(e.ifname) down"),
                (RouteRequests.rename(index: peer, to: Self.retiredName(ofEndpoint: e.id)), "rename \(e.ifname)"),
            ])
        } catch {
            return nil
        }
        PhaseTrace.mark("detach: container end down, renamed")
        return Retired(endpoint: e, host: veth, peerIndex: peer, container: container)
    }

    /// Puts a retired veth back as it was (a detach whose commit failed changes nothing): the
    /// container end gets its name back and comes up, with the default route through the
    /// network's gateway unless the container has another one by now; the host end rejoins
    /// its group (it never left its bridge).
    /// Best effort: what cannot be restored is left for `berth gc`, which sees the retired group.
    func reinstate(_ link: any RetiredLink, network: NetworkRecord?) {
        guard let r = link as? Retired else { return }
        let e = r.endpoint
        // If the container end cannot be restored, the host end stays retired for gc to finish.
        guard (try? r.container.execute([
            (RouteRequests.rename(index: r.peerIndex, to: e.ifname), "rename back to \(e.ifname)"),
            (RouteRequests.setLinkUp(index: r.peerIndex), "set \(e.ifname) up"),
        ])) != nil else { return }
        if let n = network, !n.isInternal, e.address != nil, let gateway = n.gateway, let routes = try? r.container.routes(),
           !routes.contains(where: { $0.destination.prefixLength == 0 && $0.table == UInt32(RouteField.tableMain) }) {
            try? r.container.addDefaultRoute(via: gateway, index: r.peerIndex, metric: UInt32(clamping: n.routeMetric))
        }
        if let n = network, !n.isInternal, e.address6 != nil, let gateway = n.gateway6, let routes = try? r.container.routes6(),
           !routes.contains(where: { $0.isDefault && $0.table == UInt32(RouteField.tableMain) }) {
            try? r.container.addDefaultRoute(via: gateway, index: r.peerIndex, metric: UInt32(clamping: n.routeMetric))
        }
        _ = try? host().execute(RouteRequests.setGroup(index: r.host.index, group: r.host.group),
                                "put \(e.hostIfname) back in its group")
    }

    /// Hands the `RTM_DELLINK` to a detached child process (``DetachedChild``) that holds the
    /// operation lock until the veth is gone, so `berth gc` never races it.
    func finishRetirement(_ link: any RetiredLink, lock: OperationLock) {
        guard let r = link as? Retired else { return }
        let hostIfname = r.endpoint.hostIfname
        let started = DetachedChild.start(keeping: lock.descriptor, lowPriority: false) {
            FaultPoint.disconnectBeforeDelete.reach()
            _ = try? RouteSession().deleteLink(name: hostIfname)
        }
        // No child: the records are gone already, so deleting it here is all that is left.
        // (Best effort: a retired veth left behind is `berth gc`'s.)
        if !started { _ = try? host().deleteLink(name: hostIfname) }
        PhaseTrace.mark("detach: start the deleting child")
    }
}
