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

    /// Refuses Berth's own namespace as a container's: attaching it would put the host's end of
    /// the veth and the container's end side by side, and a later disconnect would tear at the
    /// host's own interfaces. Front ends call it before anything with side effects.
    public func validateTarget(_ namespace: NetworkNamespace, named target: String) throws {
        let own = try translating { try NetworkNamespace.current() }
        if namespace.isSame(as: own) {
            throw BerthError.invalidArgument("\(target) is berth's own network namespace, not a container's")
        }
    }

    /// Attaches a namespace to a network as one transaction:
    /// 1. at the same time, on two threads:
    ///    - in the store (second thread): allocate the address and record the endpoint as
    ///      `creating` (intent);
    ///    - in the kernel: one request creates the veth pair, the peer born in the container
    ///      under its final name, the host end on the bridge;
    /// 2. in the kernel: the container's address and default route;
    /// 3. in the store: mark the endpoint `active`.
    /// Any failure undoes what was done (veth deleted, lease freed). A crash can leave a veth
    /// without a record (the veth came first) or a `creating` record: `berth gc` removes both,
    /// and cannot race a connect, whose operation lock it waits for. No firewall change is made
    /// unless ports are published (claimed in step 1, map elements added after step 2): rules
    /// are per network.
    public func connect(_ request: ConnectRequest) throws -> EndpointRecord {
        try attach(request).endpoint
    }

    /// ``connect(_:)``, also returning the network (for its gateway, without reading it again)
    /// and whether the container's default route now goes through it (false for internal
    /// networks, and when the container already had one).
    public func attach(_ request: ConnectRequest) throws
        -> (endpoint: EndpointRecord, network: NetworkRecord, defaultRoute: Bool) {
        try Validation.interfaceName(request.ifname)
        if let name = request.containerID { try Validation.containerName(name) }
        if let mac = request.mac, mac.isMulticast || mac.isZero {
            throw BerthError.invalidArgument("MAC \(mac) is not a unicast address")
        }
        PhaseTrace.mark("connect: start")
        try Capabilities.requireNetAdmin()
        let lock = try beginOperation()
        defer { withExtendedLifetime(lock) {} }
        PhaseTrace.mark("capability check, operation lock")
        try validateTarget(request.namespace, named: request.target)
        let network = request.network == NetworkSpec.defaultNetworkName
            ? try defaultNetwork() : try self.network(named: request.network)

        try validatePorts(request.ports, on: network)
        if let wanted = request.address {
            // Checked here too, before any kernel change (the reservation checks it for good).
            try translating { try AddressAllocator.validateStatic(wanted, subnet: network.subnet, gateway: network.gateway) }
        }
        PhaseTrace.mark("network lookup")
        let identity = EndpointIdentity(mac: request.mac)
        // The veth does not depend on the address: the store allocates on a second thread while
        // this one has the kernel create the veth. Until the join, this thread leaves the store
        // alone (which rules out the firewall check, as it may rebuild rules from the store).
        let reservation = ParallelTask {
            let started = PhaseTrace.now()
            defer { PhaseTrace.report("store: reserve address (second thread)", since: started) }
            return try translating { try self.reserve(request, on: network, identity: identity) }
        }
        let container: RouteSession
        let endpoint: EndpointRecord
        do {
            // A missing bridge is only recreated once the reservation has succeeded: a request
            // the store refuses must change nothing.
            if try translating({ try createLinks(identity, on: network, request: request, session: host()) }) == false {
                _ = try reservation.join()
                try translating {
                    _ = try realizeBridge(network)
                    guard try createLinks(identity, on: network, request: request, session: host()) else {
                        throw BerthError.system("bridge \(network.bridge) vanished while a container was being attached")
                    }
                }
            }
            PhaseTrace.mark("kernel: create veth")
            container = try translating { try RouteSession(in: request.namespace) }
            endpoint = try reservation.join()
        } catch {
            _ = try? host().deleteLink(name: identity.hostIfname)
            // The store's verdict comes first: a request it refuses (an address taken, the
            // interface already connected) is reported as such, not as what the kernel made of it.
            do {
                let reserved = try reservation.join()
                _ = try? store.deleteEndpoint(id: reserved.id)
            } catch let refusal {
                throw refusal
            }
            throw translate(error)
        }
        PhaseTrace.mark("store: reserve address (joined)")
        FaultPoint.connectAfterReserve.reach()
        FaultPoint.connectAfterVeth.reach()
        let defaultRoute: Bool
        do {
            try ensureFirewallTable()
            PhaseTrace.mark("firewall table probe")
            defaultRoute = try configure(endpoint, container: container, on: network, request: request)
            PhaseTrace.mark("kernel: address, route")
            if !request.ports.isEmpty {
                try publishPorts(of: endpoint)
                PhaseTrace.mark("firewall: publish ports")
            }
            FaultPoint.connectBeforeActive.reach()
            // The row can be gone: a concurrent `rm --force`, `disconnect --all` or a runtime's
            // DEL after a timed-out ADD removed it meanwhile. Reporting success would leave an
            // address in the container that the store no longer reserves.
            guard try translating({ try store.setState(endpoint: endpoint.id, .active) }) else {
                throw BerthError.conflict("endpoint \(endpoint.id) was removed by another command while it was being connected")
            }
            PhaseTrace.mark("store: mark active")
        } catch {
            _ = try? host().deleteLink(name: endpoint.hostIfname)
            if !request.ports.isEmpty { try? withdrawPorts([endpoint]) }
            _ = try? store.deleteEndpoint(id: endpoint.id)
            throw translate(error)
        }
        var active = endpoint
        active.state = .active
        return (active, network, defaultRoute)
    }

    /// Step 1 of connect, in the store: the lease and the intent record, in one write transaction.
    private func reserve(_ request: ConnectRequest, on network: NetworkRecord,
                         identity: EndpointIdentity) throws -> EndpointRecord {
        try store.transaction {
            let ns = request.namespace
            if let existing = try store.endpoints(netnsDevice: ns.device, netnsInode: ns.inode, ifname: request.ifname).first {
                throw BerthError.conflict("interface \(request.ifname) of \(request.target) is already connected to network '\(existing.network)'")
            }
            let address: IPv4Address
            if let wanted = request.address {
                try AddressAllocator.validateStatic(wanted, subnet: network.subnet, gateway: network.gateway)
                if try store.isAddressTaken(network: network.name, address: wanted) {
                    throw BerthError.conflict("address \(wanted) is already in use on network '\(network.name)'")
                }
                address = wanted
            } else {
                guard let next = try AddressAllocator.next(
                    subnet: network.subnet, range: network.ipRange, gateway: network.gateway,
                    after: network.lastAllocated,
                    isTaken: { try store.isAddressTaken(network: network.name, address: $0) }) else {
                    throw BerthError.conflict("no free address left on network '\(network.name)' (\(network.ipRange ?? network.subnet))")
                }
                address = next
                try store.setCursor(network: network.name, lastAllocated: next)
            }
            let id = identity.id
            let record = EndpointRecord(
                id: id, network: network.name, containerID: request.containerID ?? request.target,
                target: request.target, netnsPath: request.namespace.path,
                netnsDevice: ns.device, netnsInode: ns.inode, ifname: request.ifname,
                hostIfname: identity.hostIfname, address: address,
                prefixLength: network.subnet.prefixLength,
                mac: identity.mac,
                state: .creating, created: Int64(time(nil)))
            try store.insertEndpoint(record)
            try store.publishPorts(endpoint: id, request.ports)
            return record
        }
    }

    /// Step 1 of connect, in the kernel: the veth pair, the host end on the bridge, the peer in
    /// the container. Returns false, having changed nothing, when the bridge is missing (the
    /// caller recreates it once the reservation stands).
    private func createLinks(_ e: EndpointIdentity, on network: NetworkRecord, request: ConnectRequest,
                             session: RouteSession) throws -> Bool {
        guard let existing = try session.link(name: network.bridge) else { return false }
        lastBridge = existing
        var steps: [(NetlinkRequest, String)] = [
            (RouteRequests.createVeth(
                hostName: e.hostIfname, master: existing.index, mtu: network.mtu,
                peerName: request.ifname, peerNamespaceFD: request.namespace.fd, peerMAC: e.mac,
                group: Engine.vethGroup(of: network), hostMAC: e.hostMAC),
             "create veth \(e.hostIfname) for \(request.ifname)"),
        ]
        // A bridge port needs no IPv6 address of its own (see `IPv6`).
        if IPv6.canSkipAddresses(mtu: network.mtu) {
            steps.append((RouteRequests.disableIPv6AddressGeneration(name: e.hostIfname), "set \(e.hostIfname) addrgenmode none"))
        }
        steps.append((RouteRequests.setLinkUp(name: e.hostIfname), "set \(e.hostIfname) up"))
        do {
            try session.execute(steps)
        } catch let error as NetlinkError where error.alreadyExists {
            throw BerthError.conflict("interface \(request.ifname) already exists in \(request.target)")
        } catch let error as NetlinkError where error.errno == EXFULL {
            // The kernel's limit on bridge ports (BR_MAX_PORTS).
            throw BerthError.conflict("network '\(network.name)' is full: a Linux bridge takes at most 1023 containers")
        }
        return true
    }

    /// Step 2 of connect, through a session inside the container: its new link up, its address,
    /// and the default route. Returns whether the default route through the network's gateway
    /// was installed.
    private func configure(_ e: EndpointRecord, container: RouteSession, on network: NetworkRecord,
                           request: ConnectRequest) throws -> Bool {
        guard let index = try container.linkIndex(name: e.ifname) else {
            throw BerthError.system("\(e.ifname) did not appear in \(request.target)")
        }
        // IPv4-only networks: the interface comes up without an IPv6 address of its own (see
        // `IPv6`).
        var steps: [(NetlinkRequest, String)] = []
        if IPv6.canSkipAddresses(mtu: network.mtu) {
            steps.append((RouteRequests.disableIPv6AddressGeneration(index: index), "set \(e.ifname) addrgenmode none"))
        }
        steps += [
            (RouteRequests.setLinkUp(index: index), "set \(e.ifname) up"),
            (RouteRequests.addAddress(IPv4Interface(address: e.address, prefixLength: e.prefixLength), index: index),
             "add address \(e.address)/\(e.prefixLength) to \(e.ifname)"),
        ]
        if request.bringUpLoopback {
            steps.append((RouteRequests.setLinkUp(index: 1), "set lo up"))
        }
        let routeStep = "add default route via \(network.gateway)"
        if !network.isInternal {
            // Last, so an EEXIST from it can only mean the route and nothing else failed.
            steps.append((RouteRequests.addDefaultRoute(via: network.gateway, index: index), routeStep))
        }
        var defaultRoute = !network.isInternal
        do {
            try container.execute(steps)
        } catch let error as NetlinkError where error.alreadyExists && error.operation == routeStep {
            // The container already has a default route through its first network; like
            // Docker, a second network adds its subnet but does not take the default route.
            defaultRoute = false
        }
        FaultPoint.connectAfterAddress.reach()
        return defaultRoute
    }

    /// Detaches the endpoint of `target`'s `ifname` from a network. When the namespace is
    /// already gone, the endpoint is found by the TARGET it was connected with.
    public func disconnect(network name: String, target: String, ifname: String) throws {
        try Capabilities.requireNetAdmin()
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        _ = try network(named: name)
        let endpoint = try translating { () -> EndpointRecord? in
            if let ns = try? NetworkNamespace.resolve(target: target),
               let e = try store.endpoint(network: name, netnsDevice: ns.device, netnsInode: ns.inode, ifname: ifname) {
                return e
            }
            return try store.endpoints(network: name).first {
                ($0.target == target || $0.containerID == target) && $0.ifname == ifname
            }
        }
        try ensureFirewallTable()
        guard let endpoint else {
            throw BerthError.notFound("\(Validation.printable(target)) has no interface \(Validation.printable(ifname)) on network '\(name)'")
        }
        try translating { try removeEndpoints([endpoint]) }
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
