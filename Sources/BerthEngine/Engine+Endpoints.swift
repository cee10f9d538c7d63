import BerthAddress
import BerthIPAM
import BerthNetlink
import BerthStore
import Glibc

extension Engine {
    /// Endpoints, optionally of one network.
    public func endpoints(network: String? = nil) throws -> [EndpointInfo] {
        if let network { _ = try record(named: network) }
        return try translating { try store.endpoints(network: network).map(EndpointInfo.init) }
    }

    /// Detaches the endpoint of `target`'s `ifname` from a network. When the namespace is
    /// already gone, the endpoint is found by the TARGET it was connected with. Returns once the
    /// address, ports and record are released and the container's interface is gone from its
    /// name; the link itself may be deleted right after, in the background (see
    /// ``detachEndpoint(_:namespace:lock:)``).
    public func disconnect(network name: String, target: String, ifname: String) throws {
        try requirePrivileges()
        // Resolved before the lock is taken and signals are held: whatever TARGET names, an
        // interrupt still ends berth while it looks (and the open never blocks).
        let namespace = try? environment.openNamespace(.user(target))
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        let network = try record(named: name)
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
        if network.dns { announce(endpoint: endpoint.id) }
    }

    /// Detaches every endpoint of a network at once (`disconnect NETWORK --all`): their links go
    /// in one kernel request. Returns how many were detached.
    @discardableResult
    public func disconnectAll(network name: String) throws -> Int {
        try requirePrivileges()
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        let n = try record(named: name)
        try ensureFirewallTable()
        let count = try translating {
            let endpoints = try store.endpoints(network: name)
            try removeEndpoints(endpoints, wholeNetwork: n)
            return endpoints.count
        }
        // One refresh of the whole network rather than a round trip per endpoint.
        if n.dns && count > 0 { announce(network: name) }
        return count
    }

    /// Detaches one endpoint: an active one whose link its driver can retire at once goes the
    /// fast way (retire, release the records, delete the link in the background); anything else
    /// (a connect still in progress, a namespace that cannot be entered, a link already gone)
    /// the synchronous way of ``removeEndpoints(_:wholeNetwork:)``. `lock` is the command's
    /// operation lock, which a background deletion keeps.
    func detachEndpoint(_ e: EndpointRecord, namespace: NetworkNamespace?, lock: OperationLock) throws {
        PhaseTrace.mark("detach: find endpoint")
        let network = try store.network(named: e.network)
        guard e.state == .active, let network, let driver = try? self.driver(of: network),
              let retired = driver.retire(e, namespace: namespace) else {
            return try removeEndpoints([e])
        }
        environment.reach(.disconnectAfterRetire)
        do {
            try store.transaction {
                try withdrawPorts([e])
                try store.deleteEndpoint(id: e.id)
            }
        } catch {
            // The commit failed (a full disk): the detach changes nothing.
            driver.reinstate(retired, network: network)
            if (try? store.ports(endpoint: e.id).isEmpty) == false {
                try? store.transaction { try synchronizeFirewall() }
            }
            throw error
        }
        PhaseTrace.mark("detach: release records")
        driver.finishRetirement(retired, lock: lock)
    }

    /// Removes endpoints: marks them `removing`, has their drivers delete their links (in
    /// batches; already-gone ones are fine), then forgets them. Idempotent.
    /// With `wholeNetwork`, every link of that network goes in one request first.
    func removeEndpoints(_ endpoints: [EndpointRecord], wholeNetwork: NetworkRecord? = nil) throws {
        guard !endpoints.isEmpty else { return }
        try store.transaction {
            for e in endpoints { try store.setState(endpoint: e.id, .removing) }
        }
        environment.reach(.disconnectAfterMark)
        let networks = Dictionary(try store.networks().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, group) in Dictionary(grouping: endpoints, by: \.network) {
            // A network gone from the store (a crashed rm) is a bridge network's: Berth had no other.
            let network = networks[name] ?? wholeNetwork
            let driver = try network.map { try self.driver(of: $0) } ?? self.driver(named: "bridge")
            try driver.removeLinks(of: group, wholeNetwork: wholeNetwork?.name == name ? wholeNetwork : nil)
        }
        environment.reach(.disconnectAfterVeth)
        try store.transaction {
            try withdrawPorts(endpoints)
            for e in endpoints { try store.deleteEndpoint(id: e.id) }
        }
    }

    /// Step 1 of an attach, in the store: the lease and the intent record (`creating`), in one
    /// write transaction.
    func reserve(_ r: Reservation, on network: NetworkRecord) throws -> EndpointRecord {
        try store.transaction { try reserveInTransaction(r, on: network) }
    }

