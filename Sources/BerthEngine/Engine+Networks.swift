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

    func create(_ spec: NetworkSpec) throws -> NetworkRecord {
        try Validation.networkName(spec.name)
        if let bridge = spec.bridge { try Validation.interfaceName(bridge, what: "bridge name") }
        if spec.mtu != 0 && !(68...65535).contains(spec.mtu) {
            throw BerthError.invalidArgument("MTU \(spec.mtu) is out of range (68-65535)")
        }
        let driver = try self.driver(named: spec.driver ?? "bridge")
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
                    let record = try plan(spec, driver: driver)
                    try driver.checkHost(for: record, existing: try store.networks())
                    try store.insertNetwork(record)
                    building = record
                    try driver.realize(record)
                    environment.reach(.createAfterBridge)
                    try synchronizeFirewall()
                    environment.reach(.createAfterFirewall)
                    return record
                }
            }
        } catch {
            if let building { undoCreation(of: building, driver: driver) }
            throw error
        }
        NetworkHint.save(created, directory: settings.stateDirectory)
        return created
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
        if let s = spec.subnet, s != n.subnet { throw differ("subnet", "\(n.subnet)", "\(s)") }
        if let g = spec.gateway, g != n.gateway { throw differ("gateway", "\(n.gateway)", "\(g)") }
        if let r = spec.ipRange, r != n.ipRange { throw differ("ip range", n.ipRange.map { "\($0)" } ?? "(whole subnet)", "\(r)") }
        if let b = spec.bridge, b != n.bridge { throw differ("bridge", n.bridge, b) }
        if spec.mtu != 0, spec.mtu != n.mtu { throw differ("MTU", "\(n.mtu)", "\(spec.mtu)") }
        if spec.isInternal != n.isInternal { throw differ("internal", "\(n.isInternal)", "\(spec.isInternal)") }
        if !spec.isInternal, spec.masquerade != n.masquerade { throw differ("masquerade", "\(n.masquerade)", "\(spec.masquerade)") }
        if let d = spec.driver, d != n.driver { throw differ("driver", n.driver, d) }
        if let f = spec.firewall, f != n.firewall { throw differ("firewall", n.firewall, f) }
    }

    /// Chooses every unspecified property and checks the specified ones against the store and
    /// each other. Runs inside the write transaction, so the choice cannot race another process.
    private func plan(_ spec: NetworkSpec, driver: any NetworkDriver) throws -> NetworkRecord {
        let existing = try store.networks()
        if existing.contains(where: { $0.name == spec.name }) {
            throw BerthError.conflict("network '\(spec.name)' already exists")
        }
        // Bulk teardown deletes a network's veths by device group, so no two networks may share
        // one: draw ids until the group is free. The id is Berth's own, whatever a runtime
        // calls the network: kernel tags come only from it.
        let groups = Set(existing.compactMap { BridgeDriver.vethGroup(ofNetworkID: $0.id) })
        var id = Store.randomID()
        while let group = BridgeDriver.vethGroup(ofNetworkID: id), groups.contains(group) { id = Store.randomID() }
        let bridge = spec.bridge ?? driver.deviceName(forNetworkID: id)
        if let clash = existing.first(where: { $0.bridge == bridge }) {
            throw BerthError.conflict("bridge \(bridge) already belongs to network '\(clash.name)'")
        }
        let subnet: IPv4Subnet
        if let requested = spec.subnet {
            if requested.prefixLength > 30 {
                throw BerthError.invalidArgument("subnet \(requested) is too small: use /30 or larger")
            }
            if let block = requested.specialPurposeBlock {
                throw BerthError.invalidArgument("subnet \(requested) lies in the \(block) block: choose a private subnet")
            }
            if let clash = existing.first(where: { $0.subnet.overlaps(requested) }) {
                throw BerthError.conflict("subnet \(requested) overlaps network '\(clash.name)' (\(clash.subnet))")
            }
            subnet = requested
        } else {
            if spec.gateway != nil || spec.ipRange != nil {
                throw BerthError.invalidArgument("--gateway and --ip-range need --subnet")
            }
            let pools = try settings.pools()
            let survey = try driver.hostSurvey(resolvConf: settings.resolvConfPath)
            guard let chosen = SubnetChooser.choose(pools: pools,
                                                    avoiding: existing.map(\.subnet) + survey.occupied,
                                                    nameservers: survey.nameservers) else {
                throw BerthError.conflict("no free subnet left in the address pools; pass --subnet")
            }
            subnet = chosen
        }
        let gateway = spec.gateway ?? subnet.firstHost
        if spec.gateway != nil {
            guard subnet.contains(gateway), gateway != subnet.network, gateway != subnet.broadcast else {
                throw BerthError.invalidArgument("gateway \(gateway) is not a usable address of subnet \(subnet)")
            }
        }
        if let range = spec.ipRange {
            guard subnet.contains(range) else {
                throw BerthError.invalidArgument("ip range \(range) is not inside subnet \(subnet)")
            }
            // The network, broadcast and gateway addresses are never handed out.
            let unusable = [subnet.network, subnet.broadcast, gateway].filter { range.contains($0) }
            if UInt64(Set(unusable).count) >= range.size {
                throw BerthError.invalidArgument("ip range \(range) has no address to hand out (only \(unusable.map { "\($0)" }.joined(separator: ", ")))")
            }
        }
        return NetworkRecord(name: spec.name, id: id, bridge: bridge, subnet: subnet, gateway: gateway,
                             ipRange: spec.ipRange, mtu: spec.mtu, isInternal: spec.isInternal,
                             masquerade: spec.masquerade && !spec.isInternal, labels: spec.labels,
                             created: Int64(time(nil)), icc: spec.icc, isolated: spec.isolated,
                             driver: driver.name, firewall: spec.firewall ?? FirewallKind.nftables.rawValue)
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
                try driver.remove(n)
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
