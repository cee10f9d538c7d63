@testable import BerthEngine
import BerthAddress
import BerthNetlink
import BerthStore
import Synchronization

/// A ``NetworkDriver`` over an in-memory ``FakeKernel``, registered as "bridge" (the name every
/// network records by default and the one `berth gc` asks for). It behaves like the bridge
/// driver where the engine depends on it — `plug` returns nil when the device is missing, a
/// second interface of one name in a namespace is refused, a namespace has one default route,
/// deleting a device's network takes its links — and can be made to fail at any step
/// (``script``). One instance serves every engine of a test, from both threads of an attach.
final class FakeNetworkDriver: NetworkDriver, Sendable {
    /// The driver's steps, for failures, hooks and the call record.
    enum Step: Hashable, Sendable {
        case hostSurvey, checkHost, realize, remove
        case plug, unplug, configure, preparePorts
        case retire, reinstate, finishRetirement, removeLinks
        case linkState, deleteRetiredLink, snapshot, repair
    }

    let name = "bridge"
    /// Failures, hooks and the calls seen.
    let script = StepScript<Step>()
    private let model: Mutex<FakeKernel>
    /// When set, ``retire(_:namespace:)`` cannot retire (like a container end that cannot be
    /// reached): detaches take the synchronous path.
    private let retiring = Atomic<Bool>(true)
    /// What ``hostSurvey(resolvConf:)`` finds (nothing, unless a test says so).
    private let survey = Mutex(HostSurvey())

    init(kernel: FakeKernel = FakeKernel()) {
        model = Mutex(kernel)
    }

    /// A copy of the kernel as it is now.
    var kernel: FakeKernel { model.withLock { $0 } }

    /// Changes the kernel behind the engine's back (a device deleted by someone else, say).
    func changeKernel(_ change: (inout FakeKernel) -> Void) {
        model.withLock { change(&$0) }
    }

    /// Makes retire work (the default) or return nil.
    func canRetire(_ can: Bool) { retiring.store(can, ordering: .relaxed) }

    /// The link of `plug` (a ``FakePlug``).
    final class FakePlug: EndpointPlug {
        let hostIfname: String
        init(hostIfname: String) { self.hostIfname = hostIfname }
        /// 0, "unknown": a real cookie needs a real namespace, and 0 makes the engine fall back
        /// to the link's state to tell a dead container's record (``LinkState``).
        func namespaceCookie() -> UInt64 { 0 }
    }

    /// A retired link and what it was before, to reinstate it.
    final class FakeRetired: RetiredLink {
        let hostIfname: String
        let before: FakeKernel.Link
        let hadDefaultRoute: Bool
        init(hostIfname: String, before: FakeKernel.Link, hadDefaultRoute: Bool) {
            self.hostIfname = hostIfname
            self.before = before
            self.hadDefaultRoute = hadDefaultRoute
        }
    }

    /// A copy of the kernel, for a repair.
    final class FakeSnapshot: KernelSnapshot {
        let kernel: FakeKernel
        init(_ kernel: FakeKernel) { self.kernel = kernel }
    }

    // MARK: networks

    func deviceName(forNetworkID id: String) -> String { "fk" + id.prefix(10) }

    func hostSurvey(resolvConf: String) throws -> HostSurvey {
        try script.enter(.hostSurvey)
        return survey.withLock { $0 }
    }

    /// Makes the host's addresses and routes use `prefixes` (what an automatic IPv6 subnet avoids).
    func occupy6(_ prefixes: [IPv6Subnet]) { survey.withLock { $0.occupied6 = prefixes } }

    func checkHost(for network: NetworkRecord, existing: [NetworkRecord]) throws {
        try script.enter(.checkHost)
        if model.withLock({ $0.devices[network.bridge] }) != nil {
            throw BerthError.conflict("interface \(network.bridge) already exists")
        }
    }

    func realize(_ network: NetworkRecord) throws {
        try script.enter(.realize)
        model.withLock { kernel in
            if kernel.devices[network.bridge] == nil {
                kernel.devices[network.bridge] = FakeKernel.Device(networkID: network.id, mtu: network.mtu)
            }
        }
    }

