import BerthAddress
import BerthFirewall
import BerthIPAM
import BerthNetlink
import BerthStore
import Glibc
import Synchronization

/// The one attach path, for every front end.
///
/// An attach is two halves that run at the same time when they can:
/// - the store's: open the store, find (or create) the network, allocate the address and record
///   the endpoint as `creating` (intent), in one write transaction;
/// - the kernel's: the network's driver makes the container's interface (a veth pair, the peer
///   born in the container under its final name, the host end on the bridge).
/// The kernel's half needs the network's device, MTU and id before the store has answered: the
/// network's ``NetworkHint`` says them, and whether the network takes the request's static
/// addresses (in its subnet, not its gateway): an address the network refuses never makes an
/// interface. Without a usable hint (the first attach to a network, a static address the hint
/// cannot vouch for, ports to check against the network first) the network is read first, and
/// only the reservation overlaps the kernel's work. An address that is valid but taken is
/// refused by the reservation, and the interface made meanwhile is deleted again. Then, in
/// order: the container's address and default route, the published ports, and the endpoint
/// marked `active`.
///
/// Any failure undoes both halves (``undoAttach(_:)``): the interface deleted, the lease and
/// ports freed, a network made for this attach removed. A crash can leave an interface without
/// a record (the interface came first) or a `creating` record: `berth gc` removes both, and
/// cannot race a connect, whose operation lock it waits for.
extension Engine {
    /// Attaches a container to a network (see above) and returns what was made.
    public func connect(_ request: ConnectRequest) throws -> Attachment {
        PhaseTrace.mark("connect: start")
        try Engine.validate(request)
        try requirePrivileges()
        let namespace = try environment.openNamespace(request.target)
        // Attaching Berth's own namespace would put both ends of the veth side by side, and a
        // later disconnect would tear at the host's own interfaces.
        if try translating({ try environment.isOwnNamespace(namespace) }) {
            throw BerthError.invalidArgument("\(Validation.printable(request.target.text)) is berth's own network namespace, not a container's")
        }
        let lock = try beginOperation()
        defer { withExtendedLifetime(lock) {} }
        PhaseTrace.mark("capability check, namespace, operation lock")

        let identity = EndpointIdentity(mac: request.mac)
        let reservation = Reservation(request, namespace: namespace, identity: identity)
        let plug = PlugPlan(endpointID: identity.id, hostIfname: identity.hostIfname, hostMAC: identity.hostMAC,
                            mac: identity.mac, ifname: request.ifname, namespace: namespace,
                            target: request.target.text, network: request.network.name,
                            bringUpLoopback: request.bringUpLoopback)
        var attach = AttachState(plug: plug, ports: !request.ports.isEmpty)
        let attached: Attachment
        let saved = NetworkHint.load(network: request.network.name, directory: settings.stateDirectory)
        let known = request.ports.isEmpty && saved?.admits(address: request.address, address6: request.address6) == true ? saved : nil
        // No hint: the network is probably made by this attach (Podman's first container), so
        // its rules will be rendered; ports: they will be published. Either needs the firewall
        // loaded, which can start now, beside the store's and the kernel's work.
        if saved == nil || !request.ports.isEmpty {
            firewall(saved.flatMap { FirewallKind(rawValue: $0.firewall) } ?? .nftables).prepare()
        }
        do {
            let probe = FirewallProbeClaim()
            let storeHalf = try startStoreHalf(request.network, reservation, hinted: known != nil, probe: probe)
            attach.hint = storeHalf.network.map(NetworkHint.init) ?? known
            // The kernel's half, on this thread, while the store's may still run on the other.
            var probedHere: Bool?
            do {
                guard let hint = attach.hint else { preconditionFailure("an attach without its network") }
                let driver = try self.driver(named: hint.driver)
                attach.driver = driver
                attach.plugged = try translating { try driver.plug(plug, hint: hint) }
                if probe.claim() { probedHere = firewall(FirewallKind(rawValue: hint.firewall) ?? .nftables).health().intact }
                PhaseTrace.mark("kernel: create interface (firewall probe)")
            } catch {
                attach.kernelFailure = error
            }
            let half = try storeHalf.join()
            adoptStore(of: half.engine)
            attach.half = half
            attach.firewallIntact = probedHere ?? half.firewallIntact ?? firewall(of: half.network).health().intact
            PhaseTrace.mark("store joined")
            if let failure = attach.kernelFailure {
                // What failed may be the hint's fault (a driver or device it named wrongly):
                // then the interface is made again from the store's answer, and the hint
                // rewritten. Only a failure from a right hint is the request's.
                if let used = attach.hint, used.makesSameInterface(as: NetworkHint(half.network)) { throw failure }
                attach.driver?.unplug(plug)
                (attach.kernelFailure, attach.driver, attach.plugged) = (nil, nil, nil)
            }
            try attach.settle(engine: self)
            environment.reach(.connectAfterReserve)
            environment.reach(.connectAfterVeth)
            attached = try activate(&attach)
        } catch {
            undoAttach(attach)
            throw translate(error)
        }
        if attached.network.dns {
            announce(endpoint: attached.endpoint.id)
            if let name = request.dnsName, attached.endpoint.dnsName == nil {
                Notice.emit("the name '\(Validation.printable(name))' is not a DNS name: the container is not registered under it")
            }
        }
        return attached
    }

