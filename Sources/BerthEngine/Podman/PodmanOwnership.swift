import BerthStore

/// What Podman's front end may do with the networks it names: it creates and removes only
/// networks it owns (``BerthStore/NetworkOwner/podman``), never takes over one a user or a CNI
/// runtime made, and replaces a stale record of its own only while no container uses it.
extension Engine {
    /// Makes `spec`'s network ready for a `.defined(spec)` connect: refuses a network of the
    /// same name, or holding the same bridge, made another way; removes a Podman-owned record
    /// that disagrees with `spec` (or holds its bridge under another name) and has no
    /// endpoints. Returns the names of the records removed. Runs under the Podman lock, so no
    /// other Podman call changes these networks meanwhile.
    func clearWayForPodman(_ spec: NetworkSpec) throws -> [String] {
        let networks = try translating { try store.networks() }
        var stale: [NetworkRecord] = []
        if let n = networks.first(where: { $0.name == spec.name }) {
            try Engine.requirePodmanOwned(n)
            do {
                try Engine.checkPodmanAgreement(n, spec)
            } catch {
                // A record from an earlier definition of the network (Podman removed and
                // recreated it while Berth kept the record): replaced once it is idle.
                guard try translating({ try store.endpointCount(network: n.name) }) == 0 else { throw error }
                stale.append(n)
            }
        }
        if let bridge = spec.bridge, let holder = networks.first(where: { $0.bridge == bridge && $0.name != spec.name }) {
            try Engine.requirePodmanOwned(holder)
            guard try translating({ try store.endpointCount(network: holder.name) }) == 0 else {
                throw BerthError.conflict("bridge \(bridge) belongs to network '\(holder.name)', which still has containers")
            }
            stale.append(holder)
        }
        for n in stale { try removeIdlePodmanNetwork(n.name) }
        return stale.map(\.name)
    }

    /// Throws unless Podman's front end made `n`.
    static func requirePodmanOwned(_ n: NetworkRecord) throws {
        guard n.owner == .podman else {
            throw BerthError.conflict("network \"\(n.name)\" exists in Berth and was not made by Podman")
        }
    }

    /// ``checkAgreement(_:_:)`` (which covers a macvlan's parent and mode) and what else
    /// Podman's definition states: isolation, the route metric, the name service and its domain.
    static func checkPodmanAgreement(_ n: NetworkRecord, _ spec: NetworkSpec) throws {
        try checkAgreement(n, spec)
        func differ(_ what: String, _ have: String, _ want: String) -> BerthError {
            .configuration("network '\(n.name)' exists with \(what) \(have), the configuration asks for \(want)")
        }
        if spec.isolated != n.isolated { throw differ("isolate", "\(n.isolated)", "\(spec.isolated)") }
        if spec.routeMetric != n.routeMetric { throw differ("route metric", "\(n.routeMetric)", "\(spec.routeMetric)") }
        let dns = spec.dns && !spec.addressless
        if dns != n.dns { throw differ("DNS", "\(n.dns)", "\(dns)") }
        if dns, spec.dnsDomain.lowercased() != n.dnsDomain { throw differ("DNS domain", n.dnsDomain, spec.dnsDomain) }
    }

    /// Removes Podman-owned network `name` if no endpoint is left on it: the record and its
    /// rules first, in one write transaction that also counts the endpoints (so a connect
    /// that reserved an address meanwhile keeps the network), then the bridge, the hint and
    /// the name service's view. Returns whether it was removed. A network unknown to Berth,
    /// or made another way, is left alone. With `lock` (a teardown's), the bridge's deletion
    /// may finish in a detached child that keeps it (``NetworkDriver/remove(_:handingDeletionTo:)``).
    @discardableResult
    func removeIdlePodmanNetwork(_ name: String, handingDeletionTo lock: OperationLock? = nil) throws -> Bool {
        guard let n = try translating({ try store.network(named: name) }), n.owner == .podman else { return false }
        let driver = try self.driver(of: n)
        let removed = try translating {
            try store.transaction { () -> Bool in
                guard try store.endpointCount(network: name) == 0 else { return false }
                _ = try store.deleteNetwork(named: name)
                try synchronizeFirewall()
                return true
            }
        }
        guard removed else { return false }
        PhaseTrace.mark("remove network: record, rules")
        environment.reach(.removeAfterRecord)
        NetworkHint.remove(network: name, directory: settings.stateDirectory)
        try translating {
            if let lock { try driver.remove(n, handingDeletionTo: lock) } else { try driver.remove(n) }
        }
        PhaseTrace.mark("remove network: device")
        if n.dns { nameService.networkRemoved(name) }
        return true
    }
}