    func remove(_ network: NetworkRecord) throws {
        try script.enter(.remove)
        model.withLock { kernel in
            for (name, link) in kernel.links where link.device == network.bridge || link.networkID == network.id {
                kernel.deleteLink(name)
            }
            kernel.devices[network.bridge] = nil
        }
    }

    // MARK: attach

    func plug(_ plan: PlugPlan, hint: NetworkHint) throws -> (any EndpointPlug)? {
        try script.enter(.plug)
        let namespace = NamespaceKey(device: plan.namespace.device, inode: plan.namespace.inode)
        return try model.withLock { kernel -> (any EndpointPlug)? in
            guard kernel.devices[hint.device] != nil else { return nil }
            if kernel.link(named: plan.ifname, in: namespace) != nil || kernel.links[plan.hostIfname] != nil {
                throw BerthError.conflict("interface \(plan.ifname) already exists in \(plan.target)")
            }
            kernel.links[plan.hostIfname] = FakeKernel.Link(
                endpointID: plan.endpointID, device: hint.device, networkID: hint.id, state: .present,
                namespace: namespace, name: plan.ifname, mac: plan.mac)
            return FakePlug(hostIfname: plan.hostIfname)
        }
    }

    func unplug(_ plan: PlugPlan) {
        try? script.enter(.unplug)
        model.withLock { $0.deleteLink(plan.hostIfname) }
    }

    func configure(_ plug: any EndpointPlug, endpoint e: EndpointRecord, network: NetworkRecord) throws -> DefaultRoutes {
        try script.enter(.configure)
        guard let plug = plug as? FakePlug else { preconditionFailure("a plug of another driver") }
        return try model.withLock { kernel in
            guard var link = kernel.links[plug.hostIfname] else {
                throw BerthError.system("\(e.ifname) did not appear in \(e.target)")
            }
            link.address = e.interface
            link.address6 = e.interface6
            kernel.links[plug.hostIfname] = link
            var routes = DefaultRoutes()
            guard !network.isInternal else { return routes }
            if e.address != nil, kernel.defaultRoutes[link.namespace] == nil {
                kernel.defaultRoutes[link.namespace] = plug.hostIfname
                routes.insert(.ipv4)
            }
            if e.address6 != nil, kernel.defaultRoutes6[link.namespace] == nil {
                kernel.defaultRoutes6[link.namespace] = plug.hostIfname
                routes.insert(.ipv6)
            }
            return routes
        }
    }

    func preparePorts(for endpoint: EndpointRecord) throws {
        try script.enter(.preparePorts)
        model.withLock { $0.links[endpoint.hostIfname]?.hairpin = true }
    }

    func interfaces(of plug: any EndpointPlug, endpoint e: EndpointRecord, network n: NetworkRecord)
        -> (host: [InterfaceInfo], container: InterfaceInfo) {
        let mtu = n.mtu > 0 ? n.mtu : 1500
        return ([InterfaceInfo(name: n.bridge, mac: nil, mtu: mtu),
                 InterfaceInfo(name: e.hostIfname, mac: EndpointIdentity.hostMAC(ofEndpoint: e.id), mtu: mtu)],
                InterfaceInfo(name: e.ifname, mac: e.mac, mtu: mtu))
    }

    // MARK: detach

    func retire(_ e: EndpointRecord, namespace: NetworkNamespace?) -> (any RetiredLink)? {
        guard (try? script.enter(.retire)) != nil, retiring.load(ordering: .relaxed) else { return nil }
        return model.withLock { kernel -> (any RetiredLink)? in
            guard var link = kernel.links[e.hostIfname], link.state == .present else { return nil }
            let retired = FakeRetired(hostIfname: e.hostIfname, before: link,
                                      hadDefaultRoute: kernel.defaultRoutes[link.namespace] == e.hostIfname)
            link.state = .retired
            link.name = "bd" + e.id.prefix(12)
            kernel.links[e.hostIfname] = link
            // The container end goes down: its routes go with it.
            if retired.hadDefaultRoute { kernel.defaultRoutes[link.namespace] = nil }
            return retired
        }
    }

    func reinstate(_ link: any RetiredLink, network: NetworkRecord?) {
        try? script.enter(.reinstate)
        guard let r = link as? FakeRetired else { return }
        model.withLock { kernel in
            kernel.links[r.hostIfname] = r.before
            if r.hadDefaultRoute, kernel.defaultRoutes[r.before.namespace] == nil {
                kernel.defaultRoutes[r.before.namespace] = r.hostIfname
            }
        }
    }

