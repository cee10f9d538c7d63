import BerthAddress
import BerthFirewall
import BerthNetlink

/// What an engine works with beneath it: the network drivers, the firewall drivers, the
/// privileges it holds and how it opens a container's namespace. ``live`` is this host;
/// engine tests inject fakes, so every transaction and rollback runs without root.
struct EngineEnvironment: Sendable {
    /// The driver registered under a name, or nil for an unknown one.
    var makeDriver: @Sendable (String) -> (any NetworkDriver)?
    /// The firewall driver of a kind.
    var makeFirewall: @Sendable (FirewallKind) -> any FirewallDriver
    /// Whether the process holds CAP_NET_ADMIN.
    var hasNetAdmin: @Sendable () -> Bool
    /// Opens a target's network namespace.
    var openNamespace: @Sendable (Target) throws -> NetworkNamespace
    /// Whether a namespace is Berth's own (never a container's).
    var isOwnNamespace: @Sendable (NetworkNamespace) throws -> Bool
    /// The host's own addresses (a port can only be published on one of them).
    var localAddresses: @Sendable () throws -> [IPAddress]
    /// Called at each ``FaultPoint`` an operation passes: on this host, the crash that
    /// `BERTH_FAULT` arms; in engine tests, a snapshot of what a crash there would leave.
    var reach: @Sendable (FaultPoint) -> Void
    /// The name service of a state directory (``DNSControlClient`` on this host).
    var makeNameService: @Sendable (String) -> any NameService

    /// The drivers a network can record.
    static let driverNames = ["bridge", "macvlan", "overlay"]

    /// This host: the bridge, macvlan and overlay drivers, nftables or no firewall, the process's capabilities and
    /// namespace files.
    static let live = EngineEnvironment(
        makeDriver: { name in
            switch name {
            case "bridge": return BridgeDriver()
            case "macvlan": return MacvlanDriver()
            case "overlay": return OverlayDriver()
            default: return nil
            }
        },
        makeFirewall: { kind in kind.makeDriver() },
        hasNetAdmin: { Capabilities.hasNetAdmin() },
        openNamespace: { target in try Namespaces.open(target) },
        isOwnNamespace: { namespace in namespace.isSame(as: try NetworkNamespace.current()) },
        localAddresses: {
            let session = try RouteSession()
            return try session.addresses().map { .v4($0.address.address) } + session.addresses6().map { .v6($0.address.address) }
        },
        reach: { point in point.reach() },
        makeNameService: { directory in DNSControlClient(stateDirectory: directory) })
}

/// Opening a target's namespace, with one-line errors that name what is wrong with it.
enum Namespaces {
    static func open(_ target: Target) throws -> NetworkNamespace {
        do {
            switch target {
            case .user(let text): return try NetworkNamespace.resolve(target: text)
            case .path(let path): return try NetworkNamespace(path: path)
            case .created(let made): return made.namespace
            }
        } catch let e as NamespaceError {
            switch (target, e) {
            case (.user, .notANamespace), (.user, .notANetworkNamespace): throw BerthError.invalidArgument(e.description)
            case (.user, _): throw BerthError.notFound(e.description)
            default: throw BerthError.target(e.description)
            }
        }
    }
}
