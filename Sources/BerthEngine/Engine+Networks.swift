import BerthAddress
import BerthIPAM
import BerthNetlink
import BerthStore
import Glibc

extension Engine {
    /// All networks, by name.
    public func networks() throws -> [NetworkRecord] {
        try translating { try store.networks() }
    }

    /// How many endpoints a network has.
    public func endpointCount(network name: String) throws -> Int {
        try translating { try store.endpointCount(network: name) }
    }

    /// One network, or a not-found error naming it.
    public func network(named name: String) throws -> NetworkRecord {
        guard let n = try translating({ try store.network(named: name) }) else {
            throw BerthError.notFound("network '\(Validation.printable(name))' does not exist")
        }
        return n
    }

    /// Creates a network: records it, creates its bridge with the gateway address, and installs
    /// its firewall rules. On any failure everything done is undone.
    @discardableResult
    public func createNetwork(_ spec: NetworkSpec) throws -> NetworkRecord {
        try Validation.networkName(spec.name)
        if let bridge = spec.bridge { try Validation.interfaceName(bridge, what: "bridge name") }
        if spec.mtu != 0 && !(68...65535).contains(spec.mtu) {
            throw BerthError.invalidArgument("MTU \(spec.mtu) is out of range (68-65535)")
        }
        try Capabilities.requireNetAdmin()
        let lock = try beginOperation()
        defer { withExtendedLifetime(lock) {} }
        // Set once the kernel side is being built: from then on a failure — of the bridge, the
        // rules, or the commit itself (a full disk) — must take the kernel side away again.
        var building: NetworkRecord?
        let created: NetworkRecord
        do {
            created = try translating {
                try store.transaction {
                    let record = try plan(spec)
                    // A network owns its bridge: never adopt (and later delete) an existing device.
                    if try host().linkIndex(name: record.bridge) != nil {
                        throw BerthError.conflict("interface \(record.bridge) already exists; choose another --bridge name")
                    }
                    try store.insertNetwork(record)
                    building = record
                    try realizeBridge(record)
                    FaultPoint.createAfterBridge.reach()
                    try synchronizeFirewall()
                    FaultPoint.createAfterFirewall.reach()
                    return record
                }
            }
        } catch {
            if let building { undoCreation(of: building) }
            throw error
        }
        NetworkHint.save(created, directory: configuration.stateDirectory)
        return created
    }

    /// Takes away the kernel side of a network whose creation failed, once its transaction has
    /// rolled back: the bridge (it did not exist before: `createNetwork` checks), and with it
    /// its address and route, and the rules, rendered again from the store, which no longer
    /// holds the network. Rendering needs the write lock but writes nothing, so it works on a
    /// full disk too. Best effort: a crash here leaves a tagged bridge and rules of an unknown
    /// network, both of which `berth gc` removes.
    private func undoCreation(of record: NetworkRecord) {
        _ = try? host().deleteLink(name: record.bridge)
        try? store.transaction { try synchronizeFirewall() }
    }

    /// The default network, created on first use.
    public func defaultNetwork() throws -> NetworkRecord {
        if let n = try translating({ try store.network(named: NetworkSpec.defaultNetworkName) }) { return n }
        do {
            return try createNetwork(NetworkSpec(name: NetworkSpec.defaultNetworkName, bridge: NetworkSpec.defaultBridge))
        } catch BerthError.conflict {
            // Another process created it at the same moment.
            return try network(named: NetworkSpec.defaultNetworkName)
        }
    }

    /// Chooses every unspecified property and checks the specified ones against the store and
    /// each other. Runs inside the write transaction, so the choice cannot race another process.
    private func plan(_ spec: NetworkSpec) throws -> NetworkRecord {
        let existing = try store.networks()
        if existing.contains(where: { $0.name == spec.name }) {
            throw BerthError.conflict("network '\(spec.name)' already exists")
        }
        // Bulk teardown deletes a network's veths by device group, so no two networks may share
        // one: draw ids until the group is free.
        let groups = Set(existing.map { Engine.vethGroup(ofID: $0.id) })
        var id = Store.randomID()
        while groups.contains(Engine.vethGroup(ofID: id)) { id = Store.randomID() }
        let bridge = spec.bridge ?? "berth" + id.prefix(10)
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
            let pools = try configuration.resolvedPools()
            let survey = try HostSurvey.take(session: host(), resolvConf: configuration.resolvConfPath)
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
        try checkGatewayIsFree(gateway, networks: existing)
        return NetworkRecord(name: spec.name, id: id, bridge: bridge, subnet: subnet, gateway: gateway,
                             ipRange: spec.ipRange, mtu: spec.mtu, isInternal: spec.isInternal,
                             masquerade: spec.masquerade && !spec.isInternal, labels: spec.labels,
                             created: Int64(time(nil)), icc: spec.icc, isolated: spec.isolated)
    }