    /// Checks a request's own fields (no state, no kernel).
    private static func validate(_ request: ConnectRequest) throws {
        try Validation.interfaceName(request.ifname)
        if let name = request.containerID { try Validation.containerName(name) }
        for alias in request.aliases { try Validation.alias(alias) }
        if let mac = request.mac, mac.isMulticast || mac.isZero {
            throw BerthError.invalidArgument("MAC \(mac) is not a unicast address")
        }
    }

    /// Starts the store's half: on a second thread when the store is not open yet (the thread
    /// opens it, or joins a warm-up), here when this engine has it open already. `hinted`: the
    /// kernel's half can start without the network, so the whole half runs there; otherwise
    /// the network is found here first and only the reservation runs there.
    private func startStoreHalf(_ choice: NetworkChoice, _ reservation: Reservation, hinted: Bool,
                                probe: FirewallProbeClaim) throws -> StoreHalfRun {
        if openedStore != nil {
            let half = try Engine.storeHalf(self, choice, reservation, network: nil)
            NetworkHint.refresh(half.network, directory: settings.stateDirectory)
            return .finished(half)
        }
        let settings = self.settings, environment = self.environment
        if hinted {
            let warming = self.warming.take()
            return .running(SecondThread {
                let started = PhaseTrace.now()
                defer { PhaseTrace.report("store: open, look up, reserve (second thread)", since: started) }
                let store = try warming?.join(upgrading: true) ?? Engine.openStore(settings, migrating: true)
                return try Engine.storeHalf(Engine(settings: settings, environment: environment, store: store),
                                            choice, reservation, network: nil).probingFirewall(probe)
            })
        }
        // Opened here, in an engine of its own, so it can be handed to the thread whole.
        let store = try warming.take()?.join(upgrading: true) ?? Engine.openStore(settings, migrating: true)
        let opened = Engine(settings: settings, environment: environment, store: store)
        let (network, created) = try opened.resolve(choice, reservation)
        NetworkHint.refresh(network, directory: settings.stateDirectory)
        return .running(SecondThread(moving: opened) { engine in
            let started = PhaseTrace.now()
            defer { PhaseTrace.report("store: reserve address (second thread)", since: started) }
            return try Engine.storeHalf(engine, choice, reservation, network: (network, created)).probingFirewall(probe)
        }, network: network)
    }

    /// The store's half: the network (`network`, else found or created now), then the lease
    /// and the intent record. A network created here goes again if the reservation fails.
    private static func storeHalf(_ engine: Engine, _ choice: NetworkChoice, _ reservation: Reservation,
                                  network given: (NetworkRecord, Bool)?) throws -> StoreHalf {
        let (network, created) = try given ?? engine.resolve(choice, reservation)
        do {
            let endpoint = try translating { try engine.reserve(reservation, on: network) }
            return StoreHalf(engine: engine, network: network, createdNetwork: created, endpoint: endpoint)
        } catch {
            if created { engine.removeCreatedNetwork(network) }
            throw error
        }
    }

    /// The request's network (the default one, or a runtime's definition, created when
    /// missing), with the request's ports and static address checked against it.
    func resolve(_ choice: NetworkChoice, _ reservation: Reservation) throws -> (NetworkRecord, Bool) {
        let (network, created): (NetworkRecord, Bool)
        switch choice {
        case .named(let name) where name == NetworkSpec.defaultNetworkName:
            (network, created) = try ensureNetwork(NetworkSpec.defaultNetwork, checking: false)
        case .named(let name):
            (network, created) = (try record(named: name), false)
        case .defined(let spec):
            // Podman's networks: never another front end's, and a stale idle record of its own
            // replaced (see ``clearWayForPodman(_:)``). Here, so a setup's reservation still
            // overlaps the kernel's half.
            if spec.owner == .podman { _ = try clearWayForPodman(spec) }
            (network, created) = try ensureNetwork(spec, checking: true)
        }
        do {
            if reservation.frontEnd == .cni,
               let existing = try translating({ try store.endpoints(network: network.name, containerID: reservation.containerID) })
                .first(where: { $0.ifname == reservation.ifname }) {
                throw BerthError.alreadyAttached("container \(reservation.containerID) already has \(reservation.ifname) on network '\(network.name)'",
                                                 details: "endpoint \(existing.id) in \(existing.netnsPath)")
            }
            try validatePorts(reservation.ports, on: network)
            try validateStaticAddresses(reservation, on: network)
        } catch {
            if created { removeCreatedNetwork(network) }
            throw error
        }
        return (network, created)
    }

