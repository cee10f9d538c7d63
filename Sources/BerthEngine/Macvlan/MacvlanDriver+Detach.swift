import BerthNetlink
import BerthStore

/// Detaching a macvlan endpoint: its link lives only in the container, so it is deleted there,
/// found through the namespace the endpoint recorded. A namespace that is gone took the link
/// with it — nothing is left to delete — and so does one whose path now leads to another
/// namespace (a dead container's inode reused): its interface of that name is not Berth's.
extension MacvlanDriver {
    /// Nil: a macvlan is deleted at once, through the synchronous path
    /// (``removeLinks(of:wholeNetwork:)``).
    func retire(_ endpoint: EndpointRecord, namespace: NetworkNamespace?) -> (any RetiredLink)? { nil }

    func reinstate(_ link: any RetiredLink, network: NetworkRecord?) {}

    func finishRetirement(_ link: any RetiredLink, lock: OperationLock) {}

    func removeLinks(of endpoints: [EndpointRecord], wholeNetwork: NetworkRecord?) throws {
        for e in endpoints {
            guard let (session, link) = Self.endpointLink(e) else { continue }
            do {
                try session.deleteLink(index: link.index)
            } catch let error as NetlinkError where error.notFound {
                // Gone meanwhile (the container died): as good as deleted.
            }
        }
    }

    func linkState(of endpoint: EndpointRecord) throws -> LinkState {
        Self.endpointLink(endpoint) == nil ? .missing : .present
    }

    func deleteRetiredLink(of endpoint: EndpointRecord) {
        // Never retires one.
    }

    /// The endpoint's own namespace, if it still lives at the path it recorded: the same
    /// namespace file and, when the record has one, the same cookie.
    static func endpointNamespace(_ e: EndpointRecord) -> NetworkNamespace? {
        guard !e.netnsPath.isEmpty, let namespace = try? NetworkNamespace(path: e.netnsPath),
              namespace.device == e.netnsDevice, namespace.inode == e.netnsInode else { return nil }
        if e.netnsCookie != 0, (try? namespace.cookie()) != e.netnsCookie { return nil }
        return namespace
    }

    /// The endpoint's macvlan in its namespace, with a session there: an interface of its name
    /// that is a macvlan with its MAC (any MAC in passthru mode, where the link has the
    /// parent's). Nil when the namespace or the link is gone.
    static func endpointLink(_ e: EndpointRecord) -> (RouteSession, LinkInfo)? {
        guard let namespace = endpointNamespace(e), let session = try? RouteSession(in: namespace),
              let link = try? session.link(name: e.ifname), link.kind == "macvlan",
              link.mac == e.mac || link.macvlanMode == .passthru else { return nil }
        return (session, link)
    }
}
