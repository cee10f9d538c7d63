import BerthAddress
import BerthFirewall
import BerthIPAM
import BerthNetlink
import BerthStore
import Glibc

extension Engine {
    /// All networks, by name, with how many endpoints each has.
    public func networks() throws -> [NetworkSummary] {
        try translating {
            try store.networks().map { NetworkSummary(network: NetworkInfo($0), endpointCount: try store.endpointCount(network: $0.name)) }
        }
    }

    /// One network, or a not-found error naming it.
    public func network(named name: String) throws -> NetworkInfo {
        NetworkInfo(try record(named: name))
    }

    /// One network's record, or a not-found error naming it.
    func record(named name: String) throws -> NetworkRecord {
        guard let n = try translating({ try store.network(named: name) }) else {
            throw BerthError.notFound("network '\(Validation.printable(name))' does not exist")
        }
        return n
    }

    /// Creates a network: records it, has its driver create its kernel objects (a bridge with the
    /// gateway address), and has its firewall install its rules. On any failure everything done
    /// is undone.
    @discardableResult
    public func createNetwork(_ spec: NetworkSpec) throws -> NetworkInfo {
        NetworkInfo(try create(spec))
    }

    func create(_ given: NetworkSpec) throws -> NetworkRecord {
        var spec = given
        try Validation.networkName(spec.name)
        spec.dnsDomain = try Validation.dnsDomain(spec.dnsDomain)
        for server in spec.dnsServers { try Validation.dnsServer(server) }
        if let bridge = spec.bridge { try Validation.interfaceName(bridge, what: "bridge name") }
        if spec.mtu != 0 && !(68...65535).contains(spec.mtu) {
            throw BerthError.invalidArgument("MTU \(spec.mtu) is out of range (68-65535)")
        }
        if spec.wantsIPv6 {
            guard IPv6.available else {
                throw BerthError.environment("IPv6 is disabled in this kernel (ipv6.disable=1 or not built in): a network with IPv6 cannot be created")
            }
            if spec.mtu != 0 && spec.mtu < 1280 {
                throw BerthError.invalidArgument("MTU \(spec.mtu) is below IPv6's minimum of 1280")
            }
        }
        let driver = try self.driver(named: spec.driver ?? "bridge")
        if driver.routesThroughHost, let parent = spec.parent, !parent.isEmpty {
            throw BerthError.invalidArgument("a parent interface (--parent \(Validation.printable(parent))) is for macvlan networks: a \(driver.name) network has none")
        }
        try driver.complete(&spec)
        let firewall = spec.firewall ?? FirewallKind.nftables.rawValue
        guard FirewallKind(rawValue: firewall) != nil else {
            throw BerthError.invalidArgument("firewall '\(Validation.printable(firewall))' is not one of: \(FirewallKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try requirePrivileges()
        let lock = try beginOperation()
        defer { withExtendedLifetime(lock) {} }
        // Set once the kernel side is being built: from then on a failure — of the device, the
        // rules, or the commit itself (a full disk) — must take the kernel side away again.
        var building: NetworkRecord?
        let created: NetworkRecord
        do {
            created = try translating {
                try store.transaction {
                    PhaseTrace.mark("create: begin")
                    let record = try plan(spec, driver: driver)
                    try driver.checkHost(for: record, existing: try store.networks())
                    try store.insertNetwork(record)
                    building = record
                    PhaseTrace.mark("create: plan, check host, record")
                    try driver.realize(record)
                    environment.reach(.createAfterBridge)
                    PhaseTrace.mark("create: device")
                    try synchronizeFirewall()
                    environment.reach(.createAfterFirewall)
                    PhaseTrace.mark("create: firewall")
                    return record
                }
            }
        } catch {
            if let building { undoCreation(of: building, driver: driver) }
            throw error
        }
        NetworkHint.save(created, directory: settings.stateDirectory)
        if created.dns {
            // The server binds the network's listeners now; if it cannot (port 53 taken on the
            // gateway), the network is not made: a DNS network without its name service would
            // fail every lookup of its containers.
            do {
                try nameService.networkChanged(created.name)
            } catch {
                undoCommittedCreation(of: created, driver: driver)
                throw error
            }
        }
        return created
    }

    /// Takes a network away again after its creation committed (its name service refused
    /// it): the record, the rules rendered without it, the device, the hint. Best effort, as
    /// ``undoCreation(of:driver:)``.
    private func undoCommittedCreation(of record: NetworkRecord, driver: any NetworkDriver) {
        NetworkHint.remove(network: record.name, directory: settings.stateDirectory)
        try? store.transaction {
            try store.deleteNetwork(named: record.name)
            try synchronizeFirewall()
        }
        try? driver.remove(record)
    }

    /// Takes away the kernel side of a network whose creation failed, once its transaction has
    /// rolled back: the device (it did not exist before: ``NetworkDriver/checkHost(for:existing:)``
    /// checks), and the rules, rendered again from the store, which no longer holds the
    /// network. Rendering needs the write lock but writes nothing, so it works on a full disk
    /// too. Best effort: a crash here leaves a tagged device and rules of an unknown network,
    /// both of which `berth gc` removes.
    private func undoCreation(of record: NetworkRecord, driver: any NetworkDriver) {
        try? driver.remove(record)
        try? store.transaction { try synchronizeFirewall() }
    }

    /// The network named in `spec`, created from it if missing. With `checking`, an existing
    /// network must agree with every property the spec states (else
    /// ``BerthError/configuration(_:)`` names the first difference), and the spec's own
    /// conflicts with the host are configuration errors too. Safe against another process
    /// creating it at the same moment. Returns whether this call made it.
    func ensureNetwork(_ spec: NetworkSpec, checking: Bool) throws -> (NetworkRecord, Bool) {
        func existing() throws -> NetworkRecord? {
            guard let n = try translating({ try store.network(named: spec.name) }) else { return nil }
            if checking { try Engine.checkAgreement(n, spec) }
            return n
        }
        if let n = try existing() { return (n, false) }
        do {
            return (try create(spec), true)
        } catch BerthError.conflict(let message) {
            // Lost a race against a concurrent creator: use theirs (if it agrees).
            if let n = try existing() { return (n, false) }
            throw checking ? BerthError.configuration(message) : BerthError.conflict(message)
        }
    }

    /// Throws a configuration error naming the first property `spec` states differently from
    /// `n`. Unstated properties (nil subnet, gateway, range, bridge; MTU 0) agree with anything.
    static func checkAgreement(_ n: NetworkRecord, _ spec: NetworkSpec) throws {
        func differ(_ what: String, _ have: String, _ want: String) -> BerthError {
            .configuration("network '\(n.name)' exists with \(what) \(have), the configuration asks for \(want)")
        }
        func text(_ value: (some CustomStringConvertible)?, _ none: String = "none") -> String {
            value.map { "\($0)" } ?? none
        }
        if spec.addressless != n.isAddressless {
            throw differ("addresses", n.isAddressless ? "none" : n.subnetsDescription, spec.addressless ? "none" : "some")
        }
        if let s = spec.subnet, s != n.subnet { throw differ("subnet", text(n.subnet), "\(s)") }
        if let g = spec.gateway, g != n.gateway { throw differ("gateway", text(n.gateway), "\(g)") }
        if let r = spec.ipRange, r != n.ipRange { throw differ("ip range", text(n.ipRange, "(whole subnet)"), "\(r)") }
        if let s = spec.subnet6, s != n.subnet6 { throw differ("IPv6 subnet", text(n.subnet6), "\(s)") }
        if let g = spec.gateway6, g != n.gateway6 { throw differ("IPv6 gateway", text(n.gateway6), "\(g)") }
        if let r = spec.ipRange6, r != n.ipRange6 { throw differ("IPv6 range", text(n.ipRange6, "(whole subnet)"), "\(r)") }
        if let v4 = spec.ipv4, v4 != (n.subnet != nil) { throw differ("IPv4", n.subnet != nil ? "on" : "off", v4 ? "on" : "off") }
        if let v6 = spec.ipv6, v6 != (n.subnet6 != nil) { throw differ("IPv6", n.subnet6 != nil ? "on" : "off", v6 ? "on" : "off") }
        if let b = spec.bridge, b != n.bridge { throw differ("bridge", n.bridge, b) }
        if spec.mtu != 0, spec.mtu != n.mtu { throw differ("MTU", "\(n.mtu)", "\(spec.mtu)") }
        if spec.isInternal != n.isInternal { throw differ("internal", "\(n.isInternal)", "\(spec.isInternal)") }
        // A macvlan network has no NAT whatever a spec says (its traffic does not pass the host).
        let natApplies = !spec.isInternal && n.driver != MacvlanDriver.driverName
        if natApplies, spec.masquerade != n.masquerade { throw differ("masquerade", "\(n.masquerade)", "\(spec.masquerade)") }
        if natApplies, n.subnet6 != nil, spec.masquerade6 != n.masquerade6 {
            throw differ("IPv6 NAT", "\(n.masquerade6)", "\(spec.masquerade6)")
        }
        if let d = spec.driver, d != n.driver { throw differ("driver", n.driver, d) }
        // An empty parent is "the host's default": whichever the network was given.
        if let p = spec.parent, !p.isEmpty, p != n.parent { throw differ("parent", n.parent.isEmpty ? "none" : n.parent, p) }
        if let m = spec.driverOptions["mode"], m != (n.driverOptions["mode"] ?? "bridge") {
            throw differ("mode", n.driverOptions["mode"] ?? "bridge", m)
        }
        if let f = spec.firewall, f != n.firewall { throw differ("firewall", n.firewall, f) }
    }

    /// Removes networks. Refuses a network with endpoints unless `force`, which disconnects them
    /// first (all their links in one batched request).
    public func removeNetworks(_ names: [String], force: Bool) throws {
        try requirePrivileges()
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        for name in names { _ = try record(named: name) }   // all-or-nothing on typos
        for name in names {
            try translating {
                let endpoints = try store.endpoints(network: name)
                if !endpoints.isEmpty && !force {
                    throw BerthError.conflict("network '\(name)' has \(endpoints.count) endpoint(s) attached; disconnect them or use --force")
                }
                guard let n = try store.network(named: name) else { return }
                let driver = try self.driver(of: n)
                NetworkHint.remove(network: name, directory: settings.stateDirectory)
                try removeEndpoints(endpoints, wholeNetwork: n)
                environment.reach(.removeAfterEndpoints)
                // The record goes before the device: from here on no connect can reserve an
                // address on this network, and a crash leaves only kernel objects `berth gc`
                // knows as orphans (the tagged bridge, grouped veths). Rows a concurrent connect
                // added meanwhile go with the record; their connects then roll back.
                try store.transaction {
                    try store.deleteNetwork(named: name)
                    try synchronizeFirewall()
                }
                environment.reach(.removeAfterRecord)
                try driver.remove(n, handingDeletionTo: lock)
                if n.dns { nameService.networkRemoved(name) }
            }
        }
    }

    /// Removes every network that has no endpoints; returns their names.
    public func pruneNetworks() throws -> [String] {
        let idle = try translating { try store.networks().filter { try store.endpointCount(network: $0.name) == 0 } }
        if idle.isEmpty { return [] }
        try removeNetworks(idle.map(\.name), force: false)
        return idle.map(\.name)
    }
}