    func finishRetirement(_ link: any RetiredLink, lock: OperationLock) {
        try? script.enter(.finishRetirement)
        guard let r = link as? FakeRetired else { return }
        model.withLock { $0.deleteLink(r.hostIfname) }
    }

    func removeLinks(of endpoints: [EndpointRecord], wholeNetwork: NetworkRecord?) throws {
        try script.enter(.removeLinks)
        model.withLock { kernel in
            if let whole = wholeNetwork {
                for (name, link) in kernel.links where link.networkID == whole.id { kernel.deleteLink(name) }
            }
            for e in endpoints { kernel.deleteLink(e.hostIfname) }
        }
    }

    // MARK: state

    func linkState(of endpoint: EndpointRecord) throws -> LinkState {
        try script.enter(.linkState)
        return model.withLock { $0.links[endpoint.hostIfname]?.state ?? .missing }
    }

    func deleteRetiredLink(of endpoint: EndpointRecord) {
        try? script.enter(.deleteRetiredLink)
        model.withLock { kernel in
            if kernel.links[endpoint.hostIfname]?.state == .retired { kernel.deleteLink(endpoint.hostIfname) }
        }
    }

    func verify(_ endpoint: EndpointRecord, network: NetworkRecord, namespace: NetworkNamespace,
                mac: MACAddress, defaultGateway: IPv4Address?, defaultGateway6: IPv6Address?) throws {
        guard let link = kernel.links[endpoint.hostIfname], link.state == .present, link.device == network.bridge else {
            throw BerthError.notFound("host veth \(endpoint.hostIfname) is missing")
        }
        guard link.mac == mac else { throw BerthError.notFound("interface \(endpoint.ifname) has MAC \(link.mac), expected \(mac)") }
    }

    func deviceProblem(device: String, network: NetworkRecord?, attached: Int) -> Engine.Readiness? {
        let present = kernel.devices[device] != nil
        if network == nil { return present ? .unavailable("interface \(device) exists") : nil }
        return !present && attached > 0 ? .degraded("bridge \(device) is missing") : nil
    }

    // MARK: repair

    func snapshot() throws -> any KernelSnapshot {
        try script.enter(.snapshot)
        return FakeSnapshot(kernel)
    }

    /// As the bridge driver repairs: active endpoints whose link is retired or gone are
    /// released; links no endpoint owns, and devices of networks that are gone, are deleted;
    /// missing devices of stored networks are made again.
    func repair(_ snapshot: any KernelSnapshot, networks: [NetworkRecord], endpoints: [EndpointRecord],
                dryRun: Bool) throws -> KernelRepair {
        try script.enter(.repair)
        guard let seen = (snapshot as? FakeSnapshot)?.kernel else { preconditionFailure("a snapshot of another driver") }
        var repair = KernelRepair()
        for e in endpoints where e.state == .active && seen.links[e.hostIfname]?.state != .present {
            repair.releasedEndpoints.append((e, RepairAction(kind: "endpoint", description: "released \(e.id)")))
        }
        let owned = Set(endpoints.map(\.hostIfname))
        let stray = seen.links.keys.filter { !owned.contains($0) }.sorted()
        let networkIDs = Set(networks.map(\.id))
        let orphans = seen.devices.filter { !networkIDs.contains($0.value.networkID) }.keys.sorted()
        let missing = networks.filter { seen.devices[$0.bridge] == nil }
        repair.actions += stray.map { RepairAction(kind: "link", description: "deleted stray link \($0)") }
        repair.actions += orphans.map { RepairAction(kind: "bridge", description: "deleted device \($0)") }
        repair.actions += missing.map { RepairAction(kind: "bridge", description: "recreated device \($0.bridge)") }
        guard !dryRun else { return repair }
        model.withLock { kernel in
            for name in stray { kernel.deleteLink(name) }
            for name in orphans { kernel.devices[name] = nil }
            for n in missing { kernel.devices[n.bridge] = FakeKernel.Device(networkID: n.id, mtu: n.mtu) }
        }
        return repair
    }

    func diagnose(networks: [NetworkRecord], endpoints: [EndpointRecord]) throws -> [DoctorFinding] { [] }
}
