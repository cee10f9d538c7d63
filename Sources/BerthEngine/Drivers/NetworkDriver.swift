import BerthAddress
import BerthNetlink
import BerthStore

/// A network driver: it owns the kernel objects of its networks (a bridge, say) and of their
/// endpoints (a veth pair), and nothing else. The engine owns the transaction around it — the
/// store, the firewall, the order of the steps and every rollback — so a driver never reads or
/// writes the store, and nothing outside a driver knows which one a network uses: the engine
/// looks it up by the name each network records (``NetworkRecord/driver``).
///
/// The bridge (``BridgeDriver``) was the first, macvlan (``MacvlanDriver``) the second. A new driver
/// implements this protocol and is registered in ``EngineEnvironment/live``.
///
/// Kernel tags (device groups, aliases, interface names) are derived only from ids Berth
/// minted itself — ``NetworkRecord/id`` and ``EndpointRecord/id`` — never from ids a runtime
/// passes in.
protocol NetworkDriver: AnyObject {
    /// The name networks record (`--driver`).
    var name: String { get }
    /// Whether the network's traffic passes through the host, as a bridge's does: only then
    /// can it have firewall rules, NAT, published ports and a name service on its gateway.
    /// False for macvlan, whose containers sit on the parent's LAN beside the host.
    var routesThroughHost: Bool { get }

    // MARK: networks

    /// Fills in what a new network's spec leaves to the driver and the host (macvlan: the
    /// parent, when none is named, is the interface of the host's IPv4 default route).
    func complete(_ spec: inout NetworkSpec) throws
    /// The host device name of a new network whose spec names none.
    func deviceName(forNetworkID id: String) -> String
    /// Subnets the host already uses and nameservers it must keep reaching, for an automatic
    /// subnet choice.
    func hostSurvey(resolvConf: String) throws -> HostSurvey
    /// Refuses a planned network the host cannot take (its device name or gateway taken). A
    /// leftover of Berth's own in the way (a crashed create's device) is removed instead.
    func checkHost(for network: NetworkRecord, existing: [NetworkRecord]) throws
    /// Creates the network's kernel objects, or completes them; safe against a concurrent
    /// creator, idempotent.
    func realize(_ network: NetworkRecord) throws
    /// Deletes the network's kernel objects and every endpoint link still on it. Idempotent.
    func remove(_ network: NetworkRecord) throws
    /// As ``remove(_:)``, for a network whose record is gone, but the kernel's slow part of a
    /// device's deletion (its RCU waits, tens of milliseconds) may go to a detached child that
    /// keeps `lock` until it is done. When this returns the device is out of the way all the
    /// same: its name and addresses are free.
    func remove(_ network: NetworkRecord, handingDeletionTo lock: OperationLock) throws

    // MARK: attach

    /// Step 1 of an attach: the container's interface, made from what `hint` says of the
    /// network (possibly before the store has confirmed it). Nil when the network's device is
    /// missing (the engine realizes it once the reservation stands, then asks again).
    func plug(_ plan: PlugPlan, hint: NetworkHint) throws -> (any EndpointPlug)?
    /// Undoes ``plug(_:hint:)`` (best effort, idempotent).
    func unplug(_ plan: PlugPlan)
    /// Step 2: the container's addresses and default routes. Returns the families whose default
    /// route went through this network (not one the container already had).
    func configure(_ plug: any EndpointPlug, endpoint: EndpointRecord, network: NetworkRecord) throws -> DefaultRoutes
    /// What publishing ports needs of the endpoint's link (hairpin on a bridge port).
    func preparePorts(for endpoint: EndpointRecord) throws
    /// The interfaces of a finished attach, host side first (for CNI results).
    func interfaces(of plug: any EndpointPlug, endpoint: EndpointRecord, network: NetworkRecord)
        -> (host: [InterfaceInfo], container: InterfaceInfo)

    // MARK: detach

    /// Takes an active endpoint's link out of service at once (the container's interface gone
    /// from its name), leaving its deletion for later. Nil when that cannot be done: then
    /// ``removeLinks(of:wholeNetwork:)`` is the way.
    func retire(_ endpoint: EndpointRecord, namespace: NetworkNamespace?) -> (any RetiredLink)?
    /// Puts a retired link back (a detach whose commit failed). Best effort.
    func reinstate(_ link: any RetiredLink, network: NetworkRecord?)
    /// Deletes a retired link in the background, keeping the operation lock until done.
    func finishRetirement(_ link: any RetiredLink, lock: OperationLock)
    /// Deletes endpoints' links (missing ones are fine), with `wholeNetwork` all of that
    /// network's at once.
    func removeLinks(of endpoints: [EndpointRecord], wholeNetwork: NetworkRecord?) throws