    /// The request's static addresses against the network, before any kernel change (the
    /// reservation checks them again for good, with whether they are free).
    private func validateStaticAddresses(_ reservation: Reservation, on network: NetworkRecord) throws {
        if let wanted = reservation.address {
            guard let subnet = network.subnet, let gateway = network.gateway else {
                throw BerthError.invalidArgument("network '\(network.name)' has no IPv4 subnet: --ip \(wanted) cannot be given")
            }
            try translating { try AddressAllocator.validateStatic(wanted, subnet: subnet, gateway: gateway) }
        }
        if let wanted = reservation.address6 {
            guard let subnet = network.subnet6, let gateway = network.gateway6 else {
                throw BerthError.invalidArgument("network '\(network.name)' has no IPv6 subnet: --ip6 \(wanted) needs a network created with --ipv6")
            }
            try translating { try AddressAllocator6.validateStatic(wanted, subnet: subnet, gateway: gateway) }
        }
    }

    /// Steps 2 and 3: the container's address and route, the published ports, the endpoint
    /// marked active.
    private func activate(_ attach: inout AttachState) throws -> Attachment {
        guard let half = attach.half, let driver = attach.driver, let plugged = attach.plugged else {
            preconditionFailure("activate before both halves are done")
        }
        let (network, endpoint) = (half.network, half.endpoint)
        try ensureFirewallTable(present: attach.firewallIntact)
        let defaultRoutes = try translating { try driver.configure(plugged, endpoint: endpoint, network: network) }
        environment.reach(.connectAfterAddress)
        PhaseTrace.mark("kernel: address, route")
        if attach.ports {
            try translating { try driver.preparePorts(for: endpoint) }
            try publishPorts(of: endpoint, on: network)
            PhaseTrace.mark("firewall: publish ports")
        }
        environment.reach(.connectBeforeActive)
        // The row can be gone: a concurrent `rm --force`, `disconnect --all` or a runtime's DEL
        // after a timed-out ADD removed it meanwhile. Reporting success would leave an address
        // in the container that the store no longer reserves. The namespace's cookie tells this
        // container's record from a dead one's with the same inode.
        guard try translating({ try store.activate(endpoint: endpoint.id, netnsCookie: plugged.namespaceCookie()) }) else {
            throw BerthError.conflict("endpoint \(endpoint.id) was removed by another command while it was being connected")
        }
        PhaseTrace.mark("store: mark active")
        var active = endpoint
        active.state = .active
        let interfaces = driver.interfaces(of: plugged, endpoint: active, network: network)
        return Attachment(endpoint: EndpointInfo(active), network: NetworkInfo(network), defaultRoutes: defaultRoutes,
                          hostInterfaces: interfaces.host, containerInterface: interfaces.container,
                          createdNetwork: half.createdNetwork)
    }

    /// Every rollback of an attach, in one place: the interface, the ports, the lease and
    /// record, and a network created for it. Best effort; what is left is `berth gc`'s.
    private func undoAttach(_ attach: AttachState) {
        if let driver = attach.driver { driver.unplug(attach.plug) }
        guard let half = attach.half else { return }
        if attach.ports { try? withdrawPorts([half.endpoint]) }
        _ = try? store.deleteEndpoint(id: half.endpoint.id)
        if half.createdNetwork { removeCreatedNetwork(half.network) }
    }

    /// Removes a network made for a request that then failed: a failed request changes nothing
    /// (unless another container joined the network meanwhile, which makes the removal refuse).
    /// May run on the store half's thread: its removal then holds SIGINT and SIGTERM off that
    /// thread only, and a signal taken by the first thread meanwhile ends the process half-way
    /// — which leaves a tagged bridge or a record without a bridge, both `berth gc`'s to repair.
    func removeCreatedNetwork(_ network: NetworkRecord) {
        try? removeNetworks([network.name], force: false)
    }
}

