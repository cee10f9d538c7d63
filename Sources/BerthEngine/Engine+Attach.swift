import BerthAddress
import BerthIPAM
import BerthNetlink
import BerthStore
import Glibc

/// A finished attach: the endpoint, its network, and the engine that made it.
public struct Attachment {
    /// The engine that made the attachment (its store holds the endpoint).
    public let engine: Engine
    /// The endpoint, `active`.
    public let endpoint: EndpointRecord
    /// Its network.
    public let network: NetworkRecord
    /// Whether the container's default route now goes through the network (false for internal
    /// networks, and when the container already had one).
    public let defaultRoute: Bool
    /// Whether the network was created for this attachment (see `resolve` of
    /// ``Engine/attach(_:stateDirectory:open:warmup:resolve:)``).
    public let createdNetwork: Bool
}

extension Engine {
    /// Refuses Berth's own namespace as a container's: attaching it would put the host's end of
    /// the veth and the container's end side by side, and a later disconnect would tear at the
    /// host's own interfaces. Checked before anything with side effects.
    static func validateTarget(_ namespace: NetworkNamespace, named target: String) throws {
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
    /// and whether the container's default route now goes through it.
    public func attach(_ request: ConnectRequest) throws
        -> (endpoint: EndpointRecord, network: NetworkRecord, defaultRoute: Bool) {
        try Engine.validate(request)
        try Capabilities.requireNetAdmin()
        let lock = try beginOperation()
        defer { withExtendedLifetime(lock) {} }
        PhaseTrace.mark("capability check, operation lock")
        try Engine.validateTarget(request.namespace, named: request.target)
        let network = try network(for: request)
        if Engine.canUseHint(request) { NetworkHint.refresh(network, directory: configuration.stateDirectory) }
        PhaseTrace.mark("network lookup")
        let identity = EndpointIdentity(mac: request.mac)
        // The veth does not depend on the address: the store allocates on a second thread while
        // this one has the kernel create the veth. Until the join, this thread leaves the store
        // alone (which rules out the firewall check, as it may rebuild rules from the store).
        let prepared = ParallelTask {
            let started = PhaseTrace.now()
            defer { PhaseTrace.report("store: reserve address (second thread)", since: started) }
            return Prepared(engine: self, network: network, createdNetwork: false,
                            endpoint: try translating { try self.reserve(request, on: network, identity: identity) })
        }
        let done = try Engine.complete(request, identity: identity, hint: NetworkHint(network),
                                       host: { try self.host() }, prepared: { try prepared.join() })
        return (done.endpoint, done.network, done.defaultRoute)
    }

    /// Attaches with the store opened on a second thread while this one has the kernel create
    /// the veth, from the network's ``NetworkHint``: the whole store half (open, network lookup,
    /// reservation) then overlaps the kernel's. Without a hint, or for requests that need the
    /// network before any kernel change (a static address to check against the subnet, ports
    /// to check), it opens the store first and runs ``attach(_:)``.
    ///
    /// `open` opens the engine on the state directory `stateDirectory` (on whichever thread
    /// needs it), upgrading an old schema only when passed true. `resolve` finds the network
    /// once the store is open (default: by name, the default network created on first use); a
    /// front end passes its own to create or check the network as it defines it. A network
    /// `resolve` created goes again if the attach fails.
    /// `warmup` is an engine for `stateDirectory` already being opened on a second thread (a
    /// CNI ADD starts one before it decodes its configuration); that thread then runs the store
    /// half instead of a new one.
    public static func attach(_ request: ConnectRequest, stateDirectory: String,
                              open: @escaping (_ migrating: Bool) throws -> Engine,
                              warmup: EngineWarmup? = nil,
                              resolve: ((Engine) throws -> (network: NetworkRecord, created: Bool))? = nil)
        throws -> Attachment {
        let warmup = warmup?.stateDirectory == stateDirectory ? warmup : nil
        guard canUseHint(request), let hint = NetworkHint.load(network: request.network, directory: stateDirectory) else {
            try validate(request)
            try validateTarget(request.namespace, named: request.target)
            // A warm-up that could not open without upgrading the schema leaves that to here,
            // now that the request has passed its checks.
            let engine = try (warmup.flatMap { try? $0.engine() }) ?? open(true)
            let (network, created) = try resolve?(engine) ?? (engine.network(for: request), false)
            var plain = request
            plain.network = network.name
            do {
                let done = try engine.attach(plain)
                return Attachment(engine: engine, endpoint: done.endpoint, network: done.network,
                                  defaultRoute: done.defaultRoute, createdNetwork: created)
            } catch {
                // A failed attach changes nothing: a network made for it goes again (unless
                // another container joined it meanwhile, which makes the removal refuse).
                if created { try? engine.removeNetworks([network.name], force: false) }
                throw error
            }
        }
        // The store opens from here on, while this thread checks the request; it writes nothing
        // until the checks have passed (the gate), so refused input still changes nothing. The
        // hint only exists for an existing store, so opening creates no state either.
        let identity = EndpointIdentity(mac: request.mac)
        // The store half, run on the second thread once the engine is open.
        let storeHalf = { (engine: Engine) throws -> Prepared in
            let (network, created) = try resolve?(engine) ?? (engine.network(for: request), false)
            do {
                let endpoint = try translating { try engine.reserve(request, on: network, identity: identity) }
                return Prepared(engine: engine, network: network, createdNetwork: created, endpoint: endpoint)
            } catch {
                if created { try? engine.removeNetworks([network.name], force: false) }
                throw error
            }
        }
        let worker = warmup ?? EngineWarmup(opening: open)
        let lock: OperationLock
        do {
            try validate(request)
            try validateTarget(request.namespace, named: request.target)
            try Capabilities.requireNetAdmin()
            lock = try translating { try OperationLock(directory: stateDirectory, mode: .shared) }
        } catch {
            _ = try? worker.engine()
            throw error
        }
        defer { withExtendedLifetime(lock) {} }
        worker.run(storeHalf)
        PhaseTrace.mark("validate, operation lock, hint")
        var session: RouteSession?
        return try complete(request, identity: identity, hint: hint, host: {
            if let session { return session }
            let opened = try RouteSession()
            session = opened
            return opened
        }, prepared: { try worker.prepared() })
    }

    /// What the store's half of an attach produced (on the second thread).
    struct Prepared {
        let engine: Engine
        let network: NetworkRecord
        let createdNetwork: Bool
        let endpoint: EndpointRecord
    }

    /// The kernel's half of an attach, given the store's half running on the second thread:
    /// the veth (created from `hint`, redone on the right bridge should the stored network
    /// differ), then the container's address and route, then the endpoint marked active. Any
    /// failure undoes both halves; a request the store refuses is reported as such, not as what
    /// the kernel made of it.
    private static func complete(_ request: ConnectRequest, identity: EndpointIdentity, hint: NetworkHint,
                                 host: () throws -> RouteSession, prepared: () throws -> Prepared) throws -> Attachment {
        let container: RouteSession
        let done: Prepared
        var peerIndex: Int32?
        var bridge: LinkInfo?
        var firewallPresent = true
        var linkReady = false
        do {
            var created = try translating { try createLinks(identity, hint: hint, request: request, session: host()) }
            PhaseTrace.mark("kernel: create veth")
            container = try translating { try RouteSession(in: request.namespace) }
            if case .created(let index?, _) = created {
                _ = try translating { try container.execute(linkUpSteps(index: index, mtu: hint.mtu, request: request)) }
                linkReady = true
            }
            firewallPresent = Engine.firewallTableExists()
            PhaseTrace.mark("container session, firewall table probe")
            done = try prepared()
            PhaseTrace.mark("store joined")
            let stored = NetworkHint(done.network)
            if stored != hint {
                // A stale hint: the veth went to the wrong bridge or group. Redo it.
                _ = try? host().deleteLink(name: identity.hostIfname)
                NetworkHint.save(done.network, directory: done.engine.configuration.stateDirectory)
                created = try translating { try createLinks(identity, hint: stored, request: request, session: host()) }
                linkReady = false
            }
            if case .bridgeMissing = created {
                // Only recreated now that the reservation stands: a refused request changes nothing.
                try translating {
                    _ = try done.engine.realizeBridge(done.network, session: host())
                    created = try createLinks(identity, hint: stored, request: request, session: host())
                }
            }
            guard case .created(let index, let link) = created else {
                throw BerthError.system("bridge \(stored.bridge) vanished while a container was being attached")
            }
            (peerIndex, bridge) = (index, link)
        } catch {
            _ = try? host().deleteLink(name: identity.hostIfname)
            do {
                let reserved = try prepared()
                _ = try? reserved.engine.store.deleteEndpoint(id: reserved.endpoint.id)
                if reserved.createdNetwork { try? reserved.engine.removeNetworks([reserved.network.name], force: false) }
            } catch let refusal {
                throw refusal
            }
            throw translate(error)
        }
        PhaseTrace.mark("kernel: create veth, store joined")
        let engine = done.engine
        engine.adoptHost(try translating { try host() })
        engine.lastBridge = bridge
        let defaultRoute: Bool
        do {
            defaultRoute = try engine.activate(done.endpoint, container: container, peerIndex: peerIndex, linkReady: linkReady,
                                               on: done.network, request: request, firewallPresent: firewallPresent)
        } catch {
            if done.createdNetwork { try? engine.removeNetworks([done.network.name], force: false) }
            throw error
        }
        var active = done.endpoint
        active.state = .active
        return Attachment(engine: engine, endpoint: active, network: done.network,
                          defaultRoute: defaultRoute, createdNetwork: done.createdNetwork)
    }

    /// Checks a request's own fields (no state, no kernel).
    private static func validate(_ request: ConnectRequest) throws {
        try Validation.interfaceName(request.ifname)
        if let name = request.containerID { try Validation.containerName(name) }
        if let mac = request.mac, mac.isMulticast || mac.isZero {
            throw BerthError.invalidArgument("MAC \(mac) is not a unicast address")
        }
        PhaseTrace.mark("connect: start")
    }

    /// True when the veth can be created before the network is read: nothing in the request
    /// needs checking against the network first.
    private static func canUseHint(_ request: ConnectRequest) -> Bool {
        request.address == nil && request.ports.isEmpty
    }

    /// The request's network (the default one created on first use), with the request's ports
    /// and static address checked against it.
    private func network(for request: ConnectRequest) throws -> NetworkRecord {
        let network = request.network == NetworkSpec.defaultNetworkName
            ? try defaultNetwork() : try self.network(named: request.network)
        try validatePorts(request.ports, on: network)
        if let wanted = request.address {
            // Checked here too, before any kernel change (the reservation checks it for good).
            try translating { try AddressAllocator.validateStatic(wanted, subnet: network.subnet, gateway: network.gateway) }
        }
        return network
    }

    /// Steps 2 and 3 of connect: the container's address and route, published ports, and the
    /// endpoint marked active. Any failure deletes the veth and forgets the endpoint.
    private func activate(_ endpoint: EndpointRecord, container: RouteSession, peerIndex: Int32?, linkReady: Bool,
                          on network: NetworkRecord, request: ConnectRequest, firewallPresent: Bool) throws -> Bool {
        FaultPoint.connectAfterReserve.reach()
        FaultPoint.connectAfterVeth.reach()
        do {
            try ensureFirewallTable(present: firewallPresent)
            let defaultRoute = try configure(endpoint, container: container, peerIndex: peerIndex, linkReady: linkReady,
                                             on: network, request: request)
            PhaseTrace.mark("kernel: address, route")
            if !request.ports.isEmpty {
                try publishPorts(of: endpoint)
                PhaseTrace.mark("firewall: publish ports")
            }
            FaultPoint.connectBeforeActive.reach()
            // The row can be gone: a concurrent `rm --force`, `disconnect --all` or a runtime's
            // DEL after a timed-out ADD removed it meanwhile. Reporting success would leave an
            // address in the container that the store no longer reserves.
            // The namespace's cookie from the session already open in it (one getsockopt):
            // what tells this container's record from a dead one's with the same inode.
            let cookie = (try? container.namespaceCookie()) ?? 0
            guard try translating({ try store.activate(endpoint: endpoint.id, netnsCookie: cookie) }) else {
                throw BerthError.conflict("endpoint \(endpoint.id) was removed by another command while it was being connected")
            }
            PhaseTrace.mark("store: mark active")
            return defaultRoute
        } catch {
            _ = try? host().deleteLink(name: endpoint.hostIfname)
            if !request.ports.isEmpty { try? withdrawPorts([endpoint]) }
            _ = try? store.deleteEndpoint(id: endpoint.id)
            throw translate(error)
        }
    }

    /// Step 1 of connect, in the store: the lease and the intent record (`creating`), in one
    /// write transaction. Committed here, on the second thread, so its page writes overlap the
    /// kernel's work; step 3 marks the endpoint `active`.
    func reserve(_ request: ConnectRequest, on network: NetworkRecord,
                 identity: EndpointIdentity) throws -> EndpointRecord {
        try store.transaction { try reserveInTransaction(request, on: network, identity: identity) }
    }

    private func reserveInTransaction(_ request: ConnectRequest, on network: NetworkRecord,
                                      identity: EndpointIdentity) throws -> EndpointRecord {
        let ns = request.namespace
        if try store.connectedNetwork(netnsDevice: ns.device, netnsInode: ns.inode, ifname: request.ifname) != nil {
            // Rare: look closer only now. A record of a namespace that is gone (its inode now
            // this one's) is released; a live one is a conflict.
            for held in try store.endpoints(netnsDevice: ns.device, netnsInode: ns.inode, ifname: request.ifname) {
                guard try isStale(held, namespace: ns) else {
                    throw BerthError.conflict("interface \(request.ifname) of \(request.target) is already connected to network '\(held.network)'")
                }
                try releaseStale(held)
            }
        }
        if let mac = request.mac {
            // Two interfaces with one MAC on a bridge steal each other's frames.
            if mac == Engine.bridgeMAC(of: network) {
                throw BerthError.invalidArgument("MAC \(mac) is the bridge's own address on network '\(network.name)'")
            }
            if let holder = try store.endpoint(network: network.name, mac: mac) {
                throw BerthError.conflict("MAC \(mac) is already used on network '\(network.name)' by container '\(holder.containerID)' (endpoint \(holder.id))")
            }
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
            state: .creating, created: Int64(time(nil)), owner: request.owner)
        try store.insertEndpoint(record)
        try store.publishPorts(endpoint: id, request.ports)
        return record
    }

    /// What step 1 of connect did in the kernel.
    enum VethCreation {
        /// Nothing: the bridge is missing (the caller recreates it once the reservation stands).
        case bridgeMissing
        /// The pair exists: the peer's index inside the container when the kernel echoed it,
        /// and the bridge as the lookup found it.
        case created(peerIndex: Int32?, bridge: LinkInfo)
    }

    /// Step 1 of connect, in the kernel: the veth pair, the host end on the bridge, the peer in
    /// the container.
    static func createLinks(_ e: EndpointIdentity, hint: NetworkHint, request: ConnectRequest,
                            session: RouteSession) throws -> VethCreation {
        guard let bridge = try session.link(name: hint.bridge) else { return .bridgeMissing }
        var steps: [(NetlinkRequest, String)] = [
            (RouteRequests.createVeth(
                hostName: e.hostIfname, master: bridge.index, mtu: hint.mtu,
                peerName: request.ifname, peerNamespaceFD: request.namespace.fd, peerMAC: e.mac,
                group: Engine.vethGroup(ofID: hint.id), hostMAC: e.hostMAC),
             "create veth \(e.hostIfname) for \(request.ifname)"),
        ]
        // A bridge port needs no IPv6 address of its own (see `IPv6`).
        if IPv6.canSkipAddresses(mtu: hint.mtu) {
            steps.append((RouteRequests.disableIPv6AddressGeneration(name: e.hostIfname), "set \(e.hostIfname) addrgenmode none"))
        }
        steps.append((RouteRequests.setLinkUp(name: e.hostIfname), "set \(e.hostIfname) up"))
        do {
            let echoed = try session.execute(steps)
            // Kernels before 6.3 do not echo a new link: the caller then looks the peer up.
            let hostEnd = echoed.lazy.compactMap(LinkInfo.init).first { $0.name == e.hostIfname }
            return .created(peerIndex: hostEnd?.peerIndex, bridge: bridge)
        } catch let error as NetlinkError where error.alreadyExists {
            throw BerthError.conflict("interface \(request.ifname) already exists in \(request.target)")
        } catch let error as NetlinkError where error.errno == EXFULL {
            // The kernel's limit on bridge ports (BR_MAX_PORTS).
            throw BerthError.conflict("network '\(request.network)' is full: a Linux bridge takes at most 1023 containers")
        }
    }

    /// Step 2 of connect, through a session inside the container: its new link up, its address,
    /// and the default route. Returns whether the default route through the network's gateway
    /// was installed.
    private func configure(_ e: EndpointRecord, container: RouteSession, peerIndex: Int32?, linkReady: Bool,
                           on network: NetworkRecord, request: ConnectRequest) throws -> Bool {
        guard let index = try peerIndex ?? container.linkIndex(name: e.ifname) else {
            throw BerthError.system("\(e.ifname) did not appear in \(request.target)")
        }
        var steps = linkReady ? [] : Engine.linkUpSteps(index: index, mtu: network.mtu, request: request)
        steps.append((RouteRequests.addAddress(IPv4Interface(address: e.address, prefixLength: e.prefixLength), index: index),
                      "add address \(e.address)/\(e.prefixLength) to \(e.ifname)"))
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

    /// The container's new interface up (and its loopback, when asked), without an IPv6
    /// address of its own on IPv4-only networks (see `IPv6`). Needs no address, so connect
    /// sends it while the store's half may still be running.
    static func linkUpSteps(index: Int32, mtu: Int, request: ConnectRequest) -> [(NetlinkRequest, String)] {
        var steps: [(NetlinkRequest, String)] = []
        if IPv6.canSkipAddresses(mtu: mtu) {
            steps.append((RouteRequests.disableIPv6AddressGeneration(index: index), "set \(request.ifname) addrgenmode none"))
        }
        steps.append((RouteRequests.setLinkUp(index: index), "set \(request.ifname) up"))
        if request.bringUpLoopback {
            steps.append((RouteRequests.setLinkUp(index: 1), "set lo up"))
        }
        return steps
    }
}