    // MARK: state

    /// What the kernel holds of an endpoint's host side.
    func linkState(of endpoint: EndpointRecord) throws -> LinkState
    /// Deletes a link a detach retired and never finished deleting.
    func deleteRetiredLink(of endpoint: EndpointRecord)
    /// Verifies an attachment in the kernel; throws ``BerthError/notFound(_:)`` naming the
    /// first thing missing or different.
    func verify(_ endpoint: EndpointRecord, network: NetworkRecord, namespace: NetworkNamespace,
                mac: MACAddress, defaultGateway: IPv4Address?, defaultGateway6: IPv6Address?) throws
    /// Why a network's device keeps an attach from working, if it does: a device of that name
    /// that is not the driver's kind, or (`attached` > 0) a device missing under containers.
    func deviceProblem(device: String, network: NetworkRecord?, attached: Int) -> Engine.Readiness?

    // MARK: repair

    /// A look at the kernel's objects, taken before the store is read (see
    /// ``Engine/collectGarbage(dryRun:)``).
    func snapshot() throws -> any KernelSnapshot
    /// What a repair finds in `snapshot` against the store's networks and endpoints: the
    /// endpoints to release (with what was wrong) and the kernel objects to delete or
    /// recreate, which it deletes or recreates unless `dryRun`. `released` endpoints' links are
    /// the engine's to remove (with their records).
    func repair(_ snapshot: any KernelSnapshot, networks: [NetworkRecord], endpoints: [EndpointRecord],
                dryRun: Bool) throws -> KernelRepair
    /// What breaks the driver's networks on this host (missing devices, shadowing routes, an
    /// MTU larger than the uplink's, forwarding off).
    func diagnose(networks: [NetworkRecord], endpoints: [EndpointRecord]) throws -> [DoctorFinding]
}

extension NetworkDriver {
    var routesThroughHost: Bool { true }
    func complete(_ spec: inout NetworkSpec) throws {}
    /// A driver whose devices are quick to delete just deletes them.
    func remove(_ network: NetworkRecord, handingDeletionTo lock: OperationLock) throws { try remove(network) }
}

/// What an attach asks a driver to make.
struct PlugPlan {
    let endpointID: String
    let hostIfname: String
    let hostMAC: MACAddress
    let mac: MACAddress
    let ifname: String
    let namespace: NetworkNamespace
    let target: String
    let network: String
    let bringUpLoopback: Bool
}

/// The families whose default route an attach installed.
///
/// A bit set rather than `Set<IPFamily>`: a Set's first use in a process costs a generic
/// metadata set-up and a scan of every protocol conformance in the binary, on the attach path.
public struct DefaultRoutes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// An IPv4 default route.
    public static let ipv4 = DefaultRoutes(rawValue: 1)
    /// An IPv6 default route.
    public static let ipv6 = DefaultRoutes(rawValue: 2)
    /// The route of `family`.
    public init(_ family: IPFamily) { self = family == .ipv4 ? .ipv4 : .ipv6 }
}

/// A driver's record of step 1 of an attach, handed back to it for step 2.
protocol EndpointPlug: AnyObject {
    /// The container namespace's cookie (``NetworkNamespace/cookie()``), 0 if unknown.
    func namespaceCookie() -> UInt64
}

/// A driver's record of a retired link, handed back to it to reinstate or delete.
protocol RetiredLink: AnyObject {}

/// A driver's snapshot of the kernel for a repair.
protocol KernelSnapshot: AnyObject {}

/// What the kernel holds of an endpoint's host side.
enum LinkState: Equatable {
    /// The link is there, in service.
    case present
    /// A detach took it out of service and did not finish.
    case retired
    /// Gone (the container's namespace died, or someone deleted it).
    case missing
}

/// What a driver's repair found.
struct KernelRepair {
    /// Endpoints whose records must go, each with what was wrong.
    var releasedEndpoints: [(EndpointRecord, RepairAction)] = []
    /// Kernel objects deleted or recreated.
    var actions: [RepairAction] = []
}
