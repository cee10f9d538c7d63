import BerthAddress
import BerthIPAM
import BerthNetlink
import BerthStore
import Glibc

extension Engine {
    /// Endpoints, optionally of one network.
    public func endpoints(network: String? = nil) throws -> [EndpointRecord] {
        if let network { _ = try self.network(named: network) }
        return try translating { try store.endpoints(network: network) }
    }

    /// Detaches the endpoint of `target`'s `ifname` from a network. When the namespace is
    /// already gone, the endpoint is found by the TARGET it was connected with. Returns once the
    /// address, ports and record are released and the container's interface is gone from its
    /// name; the veth itself is deleted right after by a detached child (see
    /// ``detachEndpoint(_:namespace:lock:)``).
    public func disconnect(network name: String, target: String, ifname: String) throws {
        try Capabilities.requireNetAdmin()
        // Resolved before the lock is taken and signals are held: whatever TARGET names, an
        // interrupt still ends berth while it looks (and the open never blocks, see
        // ``NetworkNamespace/init(path:)``).
        let namespace = try? NetworkNamespace.resolve(target: target)
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        _ = try network(named: name)
        let endpoint = try translating { () -> EndpointRecord? in
            if let ns = namespace,
               let e = try store.endpoint(network: name, netnsDevice: ns.device, netnsInode: ns.inode, ifname: ifname) {
                guard try isStale(e, namespace: ns) else { return e }
                // A dead container's record under the inode TARGET's namespace now has: not
                // TARGET's to disconnect, but released all the same.
                try releaseStale(e)
            }
            return try store.endpoints(network: name).first {
                ($0.target == target || $0.containerID == target) && $0.ifname == ifname
            }
        }
        try ensureFirewallTable()
        guard let endpoint else {
            throw BerthError.notFound("\(Validation.printable(target)) has no interface \(Validation.printable(ifname)) on network '\(name)'")
        }
        try translating { try detachEndpoint(endpoint, namespace: namespace, lock: lock) }
    }

    /// Detaches every endpoint of a network at once (`disconnect NETWORK --all`): their veths go
    /// in one kernel request. Returns how many were detached.
    @discardableResult
    public func disconnectAll(network name: String) throws -> Int {
        try Capabilities.requireNetAdmin()
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        let n = try network(named: name)
        try ensureFirewallTable()
        return try translating {
            let endpoints = try store.endpoints(network: name)
            try removeEndpoints(endpoints, wholeNetwork: n)
            return endpoints.count
        }
    }

    /// Removes endpoints: marks them `removing`, deletes their veths (one batched request;
    /// already-gone ones are fine), then forgets them. Idempotent.
    /// With `wholeNetwork`, every veth of that network goes in one group request first (see
    /// ``vethGroup(of:)``); the per-name requests after it then only sweep stragglers.
    func removeEndpoints(_ endpoints: [EndpointRecord], wholeNetwork: NetworkRecord? = nil) throws {
        guard !endpoints.isEmpty else { return }
        try store.transaction {
            for e in endpoints { try store.setState(endpoint: e.id, .removing) }
        }
        FaultPoint.disconnectAfterMark.reach()
        if let wholeNetwork, endpoints.count > 1 {
            try host().deleteLinks(group: Engine.vethGroup(of: wholeNetwork))
        }
        try host().deleteLinks(names: endpoints.map(\.hostIfname))
        FaultPoint.disconnectAfterVeth.reach()
        try store.transaction {
            try withdrawPorts(endpoints)
            for e in endpoints { try store.deleteEndpoint(id: e.id) }
        }
    }
}
