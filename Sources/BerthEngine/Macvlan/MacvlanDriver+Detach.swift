import BerthAddress
import BerthNetlink
import BerthStore

/// Detaching a macvlan endpoint. Its link lives only in the container, found through the
/// namespace the endpoint recorded (or the one the disconnect opened); a namespace that is gone
/// took the link with it — nothing is left to delete — and so does one whose path now leads to
/// another namespace (a dead container's inode reused): an interface of that name there is not
/// Berth's.
///
/// As with a veth (see ``BridgeDriver``), deleting the link costs its caller the kernel's
/// grace period, so a detach takes it out of service instead — down, renamed out of the way
/// (``retiredName(ofEndpoint:)``), the container's interface name free at once — releases the
/// records, and leaves the deletion to a detached child that holds the operation lock. A crash
/// in between leaves a down, renamed macvlan in the container: the next command that meets the
/// record, or `berth gc`, deletes it (``deleteRetiredLink(of:)``); a container that dies takes
/// it along anyway.
extension MacvlanDriver {
    /// A macvlan taken out of service: what it takes to put it back, or to find it again from
    /// the deleting child (which starts with no descriptor but the lock's).
    final class Retired: RetiredLink {
        let endpoint: EndpointRecord
        let index: Int32
        let container: RouteSession
        /// The namespace's path and identity, to open it again and make sure it is the same.
        let namespacePath: String
        let device: UInt64
        let inode: UInt64

        init(endpoint: EndpointRecord, index: Int32, container: RouteSession, namespace: NetworkNamespace) {
            self.endpoint = endpoint
            self.index = index
            self.container = container
            namespacePath = namespace.path
            device = namespace.device
            inode = namespace.inode
        }
    }

    /// The name a detached container interface carries until its deletion (as a bridge
    /// endpoint's: `bd` and 12 hex digits of the endpoint id).
    static func retiredName(ofEndpoint id: String) -> String { BridgeDriver.retiredName(ofEndpoint: id) }

    func retire(_ e: EndpointRecord, namespace given: NetworkNamespace?) -> (any RetiredLink)? {
        // Only the record's own namespace: TARGET may name another one by now.
        guard let namespace = given ?? Self.endpointNamespace(e),
              namespace.device == e.netnsDevice, namespace.inode == e.netnsInode,
              let container = try? RouteSession(in: namespace),
              let link = try? container.link(name: e.ifname), Self.isEndpointLink(link, of: e) else { return nil }
        do {
            // Down first: the kernel refuses to rename a running interface before Linux 6.8.
            try container.execute([
                (RouteRequests.setLinkDown(index: link.index), "set \(e.ifname) down"),
                (RouteRequests.rename(index: link.index, to: Self.retiredName(ofEndpoint: e.id)), "rename \(e.ifname)"),
            ])
        } catch {
            // Still under its name (down at worst): the synchronous path deletes it.
            return nil
        }
        PhaseTrace.mark("detach: macvlan down, renamed")
        return Retired(endpoint: e, index: link.index, container: container, namespace: namespace)
    }

    /// Puts a retired macvlan back (a detach whose commit failed changes nothing): its name, up,
    /// its IPv6 address (which going down took away; IPv4 stays) and the default routes through
    /// the network's gateways unless the container has others by now. Best effort.
    func reinstate(_ link: any RetiredLink, network: NetworkRecord?) {
        guard let r = link as? Retired else { return }
        let e = r.endpoint
        guard (try? r.container.execute([
            (RouteRequests.rename(index: r.index, to: e.ifname), "rename back to \(e.ifname)"),
            (RouteRequests.setLinkUp(index: r.index), "set \(e.ifname) up"),
        ])) != nil else { return }
        if let address = e.interface6 {
            _ = try? r.container.execute(RouteRequests.addAddress(address, index: r.index, noDAD: true), "add address \(address)")
        }
        guard let n = network, !n.isInternal else { return }
        let metric = UInt32(clamping: n.routeMetric)
        if e.address != nil, let gateway = n.gateway, let routes = try? r.container.routes(),
           !routes.contains(where: { $0.destination.prefixLength == 0 && $0.table == UInt32(RouteField.tableMain) }) {
            _ = try? r.container.execute(RouteRequests.addDefaultRoute(via: gateway, index: r.index, metric: metric), "add default route")
        }
        if e.address6 != nil, let gateway = n.gateway6, let routes = try? r.container.routes6(),
           !routes.contains(where: { $0.isDefault && $0.table == UInt32(RouteField.tableMain) }) {
            _ = try? r.container.execute(RouteRequests.addDefaultRoute(via: gateway, index: r.index, metric: metric), "add default route")
        }
    }