/// What the store's half needs of a request: plain values, so it can run on the second thread.
struct Reservation: Sendable {
    let endpointID: String
    let hostIfname: String
    let mac: MACAddress
    /// Whether the MAC is the request's own (then it is checked against the network's).
    let macRequested: Bool
    let ifname: String
    let containerID: String
    let target: String
    /// The container's namespace, opened once (a `Sendable` handle: only its identity is read).
    let namespace: NetworkNamespace
    let address: IPv4Address?
    let address6: IPv6Address?
    let ports: [PortMapping]
    let frontEnd: FrontEnd
    /// The container's name in the name service, when the request's is a DNS name.
    let dnsName: String?
    let aliases: [String]

    init(_ request: ConnectRequest, namespace: NetworkNamespace, identity: EndpointIdentity) {
        endpointID = identity.id
        hostIfname = identity.hostIfname
        mac = identity.mac
        macRequested = request.mac != nil
        ifname = request.ifname
        target = request.target.text
        containerID = request.containerID ?? target
        self.namespace = namespace
        address = request.address
        address6 = request.address6
        ports = request.ports
        frontEnd = request.frontEnd
        dnsName = request.dnsName.flatMap { Validation.isContainerDNSName($0) ? $0 : nil }
        var seen = Set<String>()
        aliases = request.aliases.filter { seen.insert($0.lowercased()).inserted }
    }
}

/// What the store's half produced: the engine holding the store, the network, whether it was
/// created for this attach, and the `creating` endpoint.
struct StoreHalf {
    let engine: Engine
    let network: NetworkRecord
    let createdNetwork: Bool
    let endpoint: EndpointRecord
    /// Whether the network's firewall found its rules in place, when this half made the probe
    /// (``probingFirewall(_:)``); nil when it did not.
    var firewallIntact: Bool?

    /// The half with the firewall's cheap health probe made on its thread, if the kernel's half
    /// has not claimed it yet.
    consuming func probingFirewall(_ probe: FirewallProbeClaim) -> StoreHalf {
        if probe.claim() { firewallIntact = engine.firewall(of: network).health().intact }
        return self
    }
}

/// Who makes an attach's firewall health probe (a few nfnetlink requests, 0.1–0.3 ms, needing
/// nothing of either half): whichever half finishes its own work first, so the probe fills the
/// time it would spend waiting for the other. The store's half is the longer one when it opens
/// SQLite itself (a CLI connect); the kernel's when the store was opened early (a Podman setup).
final class FirewallProbeClaim: Sendable {
    private let claimed = Atomic<Bool>(false)

    /// True for the first caller only.
    func claim() -> Bool { !claimed.exchange(true, ordering: .acquiringAndReleasing) }
}

/// The store's half, done already or running on the second thread.
enum StoreHalfRun: ~Copyable {
    case finished(StoreHalf)
    /// Running; `network` when it was found before the thread started.
    case running(SecondThread<StoreHalf>, network: NetworkRecord? = nil)

    /// The half's outcome, waiting for the thread if it runs.
    consuming func join() throws -> StoreHalf {
        switch consume self {
        case .finished(let half): return half
        case .running(let thread, _): return try thread.join()
        }
    }

    /// The network, when it is known without waiting for the thread.
    var network: NetworkRecord? {
        switch self {
        case .finished(let half): return half.network
        case .running(_, let network): return network
        }
    }
}

/// An attach in progress: what each step made, for the next step and for the rollback.
struct AttachState {
    let plug: PlugPlan
    /// Ports are published (so a rollback withdraws them).
    let ports: Bool
    var hint: NetworkHint?
    var driver: (any NetworkDriver)?
    var plugged: (any EndpointPlug)?
    var firewallIntact = true
    var kernelFailure: (any Error)?
    var half: StoreHalf?

    init(plug: PlugPlan, ports: Bool) {
        self.plug = plug
        self.ports = ports
    }

    /// Reconciles the kernel's half with the store's answer: a stale hint (the interface went to
    /// the wrong device or group) is redone on the network's real device, and a missing device
    /// is recreated — only now that the reservation stands, so a refused request changes nothing.
    mutating func settle(engine: Engine) throws {
        guard let half, let used = hint else { return }
        let stored = NetworkHint(half.network)
        // A hint that only lacks what it now carries (written by an older Berth) is rewritten
        // without redoing the interface.
        if stored != used { NetworkHint.save(half.network, directory: engine.settings.stateDirectory) }
        if !stored.makesSameInterface(as: used) || driver == nil {
            driver?.unplug(plug)
            let driver = try engine.driver(of: half.network)
            self.driver = driver
            plugged = try translating { try driver.plug(plug, hint: stored) }
            hint = stored
        }
        if plugged == nil, let driver {
            try translating {
                try driver.realize(half.network)
                plugged = try driver.plug(plug, hint: stored)
            }
        }
        guard plugged != nil else {
            throw BerthError.system("the device \(stored.device) of network '\(half.network.name)' vanished while a container was being attached")
        }
    }
}
