import BerthAddress
import BerthFirewall
import BerthIPAM
import BerthNetlink
import BerthStore

/// The engine: networks and endpoints as transactions over the store, a network driver per
/// network and a firewall driver. Front ends (CLI, CNI) translate their input into calls here
/// and print what comes back; they never see the store, netlink or nftables.
///
/// Creating an engine opens nothing: the store is opened on first use (or ahead of it, on a
/// second thread, by ``warmUp()``), kernel sessions and libnftables when a step needs them, so
/// read-only commands never touch netlink or nftables. A command ends with ``close()``.
public final class Engine {
    /// Where the state lives and what may be chosen from.
    public let settings: EngineSettings
    /// The kernel, firewall and privileges this engine works with.
    let environment: EngineEnvironment
    var openedStore: Store?
    // The drivers and firewalls made so far: a few at most, so arrays searched in order. (A
    // dictionary's first use in a process costs a generic metadata set-up and a scan of every
    // protocol conformance in the binary, ~0.1 ms each: more than a whole attach's lookups.)
    private var drivers: [(name: String, driver: any NetworkDriver)] = []
    private var firewalls: [(kind: FirewallKind, firewall: any FirewallDriver)] = []
    /// A store being opened on a second thread (``warmUp()``), until something needs it.
    var warming: StoreOpening?
    /// The name service, made on first use.
    private var madeNameService: (any NameService)?

    /// The name service of this engine's state directory.
    var nameService: any NameService {
        if let madeNameService { return madeNameService }
        let made = environment.makeNameService(settings.stateDirectory)
        madeNameService = made
        return made
    }

    /// An engine for `settings`, on this host's kernel.
    public convenience init(settings: EngineSettings) {
        self.init(settings: settings, environment: .live)
    }

    /// An engine for `settings` over `environment` (engine tests inject fakes here).
    init(settings: EngineSettings, environment: EngineEnvironment) {
        self.settings = settings
        self.environment = environment
    }

    /// An engine holding an already opened store (the attach's store half hands one back).
    init(settings: EngineSettings, environment: EngineEnvironment, store: Store) {
        self.settings = settings
        self.environment = environment
        openedStore = store
    }

    /// The store, opened on first use (joining a warm-up, if one runs).
    var store: Store {
        get throws {
            if let openedStore { return openedStore }
            let opened: Store
            if let warming = warming.take() {
                opened = try warming.join(upgrading: true)
            } else {
                opened = try Engine.openStore(settings, migrating: true)
            }
            openedStore = opened
            return opened
        }
    }

    /// Starts opening the store on a second thread, so a command that first decodes and checks
    /// its input (a CNI ADD) finds it open. Only an existing store is opened this way, and one
    /// whose schema needs upgrading is left to the first use: bad input must change nothing.
    public func warmUp() {
        guard openedStore == nil, warming == nil else { return }
        warming = StoreOpening.start(settings)
    }

    /// Ends the command's use of the store: its deferred WAL checkpoint runs now, in a detached
    /// child (see ``Store/finish()``). Call it once, from the process's only thread, right
    /// before the front end exits; the engine must not be used afterwards.
    public func close() {
        openedStore?.finish()
        openedStore = nil
    }

    /// Opens the store in the settings' directory; every command defers the WAL checkpoint to
    /// ``close()``. With `migrating` false, a store whose schema needs upgrading is left alone
    /// and the open fails instead.
    static func openStore(_ settings: EngineSettings, migrating: Bool) throws -> Store {
        do {
            return try Store(directory: settings.stateDirectory, migrating: migrating, deferringCheckpoints: true)
        } catch StoreError.unsafeStateDirectory(let message) {
            throw BerthError.state(message)
        } catch {
            throw BerthError.state("cannot open state in \(settings.stateDirectory): \(error)")
        }
    }

    /// Takes over the store another engine opened (the attach's store half, on its thread).
    func adoptStore(of other: Engine) {
        if let store = other.openedStore.take() { openedStore = store }
    }

    /// The driver of networks that record `name`.
    func driver(named name: String) throws -> any NetworkDriver {
        if let made = drivers.first(where: { $0.name == name }) { return made.driver }
        guard let driver = environment.makeDriver(name) else {
            throw BerthError.invalidArgument("network driver '\(Validation.printable(name))' is not one of: \(EngineEnvironment.driverNames.joined(separator: ", "))")
        }
        drivers.append((name, driver))
        return driver
    }

