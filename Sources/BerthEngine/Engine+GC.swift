import BerthAddress
import BerthFirewall
import BerthNetlink
import BerthStore

/// One repair `berth gc` made (or, with `--dry-run`, would make).
public struct RepairAction: Sendable, CustomStringConvertible {
    /// What kind of object was repaired, for grouping: "endpoint", "link", "bridge", "firewall".
    public let kind: String
    /// One line saying what was wrong and what was done about it.
    public let description: String
}

extension Engine {
    /// Reconciles the store with the kernel and reports what it fixed:
    /// - endpoints left `creating` or `removing` by a crashed command are rolled back or finished,
    ///   and so are active ones whose veth a crashed detach had already retired;
    /// - leases of endpoints whose host veth is gone (the container's namespace died) are freed;
    /// - host veths (`bv…` in a Berth device group, or retired by a detach whose deleting child
    ///   died) that no endpoint owns are deleted;
    /// - bridges Berth tagged (`berth:<id>` alias) whose network is gone are deleted;
    /// - missing bridges of existing networks are recreated and their veths re-attached;
    /// - the firewall table is re-rendered from the store (restores a flushed table, drops map
    ///   elements with no endpoint);
    /// - the name service is started when DNS networks exist and it is not running.
    /// Runs under the exclusive operation lock, so no other berth command is half-way through.
    public func collectGarbage(dryRun: Bool) throws -> [RepairAction] {
        try requirePrivileges()
        let lock = try lockOperations(.exclusive)
        defer { withExtendedLifetime(lock) {} }
        let signals = TeardownSignals.block()
        defer { signals.restore() }
        return try translating { try reconcile(dryRun: dryRun) }
    }

    private func reconcile(dryRun: Bool) throws -> [RepairAction] {
        var actions: [RepairAction] = []
        // Kernel first, then the store: a link that exists now had its endpoint recorded before
        // it was created, so it cannot be missing from the store read afterwards.
        var snapshots: [String: any KernelSnapshot] = [:]
        for (name, driver) in availableDrivers() { snapshots[name] = try driver.snapshot() }
        let networks = try store.networks()
        let endpoints = try store.endpoints()

        var doomed: [EndpointRecord] = []
        for e in endpoints {
            switch e.state {
            case .creating:
                actions.append(RepairAction(kind: "endpoint", description:
                    "rolled back interrupted connect of \(e.containerID) (\(e.addressesDescription)) on '\(e.network)'"))
                doomed.append(e)
            case .removing:
                actions.append(RepairAction(kind: "endpoint", description:
                    "finished interrupted disconnect of \(e.containerID) (\(e.addressesDescription)) on '\(e.network)'"))
                doomed.append(e)
            case .active:
                break
            }
        }
        var kernelActions: [RepairAction] = []
        for (name, snapshot) in snapshots.sorted(by: { $0.key < $1.key }) {
            let mine = Self.networks(servedBy: name, in: networks)
            let names = Set(mine.map(\.name))
            // Endpoints of a network the store no longer has are the bridge driver's (Berth had
            // no other before networks recorded their driver).
            let known = Set(networks.map(\.name))
            let theirs = endpoints.filter { names.contains($0.network) || (name == "bridge" && !known.contains($0.network)) }
            let repair = try driver(named: name).repair(snapshot, networks: mine, endpoints: theirs, dryRun: dryRun)
            for (e, action) in repair.releasedEndpoints {
                actions.append(action)
                doomed.append(e)
            }
            kernelActions += repair.actions
        }
        if !dryRun { try removeEndpoints(doomed) }
        actions += kernelActions

        let health = firewall(.nftables).health()
        let rendered = networks.filter { $0.firewall != FirewallKind.none.rawValue }
        if !health.tablePresent && !rendered.isEmpty {
            actions.append(RepairAction(kind: "firewall", description: "restored the missing nftables table inet \(Ruleset.table)"))
        }
        let strayAccept = rendered.isEmpty && health.dockerAcceptPresent
        if health.dockerAcceptMissing && !rendered.isEmpty {
            actions.append(RepairAction(kind: "firewall", description: "restored Berth's accept rule in Docker's \(DockerAccept.chain) chain"))
        } else if strayAccept {
            actions.append(RepairAction(kind: "firewall", description: "removed Berth's accept rule from Docker's \(DockerAccept.chain) chain (no network left)"))
        }
        if !dryRun && (!rendered.isEmpty || health.tablePresent || strayAccept) {
            try store.transaction { try synchronizeFirewall() }
        }
        actions += try repairNameService(dryRun: dryRun)
        return actions
    }
}
