import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// The macvlan driver: a network is a subnet of the LAN behind a host interface (its *parent*),
/// an endpoint a macvlan on that parent, born inside the container under its final name — the
/// container sits on the LAN with its own MAC, next to the host rather than behind it.
///
/// A network has no kernel object of its own: the parent is the user's, must exist (and be up)
/// when the network is created, and is never changed or deleted. The store's `bridge` column
/// (unique, not null) holds a Berth-internal name that can never be a device
/// (``internalName(ofNetworkID:)``). Traffic does not pass the host: no firewall rules, no
/// NAT, no published ports, no name service (``routesThroughHost``); the gateway is a router
/// on the parent's LAN, never an address of the host. Each endpoint's link lives only in its
/// container, so there is nothing on the host for `berth gc` to sweep (it looks into the
/// containers of its records instead), and a container's death takes its macvlan with it.
/// A macvlan made by an attach that crashed before it was recorded stays in its container
/// until the container ends: no record leads to it.
final class MacvlanDriver: NetworkDriver {
    /// The name macvlan networks record.
    static let driverName = "macvlan"
    let name = MacvlanDriver.driverName
    let routesThroughHost = false
    private var session: RouteSession?
    /// The links this driver made for attaches still in progress: endpoint id → the link's
    /// index in its container (0 until it is looked up). ``unplug(_:)`` deletes only these,
    /// never an interface that was there before (a clash on its name fails ``plug(_:hint:)``
    /// without adding one).
    var plugged: [String: Int32] = [:]

    init() {}

    /// Uses `session` (opened in the host namespace) for this driver's host requests.
    init(session: RouteSession) { self.session = session }

    /// The netlink session in Berth's own (host) namespace, opened on first use.
    func host() throws -> RouteSession {
        if let session { return session }
        let opened = try RouteSession()
        session = opened
        return opened
    }

    /// What a macvlan network records in the store's `bridge` column: `mv:` and 12 hex digits of
    /// its id. A colon is never part of an interface name (the kernel refuses one), so nothing
    /// can take it for a device, and it is unique as the id is.
    static func internalName(ofNetworkID id: String) -> String { "mv:" + id.prefix(12) }

    func deviceName(forNetworkID id: String) -> String { Self.internalName(ofNetworkID: id) }

    /// No parent named (Podman's empty `network_interface`): the interface of the host's IPv4
    /// default route, as netavark does. Podman's networks get no name service, as netavark
    /// gives a macvlan network none whatever `dns_enabled` says (the CLI and CNI refuse one).
    func complete(_ spec: inout NetworkSpec) throws {
        if spec.owner == .podman { spec.dns = false }
        guard spec.parent?.isEmpty ?? true else { return }
        let session = try host()
        let route = try session.routes().filter { $0.table == UInt32(RouteField.tableMain) && $0.destination.prefixLength == 0 }
            .min { $0.metric < $1.metric }
        guard let index = route?.outputIndex, let link = try session.links().first(where: { $0.index == index }) else {
            throw BerthError.invalidArgument("macvlan network '\(spec.name)' needs a parent interface (--parent): the host has no IPv4 default route to take it from")
        }
        spec.parent = link.name
    }

    func hostSurvey(resolvConf: String) throws -> HostSurvey {
        // Only asked for when a subnet is to be chosen: the LAN's subnet is the LAN's, not
        // Berth's to pick from its pools.
        throw BerthError.invalidArgument("a macvlan network needs --subnet: the subnet of the parent's LAN (Berth does not choose one)")
    }

    func checkHost(for network: NetworkRecord, existing: [NetworkRecord]) throws {
        let options = try MacvlanOptions(network)
        if network.bridge != Self.internalName(ofNetworkID: network.id) {
            throw BerthError.invalidArgument("a macvlan network has no bridge: --bridge cannot be given")
        }
        if network.dns {
            throw BerthError.invalidArgument("a macvlan network has no name service (its traffic does not pass the host): create it with --dns=false")
        }
        if network.firewall != "none" {
            throw BerthError.invalidArgument("a macvlan network takes no firewall rules (its traffic does not pass the host): leave out --firewall")
        }
        _ = try parentLink(options.parent, network: network.name)
        // Passthru's one endpoint per parent is the kernel's to enforce, at attach: two
        // passthru networks on one parent work as long as their containers take turns.
    }

    /// The parent, checked: it exists in Berth's namespace, is up and can carry macvlans.
    func parentLink(_ parent: String, network: String) throws -> LinkInfo {
        guard let link = try host().link(name: parent) else {
            throw BerthError.notFound("parent interface \(parent) of macvlan network '\(network)' does not exist")
        }
        if link.name == "lo" || link.flags & 0x8 != 0 /* IFF_LOOPBACK */ {
            throw BerthError.invalidArgument("parent interface \(parent) is a loopback device: a macvlan needs an Ethernet device")
        }
        guard link.isUp else {
            throw BerthError.environment("parent interface \(parent) of macvlan network '\(network)' is down (ip link set \(parent) up)")
        }
        return link
    }

    func realize(_ network: NetworkRecord) throws {
        // Nothing to make: the parent must be there (and up), and is the user's.
        _ = try parentLink(try MacvlanOptions(network).parent, network: network.name)
    }

    func remove(_ network: NetworkRecord) throws {
        // The network owns no kernel object, and its endpoints' links are deleted with their
        // records (``removeLinks(of:wholeNetwork:)``) before the engine gets here.
    }

    func preparePorts(for endpoint: EndpointRecord) throws {
        throw BerthError.invalidArgument("network '\(endpoint.network)' is a macvlan network: its traffic does not pass the host, so no ports can be published on it")
    }

    func deviceProblem(device: String, network: NetworkRecord?, attached: Int) -> Engine.Readiness? {
        guard let network, let options = try? MacvlanOptions(network) else { return nil }
        let link: LinkInfo?
        do { link = try host().link(name: options.parent) } catch { return .unavailable("netlink: \(error)") }
        guard let link else {
            return .unavailable("parent interface \(options.parent) of macvlan network '\(network.name)' does not exist")
        }
        if !link.isUp {
            return .degraded("parent interface \(options.parent) of macvlan network '\(network.name)' is down")
        }
        return nil
    }
}