    /// Hands the deletion to a detached child holding the operation lock (see above).
    func finishRetirement(_ link: any RetiredLink, lock: OperationLock) {
        guard let r = link as? Retired else { return }
        let (path, device, inode) = (r.namespacePath, r.device, r.inode)
        let name = Self.retiredName(ofEndpoint: r.endpoint.id)
        let started = DetachedChild.start(keeping: lock.descriptor, lowPriority: false) {
            FaultPoint.disconnectBeforeDelete.reach()
            guard let namespace = try? NetworkNamespace(path: path), namespace.device == device, namespace.inode == inode,
                  let session = try? RouteSession(in: namespace) else { return }
            Self.deleteRetired(name: name, session: session)
        }
        // No child: the records are gone already, so deleting it here is all that is left.
        if !started { _ = try? r.container.deleteLink(index: r.index) }
        PhaseTrace.mark("detach: start the deleting child")
    }

    func removeLinks(of endpoints: [EndpointRecord], wholeNetwork: NetworkRecord?) throws {
        for e in endpoints {
            guard let namespace = Self.endpointNamespace(e), let session = try? RouteSession(in: namespace) else { continue }
            if let link = try session.link(name: e.ifname), Self.isEndpointLink(link, of: e) {
                do {
                    try session.deleteLink(index: link.index)
                } catch let error as NetlinkError where error.notFound {
                    // Gone meanwhile (the container died): as good as deleted.
                }
            }
            Self.deleteRetired(name: Self.retiredName(ofEndpoint: e.id), session: session)
        }
    }

    func linkState(of endpoint: EndpointRecord) throws -> LinkState {
        guard let namespace = Self.endpointNamespace(endpoint), let session = try? RouteSession(in: namespace) else { return .missing }
        if let link = try? session.link(name: endpoint.ifname), Self.isEndpointLink(link, of: endpoint) { return .present }
        if let link = try? session.link(name: Self.retiredName(ofEndpoint: endpoint.id)), link.kind == "macvlan" { return .retired }
        return .missing
    }

    func deleteRetiredLink(of endpoint: EndpointRecord) {
        guard let namespace = Self.endpointNamespace(endpoint), let session = try? RouteSession(in: namespace) else { return }
        Self.deleteRetired(name: Self.retiredName(ofEndpoint: endpoint.id), session: session)
    }

    /// Deletes the retired macvlan called `name` in `session`'s namespace, if there is one.
    static func deleteRetired(name: String, session: RouteSession) {
        guard let link = try? session.link(name: name), link.kind == "macvlan" else { return }
        _ = try? session.deleteLink(index: link.index)
    }

    /// Whether `link` is `e`'s macvlan: its MAC (any in passthru mode, which gives the link its
    /// parent's).
    static func isEndpointLink(_ link: LinkInfo, of e: EndpointRecord) -> Bool {
        link.kind == "macvlan" && (link.mac == e.mac || link.macvlanMode == .passthru)
    }

    /// The endpoint's own namespace, if it still lives at the path it recorded: the same
    /// namespace file and, when the record has one, the same cookie.
    static func endpointNamespace(_ e: EndpointRecord) -> NetworkNamespace? {
        guard !e.netnsPath.isEmpty, let namespace = try? NetworkNamespace(path: e.netnsPath),
              namespace.device == e.netnsDevice, namespace.inode == e.netnsInode else { return nil }
        if e.netnsCookie != 0, (try? namespace.cookie()) != e.netnsCookie { return nil }
        return namespace
    }

    /// The endpoint's macvlan in its namespace, with a session there. Nil when the namespace
    /// or the link is gone.
    static func endpointLink(_ e: EndpointRecord) -> (RouteSession, LinkInfo)? {
        guard let namespace = endpointNamespace(e), let session = try? RouteSession(in: namespace),
              let link = try? session.link(name: e.ifname), isEndpointLink(link, of: e) else { return nil }
        return (session, link)
    }
}