    private func reserveInTransaction(_ r: Reservation, on network: NetworkRecord) throws -> EndpointRecord {
        let ns = r.namespace
        if try store.connectedNetwork(netnsDevice: ns.device, netnsInode: ns.inode, ifname: r.ifname) != nil {
            // Rare: look closer only now. A record of a namespace that is gone (its inode now
            // this one's) is released; a live one is a conflict.
            for held in try store.endpoints(netnsDevice: ns.device, netnsInode: ns.inode, ifname: r.ifname) {
                guard try isStale(held, namespace: ns) else {
                    throw BerthError.conflict("interface \(r.ifname) of \(r.target) is already connected to network '\(held.network)'")
                }
                try releaseStale(held)
            }
        }
        if r.macRequested {
            let mac = r.mac
            // Two interfaces with one MAC on a bridge steal each other's frames.
            if mac == BridgeDriver.bridgeMAC(ofNetworkID: network.id) {
                throw BerthError.invalidArgument("MAC \(mac) is the bridge's own address on network '\(network.name)'")
            }
            if let holder = try store.endpoint(network: network.name, mac: mac) {
                throw BerthError.conflict("MAC \(mac) is already used on network '\(network.name)' by container '\(holder.containerID)' (endpoint \(holder.id))")
            }
        }
        let address = try network.subnet.map { try reserveIPv4(r, on: network, subnet: $0) }
        let address6 = try network.subnet6.map { try reserveIPv6(r, on: network, subnet: $0) }
        let record = EndpointRecord(
            id: r.endpointID, network: network.name, containerID: r.containerID,
            target: r.target, netnsPath: ns.path,
            netnsDevice: ns.device, netnsInode: ns.inode, ifname: r.ifname,
            hostIfname: r.hostIfname, address: address,
            prefixLength: network.subnet?.prefixLength ?? 0,
            mac: r.mac,
            state: .creating, created: Int64(time(nil)), owner: EndpointOwner(rawValue: r.frontEnd.rawValue) ?? .cli,
            address6: address6, prefixLength6: network.subnet6?.prefixLength ?? 0,
            dnsName: r.dnsName, aliases: r.aliases)
        try store.insertEndpoint(record)
        try store.publishPorts(endpoint: r.endpointID, r.ports)
        return record
    }

    /// The request's static IPv4 address, checked and free, or the next free one (moving the
    /// network's round-robin cursor).
    private func reserveIPv4(_ r: Reservation, on network: NetworkRecord, subnet: IPv4Subnet) throws -> IPv4Address {
        let gateway = network.gateway ?? subnet.firstHost
        if let wanted = r.address {
            try AddressAllocator.validateStatic(wanted, subnet: subnet, gateway: gateway)
            if try store.isAddressTaken(network: network.name, address: wanted) {
                throw BerthError.conflict("address \(wanted) is already in use on network '\(network.name)'")
            }
            return wanted
        }
        guard let next = try AddressAllocator.next(
            subnet: subnet, range: network.ipRange, gateway: gateway, after: network.lastAllocated,
            isTaken: { try store.isAddressTaken(network: network.name, address: $0) }) else {
            throw BerthError.conflict("no free address left on network '\(network.name)' (\(network.ipRange ?? subnet))")
        }
        try store.setCursor(network: network.name, lastAllocated: next)
        return next
    }

    /// The IPv6 twin of ``reserveIPv4(_:on:subnet:)``.
    private func reserveIPv6(_ r: Reservation, on network: NetworkRecord, subnet: IPv6Subnet) throws -> IPv6Address {
        let gateway = network.gateway6 ?? subnet.firstHost
        if let wanted = r.address6 {
            try AddressAllocator6.validateStatic(wanted, subnet: subnet, gateway: gateway)
            if try store.isAddressTaken(network: network.name, address6: wanted) {
                throw BerthError.conflict("address \(wanted) is already in use on network '\(network.name)'")
            }
            return wanted
        }
        // A bridge holds at most 1023 ports, so a walk this long that finds nothing free means
        // the range is full (a small --ip-range), not that a /64 ran out.
        guard let next = try AddressAllocator6.next(
            subnet: subnet, range: network.ipRange6, gateway: gateway, after: network.lastAllocated6, limit: 1 << 16,
            isTaken: { try store.isAddressTaken(network: network.name, address6: $0) }) else {
            throw BerthError.conflict("no free IPv6 address left on network '\(network.name)' (\(network.ipRange6 ?? subnet))")
        }
        try store.setCursor(network: network.name, lastAllocated6: next)
        return next
    }

    /// Whether `record`, found under the identity (device, inode) of `namespace`, is a dead
    /// container's rather than this namespace's: its namespace cookie differs, or — recorded
    /// before cookies were — it is active and its link is gone or retired.
    func isStale(_ record: EndpointRecord, namespace: NetworkNamespace) throws -> Bool {
        if record.netnsCookie != 0, try translating({ try record.netnsCookie != namespace.cookie() }) { return true }
        guard record.state == .active else { return false }
        let state = try translating { try linkDriver(of: record).linkState(of: record) }
        return state == .retired || (state == .missing && record.netnsCookie == 0)
    }

    /// Releases a dead container's record: its ports, its lease, and a link a detach retired.
    func releaseStale(_ record: EndpointRecord) throws {
        try translating {
            try store.transaction {
                try withdrawPorts([record])
                try store.deleteEndpoint(id: record.id)
            }
            try linkDriver(of: record).deleteRetiredLink(of: record)
        }
    }

    /// The driver of an endpoint's network.
    private func linkDriver(of record: EndpointRecord) throws -> any NetworkDriver {
        guard let network = try store.network(named: record.network) else { return try driver(named: "bridge") }
        return try driver(of: network)
    }
}
