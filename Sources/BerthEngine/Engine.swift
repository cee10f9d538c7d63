import BerthAddress
import BerthFirewall
import BerthIPAM
import BerthNetlink
import BerthStore

/// Settings an engine runs with; front ends fill it from flags and the environment.
public struct EngineConfiguration: Sendable {
    /// Where the SQLite store lives.
    public var stateDirectory: String
    /// Pools automatic subnets are carved from; nil for ``poolList``, else ``AddressPool/defaults``.
    public var pools: [AddressPool]?
    /// The `BERTH_POOLS` text (`CIDR:PREFIX,…`), parsed only when a subnet is chosen: every other
    /// command, connect above all, starts without it.
    public var poolList: String?
    /// The resolver configuration whose nameservers subnets must not hide.
    public var resolvConfPath: String

    public init(stateDirectory: String, pools: [AddressPool]? = nil, poolList: String? = nil,
                resolvConfPath: String = "/etc/resolv.conf") {
        self.stateDirectory = stateDirectory
        self.pools = pools
        self.poolList = poolList
        self.resolvConfPath = resolvConfPath
    }

    /// The pools in effect: ``pools``, else ``poolList`` parsed, else the defaults.
    func resolvedPools() throws -> [AddressPool] {
        if let pools { return pools }
        guard let poolList else { return AddressPool.defaults }
        do {
            return try AddressPool.parseList(poolList)
        } catch {
            throw BerthError.invalidArgument("BERTH_POOLS: \(error)")
        }
    }
}

/// The engine: networks and endpoints as transactions over the store, the kernel and the
/// firewall. Every front end (CLI, CNI) only translates its input into calls here.
///
/// Kernel handles are opened lazily, so read-only commands never touch netlink or nftables.
public final class Engine {
    /// The persistent state.
    public let store: Store
    let configuration: EngineConfiguration
    private var cachedHost: RouteSession?
    private var cachedFirewall: Firewall?
    /// The bridge as the last connect found it in the kernel (see ``hostLink(name:)``).
    var lastBridge: LinkInfo?

    /// Opens the store in the configured state directory. With `migrating` false, a store whose
    /// schema needs upgrading is left alone and the open fails instead. With
    /// `deferringCheckpoints`, the store's WAL is checkpointed after the command rather than
    /// during it: the caller ends with ``finish()`` (see ``Store/init(directory:migrating:deferringCheckpoints:)``).
    public init(configuration: EngineConfiguration, migrating: Bool = true, deferringCheckpoints: Bool = false) throws {
        self.configuration = configuration
        do {
            store = try Store(directory: configuration.stateDirectory, migrating: migrating,
                              deferringCheckpoints: deferringCheckpoints)
        } catch StoreError.unsafeStateDirectory(let message) {
            throw BerthError.permissionDenied(message)
        } catch {
            throw BerthError.system("cannot open state in \(configuration.stateDirectory): \(error)")
        }
    }

    /// Ends the engine's use of the store (see ``Store/finish()``): for a front end whose
    /// command is done, right before it exits. The engine must not be used afterwards.
    public func finish() {
        store.finish()
    }

    /// The alias (`IFLA_IFALIAS`) prefix on every bridge Berth creates, followed by the network id.
    static let bridgeAliasPrefix = "berth:"

    /// The device group of a network's host veths: a Berth marker in the top byte and 24 bits of
    /// the network id, so `rm --force` and `disconnect --all` delete them in one request.
    static func vethGroup(of network: NetworkRecord) -> UInt32 {
        vethGroup(ofID: network.id)
    }

    /// The group for a network id (creation picks ids whose groups are unique among networks).
    static func vethGroup(ofID id: String) -> UInt32 {
        0xBE00_0000 | UInt32(truncatingIfNeeded: (Hex.decode(id) ?? 0) & 0xFF_FFFF)
    }

    /// True when `group` is one of Berth's veth groups (the marker in the top byte).
    static func isVethGroup(_ group: UInt32) -> Bool { group & 0xFF00_0000 == 0xBE00_0000 }

    /// The group a detach moves a host veth to while its deletion is pending (see
    /// ``detachEndpoint(_:namespace:lock:)``): the veth group with another marker, so the veth no
    /// longer goes with its network's group and `berth gc` knows it as one to finish deleting.
    static func retiredGroup(of vethGroup: UInt32) -> UInt32 { 0xBD00_0000 | (vethGroup & 0xFF_FFFF) }

    /// True when `group` marks a host veth whose detach took it out of service.
    static func isRetiredGroup(_ group: UInt32) -> Bool { group & 0xFF00_0000 == 0xBD00_0000 }

    /// A netlink session in Berth's own (host) namespace.
    func host() throws -> RouteSession {
        if let cachedHost { return cachedHost }
        let session = try RouteSession()
        cachedHost = session
        return session
    }

    /// Uses `session` (opened in the host namespace before this engine existed) as the host
    /// session, unless one is already open.
    func adoptHost(_ session: RouteSession) {
        if cachedHost == nil { cachedHost = session }
    }

    /// The nftables adapter.
    func firewall() throws -> Firewall {
        if let cachedFirewall { return cachedFirewall }
        let fw = try Firewall()
        cachedFirewall = fw
        return fw
    }

    /// Makes the firewall match the stored networks. Callers hold the store's write lock, so two
    /// processes never render from different snapshots and overwrite each other.
    func synchronizeFirewall() throws {
        let networks = try store.networks().map(FirewallNetwork.init)
        let ports = try store.ports().map(PortElement.init)
        do {
            try NftablesFirewall(loaded: firewall()).synchronize(networks, ports: ports)
        } catch {
            throw BerthError.system("cannot update firewall: \(error)")
        }
    }
}

extension FirewallNetwork {
    init(_ n: NetworkRecord) {
        self.init(id: n.id, name: n.name, bridge: n.bridge, subnet: n.subnet, masquerade: n.masquerade, isInternal: n.isInternal,
                  icc: n.icc, isolated: n.isolated)
    }
}

/// Maps lower-layer errors into one-line user errors.
func translate(_ error: Error) -> Error {
    switch error {
    case let e as BerthError: return e
    case let e as NetlinkError where e.permissionDenied:
        return BerthError.permissionDenied("\(e.description) — berth needs root (CAP_NET_ADMIN)")
    case let e as NetlinkError: return BerthError.system(e.description)
    case let e as NamespaceError:
        return BerthError.notFound(e.description)
    case let e as StoreError:
        if case .conflict(let m) = e { return BerthError.conflict(m) }
        return BerthError.system("state store: \(e)")
    case let e as IPAMError: return BerthError.invalidArgument(e.description)
    default: return BerthError.system("\(error)")
    }
}

/// Runs `body`, translating any error into a ``BerthError``.
func translating<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw translate(error) }
}

/// A random 64-bit value for ids and MACs.
func randomUInt64() -> UInt64 {
    var g = SystemRandomNumberGenerator()
    return g.next()
}
