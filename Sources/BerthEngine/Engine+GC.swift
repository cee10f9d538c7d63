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
    ///   elements with no endpoint).
    /// Runs under the exclusive operation lock, so no other berth command is half-way through.
    public func collectGarbage(dryRun: Bool) throws -> [RepairAction] {
        try Capabilities.requireNetAdmin()
        let lock = try translating { try OperationLock(directory: configuration.stateDirectory, mode: .exclusive) }
        defer { withExtendedLifetime(lock) {} }
        let signals = TeardownSignals.block()
        defer { signals.restore() }
        return try translating { try reconcile(dryRun: dryRun) }
    }

    private func reconcile(dryRun: Bool) throws -> [RepairAction] {
        var actions: [RepairAction] = []
        let session = try host()
        // Kernel first, then the store: a veth that exists now had its endpoint recorded before it
        // was created, so it cannot be missing from the store read afterwards.
        let links = try session.links()
        let linksByName = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let networks = try store.networks()
        let endpoints = try store.endpoints()

        var doomed: [EndpointRecord] = []
        for e in endpoints {
            let veth = linksByName[e.hostIfname]
            switch e.state {
            case .creating:
                actions.append(RepairAction(kind: "endpoint", description:
                    "rolled back interrupted connect of \(e.containerID) (\(e.address)) on '\(e.network)'"))
                doomed.append(e)
            case .removing:
                actions.append(RepairAction(kind: "endpoint", description:
                    "finished interrupted disconnect of \(e.containerID) (\(e.address)) on '\(e.network)'"))
                doomed.append(e)
            case .active where veth.map({ Engine.isRetiredGroup($0.group) }) == true:
                // A detach took the veth out of service and died before it released the record.
                actions.append(RepairAction(kind: "endpoint", description:
                    "finished interrupted disconnect of \(e.containerID) (\(e.address)) on '\(e.network)'"))
                doomed.append(e)
            case .active where veth == nil:
                actions.append(RepairAction(kind: "endpoint", description:
                    "released \(e.address) of \(e.containerID) on '\(e.network)': its veth \(e.hostIfname) is gone (namespace deleted)"))
                doomed.append(e)
            case .active:
                break
            }
        }
        if !dryRun { try removeEndpoints(doomed) }

        let owned = Set(endpoints.map(\.hostIfname))
        // Berth's own: the bv name and the device-group marker; a user's bv-something is left alone.
        // A retired one is a detach's veth whose deleting child died (it holds the operation
        // lock while it lives, so gc never sees one in flight).
        let strayVeths = links.filter {
            $0.kind == "veth" && $0.name.hasPrefix("bv") && (Engine.isVethGroup($0.group) || Engine.isRetiredGroup($0.group))
                && !owned.contains($0.name)
        }
        for link in strayVeths {
            actions.append(RepairAction(kind: "link", description: Engine.isRetiredGroup(link.group)
                ? "deleted detached veth \(link.name) (its deletion was interrupted)"
                : "deleted stray veth \(link.name) (no endpoint owns it)"))
        }
        if !dryRun { try session.deleteLinks(names: strayVeths.map(\.name)) }

        let networkIDs = Set(networks.map(\.id))
        for link in links where link.kind == "bridge" {
            guard let alias = link.alias, alias.hasPrefix(Engine.bridgeAliasPrefix) else { continue }
            let id = String(alias.dropFirst(Engine.bridgeAliasPrefix.count))
            if networkIDs.contains(id) { continue }
            actions.append(RepairAction(kind: "bridge", description: "deleted bridge \(link.name) of a removed network"))
            if !dryRun { _ = try session.deleteLink(name: link.name) }
        }

        for n in networks where linksByName[n.bridge] == nil {
            actions.append(RepairAction(kind: "bridge", description: "recreated missing bridge \(n.bridge) of network '\(n.name)'"))
            if dryRun { continue }
            let bridge = try realizeBridge(n)
            // Veths whose bridge vanished survive as unattached links: put them back.
            let survivors = endpoints.filter { $0.network == n.name && $0.state == .active }
                .compactMap { linksByName[$0.hostIfname] }
            try session.execute(survivors.map { (RouteRequests.setMaster(index: $0.index, master: bridge), "attach \($0.name) to \(n.bridge)") })
        }

        let health = try? FirewallHealth.probe()
        let tablePresent = health?.tablePresent ?? true
        if !tablePresent && !networks.isEmpty {
            actions.append(RepairAction(kind: "firewall", description: "restored the missing nftables table inet \(Ruleset.table)"))
        }
        let strayAccept = networks.isEmpty && health?.dockerAccept?.isEmpty == false
        if health?.dockerAcceptMissing == true && !networks.isEmpty {
            actions.append(RepairAction(kind: "firewall", description: "restored Berth's accept rule in Docker's \(DockerAccept.chain) chain"))
        } else if strayAccept {
            actions.append(RepairAction(kind: "firewall", description: "removed Berth's accept rule from Docker's \(DockerAccept.chain) chain (no network left)"))
        }
        if !dryRun && (!networks.isEmpty || tablePresent || strayAccept) {
            try store.transaction { try synchronizeFirewall() }
        }
        return actions
    }
}