    /// The registered drivers this engine's environment provides (engine tests' may lack some),
    /// for the commands that go through every driver (gc, doctor).
    func availableDrivers() -> [(String, any NetworkDriver)] {
        EngineEnvironment.driverNames.compactMap { name in (try? driver(named: name)).map { (name, $0) } }
    }

    /// The driver of `network`.
    func driver(of network: NetworkRecord) throws -> any NetworkDriver {
        try driver(named: network.driver)
    }

    /// The firewall of networks that record `kind`.
    func firewall(_ kind: FirewallKind) -> any FirewallDriver {
        if let made = firewalls.first(where: { $0.kind == kind }) { return made.firewall }
        let made = environment.makeFirewall(kind)
        firewalls.append((kind, made))
        return made
    }

    /// The firewall of `network` (an unknown name, from a newer Berth, is treated as nftables).
    func firewall(of network: NetworkRecord) -> any FirewallDriver {
        firewall(FirewallKind(rawValue: network.firewall) ?? .nftables)
    }

    /// Makes every firewall match the stored networks. Callers hold the store's write lock, so two
    /// processes never render from different snapshots and overwrite each other.
    func synchronizeFirewall() throws {
        let networks = try store.networks()
        let ports = try store.ports()
        for kind in FirewallKind.allCases {
            // An addressless network has no rules: nothing of it to NAT, publish or isolate.
            let mine = networks.filter { (FirewallKind(rawValue: $0.firewall) ?? .nftables) == kind && !$0.isAddressless }
            let names = Set(mine.map(\.name))
            let firewall = firewall(kind)
            if mine.isEmpty {
                // A firewall none of the networks uses is left alone (a host with only
                // `--firewall none` networks may not even have libnftables), unless Berth's
                // leftovers are there to remove: its table, or its accept rule beside Docker.
                let health = firewall.health()
                if !health.tablePresent && !health.dockerAcceptPresent { continue }
            }
            do {
                try firewall.synchronize(mine.map(FirewallNetwork.init),
                                         ports: ports.filter { names.contains($0.network) }.flatMap(PortElement.elements))
            } catch {
                throw BerthError.system("cannot update firewall: \(error)")
            }
        }
    }

    /// Throws unless the caller holds CAP_NET_ADMIN.
    func requirePrivileges() throws {
        guard environment.hasNetAdmin() else {
            throw BerthError.permissionDenied("berth needs root (CAP_NET_ADMIN) to change the network; run it with sudo")
        }
    }
}

extension FirewallNetwork {
    init(_ n: NetworkRecord) {
        self.init(id: n.id, name: n.name, bridge: n.bridge, subnet: n.subnet, subnet6: n.subnet6,
                  masquerade: n.masquerade, masquerade6: n.masquerade6,
                  isInternal: n.isInternal, icc: n.icc, isolated: n.isolated,
                  dns: n.dns, gateway: n.gateway, gateway6: n.gateway6,
                  overlay: n.driver == OverlayDriver.driverName
                      ? (try? OverlayOptions(n)).map { FirewallOverlay(device: OverlayDriver.vxlanName(forNetworkID: n.id), subnet: $0.definition.subnet) }
                      : nil)
    }
}

extension PortElement {
    /// The firewall's elements for one stored port: one per family the publication covers and
    /// the container has (a port published on every address of a dual-stack container is an
    /// IPv4 element and an IPv6 one; `0.0.0.0` and `::` stand for every address of their family).
    static func elements(_ r: PortRecord) -> [PortElement] {
        var out: [PortElement] = []
        let specific = r.hostIP.flatMap { $0.isUnspecified ? nil : $0 }
        if let v4 = r.containerAddress, r.hostIP.map({ $0.family == .ipv4 }) ?? true {
            out.append(PortElement(hostIP: specific, proto: r.proto, hostPort: r.hostPort,
                                   containerIP: .v4(v4), containerPort: r.containerPort))
        }
        if let v6 = r.containerAddress6, r.hostIP.map({ $0.family == .ipv6 }) ?? true {
            out.append(PortElement(hostIP: specific, proto: r.proto, hostPort: r.hostPort,
                                   containerIP: .v6(v6), containerPort: r.containerPort))
        }
        return out
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