    /// The MAC a network's bridge is created with: locally administered, from the network id.
    static func bridgeMAC(of n: NetworkRecord) -> MACAddress {
        MACAddress(locallyAdministeredFrom: Hex.decode(n.id) ?? randomUInt64())
    }

    /// Refuses a gateway that is already an address of this host: the bridge would take over
    /// (or clash with) what another interface answers for. A bridge Berth tagged for a network
    /// that no longer exists (a create or rm that crashed half-way) is not in the way: it is
    /// deleted, as `berth gc` would, so a runtime retrying its ADD succeeds.
    private func checkGatewayIsFree(_ gateway: IPv4Address, networks: [NetworkRecord]) throws {
        let session = try host()
        guard let taken = try session.addresses().first(where: { $0.address.address == gateway }) else { return }
        let link = try session.links().first { $0.index == taken.index }
        if let link, link.kind == "bridge", let alias = link.alias, alias.hasPrefix(Engine.bridgeAliasPrefix),
           !networks.contains(where: { Engine.bridgeAliasPrefix + $0.id == alias }) {
            _ = try session.deleteLink(name: link.name)
            return
        }
        throw BerthError.conflict("gateway \(gateway) is already an address of \(link?.name ?? "interface \(taken.index)") on this host; choose another --subnet or --gateway")
    }

    /// Makes sure the bridge exists, is up and carries the gateway address; creates it if not.
    /// Returns its index. Safe to call when another process does the same at the same time.
    @discardableResult
    func realizeBridge(_ n: NetworkRecord, session given: RouteSession? = nil) throws -> Int32 {
        let session = try given ?? host()
        if let link = try session.link(name: n.bridge) {
            guard link.kind == "bridge" else {
                throw BerthError.conflict("interface \(n.bridge) exists and is not a bridge")
            }
            return link.index
        }
        let mac = Engine.bridgeMAC(of: n)
        do {
            try session.createBridge(name: n.bridge, mac: mac, mtu: n.mtu)
        } catch let e as NetlinkError where e.alreadyExists {
            // Created concurrently; fall through to read it.
        }
        guard let index = try session.linkIndex(name: n.bridge) else {
            throw BerthError.system("bridge \(n.bridge) vanished while it was being set up")
        }
        // The alias marks the bridge as Berth's, so `berth gc` can tell an orphan from a bridge
        // someone else made.
        try session.execute(RouteRequests.setAlias(index: index, alias: Engine.bridgeAliasPrefix + n.id),
                            "tag bridge \(n.bridge)")
        do {
            try session.addAddress(IPv4Interface(address: n.gateway, prefixLength: n.subnet.prefixLength), index: index)
        } catch let e as NetlinkError where e.alreadyExists {}
        try Sysctl.configureBridge(n.bridge)
        if !n.isInternal { try Sysctl.enableIPv4Forwarding() }
        return index
    }

    /// Removes networks. Refuses a network with endpoints unless `force`, which disconnects them
    /// first (all their veths in one batched request).
    public func removeNetworks(_ names: [String], force: Bool) throws {
        try Capabilities.requireNetAdmin()
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        for name in names { _ = try network(named: name) }   // all-or-nothing on typos
        for name in names {
            try translating {
                let endpoints = try store.endpoints(network: name)
                if !endpoints.isEmpty && !force {
                    throw BerthError.conflict("network '\(name)' has \(endpoints.count) endpoint(s) attached; disconnect them or use --force")
                }
                guard let n = try store.network(named: name) else { return }
                NetworkHint.remove(network: name, directory: configuration.stateDirectory)
                try removeEndpoints(endpoints, wholeNetwork: n)
                FaultPoint.removeAfterEndpoints.reach()
                // The record goes before the bridge: from here on no connect can reserve an address
                // on this network, and a crash leaves only kernel objects `berth gc` knows as
                // orphans (the tagged bridge, grouped veths). Rows a concurrent connect added
                // meanwhile go with the record; their connects then roll back.
                try store.transaction {
                    try store.deleteNetwork(named: name)
                    try synchronizeFirewall()
                }
                FaultPoint.removeAfterRecord.reach()
                _ = try host().deleteLinks(group: Engine.vethGroup(of: n))
                _ = try host().deleteLink(name: n.bridge)
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
