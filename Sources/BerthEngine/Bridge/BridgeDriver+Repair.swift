import BerthAddress
import BerthNetlink
import BerthStore

/// What the bridge driver checks and repairs: an attachment as a runtime's CHECK expects it,
/// the kernel objects `berth gc` reconciles with the store, and what `berth doctor` reports.
extension BridgeDriver {
    func verify(_ e: EndpointRecord, network n: NetworkRecord, namespace: NetworkNamespace,
                mac: MACAddress, defaultGateway: IPv4Address?, defaultGateway6: IPv6Address?) throws {
        func missing(_ what: String) -> BerthError { .notFound(what) }
        let session = try host()
        guard let bridge = try session.link(name: n.bridge), bridge.kind == "bridge" else {
            throw missing("bridge \(n.bridge) of network '\(n.name)' is missing")
        }
        guard let veth = try session.link(name: e.hostIfname) else { throw missing("host veth \(e.hostIfname) is missing") }
        guard veth.master == bridge.index else { throw missing("host veth \(e.hostIfname) is not a port of \(n.bridge)") }
        guard veth.isUp else { throw missing("host veth \(e.hostIfname) is down") }

        let container = try RouteSession(in: namespace)
        guard let link = try container.link(name: e.ifname) else {
            throw missing("interface \(e.ifname) is missing in \(namespace.path)")
        }
        guard link.isUp else { throw missing("interface \(e.ifname) is down") }
        if let have = link.mac, have != mac { throw missing("interface \(e.ifname) has MAC \(have), expected \(mac)") }
        if let want = e.interface {
            guard try container.addresses().contains(where: { $0.index == link.index && $0.address == want }) else {
                throw missing("interface \(e.ifname) lacks address \(want)")
            }
        }
        if let want = e.interface6 {
            guard try container.addresses6().contains(where: { $0.index == link.index && $0.address == want }) else {
                throw missing("interface \(e.ifname) lacks address \(want)")
            }
        }
        // The metric the network gives its default routes (0: the kernel's own, which differs
        // by family, so only a chosen one is checked).
        let metric = UInt32(clamping: n.routeMetric)
        if let gateway = defaultGateway {
            guard try container.routes().contains(where: {
                $0.destination.prefixLength == 0 && $0.gateway == gateway && $0.outputIndex == link.index
                    && (metric == 0 || $0.metric == metric)
            }) else { throw missing("no default route via \(gateway) on \(e.ifname)\(metric == 0 ? "" : " with metric \(metric)")") }
        }
        if let gateway = defaultGateway6 {
            guard try container.routes6().contains(where: {
                $0.isDefault && $0.gateway == gateway && $0.outputIndex == link.index && (metric == 0 || $0.metric == metric)
            }) else { throw missing("no default route via \(gateway) on \(e.ifname)\(metric == 0 ? "" : " with metric \(metric)")") }
        }
    }

    /// The host's links, read before the store (a veth that exists now had its endpoint
    /// recorded before it was created, so it cannot be missing from the store read afterwards).
    final class Links: KernelSnapshot {
        let all: [LinkInfo]
        let byName: [String: LinkInfo]
        init(_ links: [LinkInfo]) {
            all = links
            byName = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    func snapshot() throws -> any KernelSnapshot { Links(try host().links()) }

    func repair(_ snapshot: any KernelSnapshot, networks: [NetworkRecord], endpoints: [EndpointRecord],
                dryRun: Bool) throws -> KernelRepair {
        guard let links = snapshot as? Links else { preconditionFailure("a snapshot of another driver") }
        let session = try host()
        var repair = KernelRepair()
        for e in endpoints where e.state == .active {
            let veth = links.byName[e.hostIfname]
            if let veth, Self.isRetiredGroup(veth.group) {
                // A detach took the veth out of service and died before it released the record.
                repair.releasedEndpoints.append((e, RepairAction(kind: "endpoint", description:
                    "finished interrupted disconnect of \(e.containerID) (\(e.addressesDescription)) on '\(e.network)'")))
            } else if veth == nil {
                repair.releasedEndpoints.append((e, RepairAction(kind: "endpoint", description:
                    "released \(e.addressesDescription) of \(e.containerID) on '\(e.network)': its veth \(e.hostIfname) is gone (namespace deleted)")))
            }
        }

        let owned = Set(endpoints.map(\.hostIfname))
        // Berth's own: the bv name and the device-group marker; a user's bv-something is left alone.
        // A retired one is a detach's veth whose deleting child died (it holds the operation
        // lock while it lives, so gc never sees one in flight).
        let strayVeths = links.all.filter {
            $0.kind == "veth" && $0.name.hasPrefix("bv") && (Self.isVethGroup($0.group) || Self.isRetiredGroup($0.group))
                && !owned.contains($0.name)
        }
        for link in strayVeths {
            repair.actions.append(RepairAction(kind: "link", description: Self.isRetiredGroup(link.group)
                ? "deleted detached veth \(link.name) (its deletion was interrupted)"
                : "deleted stray veth \(link.name) (no endpoint owns it)"))
        }
        if !dryRun { try session.deleteLinks(names: strayVeths.map(\.name)) }

        let networkIDs = Set(networks.map(\.id))
        for link in links.all where link.kind == "bridge" {
            guard let alias = link.alias, alias.hasPrefix(Self.aliasPrefix) else { continue }
            if networkIDs.contains(String(alias.dropFirst(Self.aliasPrefix.count))) { continue }
            repair.actions.append(RepairAction(kind: "bridge", description: "deleted bridge \(link.name) of a removed network"))
            if !dryRun { _ = try session.deleteLink(name: link.name) }
        }

        for n in networks where links.byName[n.bridge] == nil {
            repair.actions.append(RepairAction(kind: "bridge", description: "recreated missing bridge \(n.bridge) of network '\(n.name)'"))
            if dryRun { continue }
            let bridge = try realizeBridge(n)
            // Veths whose bridge vanished survive as unattached links: put them back.
            let survivors = endpoints.filter { $0.network == n.name && $0.state == .active }
                .compactMap { links.byName[$0.hostIfname] }
            try session.execute(survivors.map { (RouteRequests.setMaster(index: $0.index, master: bridge), "attach \($0.name) to \(n.bridge)") })
        }
        if IPv6.available, networks.contains(where: { !$0.isInternal && $0.subnet6 != nil }), !IPv6Forwarding.isOn {
            repair.actions.append(RepairAction(kind: "sysctl", description: "turned IPv6 forwarding back on for the IPv6 networks"))
            if !dryRun { try IPv6Forwarding.enable(session: session) }
        }
        return repair
    }

    func diagnose(networks: [NetworkRecord], endpoints: [EndpointRecord]) throws -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let session = try host()
        let links = try session.links()
        let linkByName = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let linkByIndex = Dictionary(links.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
        findings += try ipv6ForwardingFindings(networks, session: session)
        if networks.contains(where: { !$0.isInternal && $0.subnet != nil }),
           (try? SystemFile.read("/proc/sys/net/ipv4/ip_forward"))?.hasPrefix("0") == true {
            findings.append(DoctorFinding(problem: "IPv4 forwarding is off: containers cannot reach beyond the host",
                                          fix: "sysctl -w net.ipv4.ip_forward=1 (berth network create turns it on)"))
        }
        for n in networks where linkByName[n.bridge] == nil {
            findings.append(DoctorFinding(problem: "bridge \(n.bridge) of network '\(n.name)' is missing",
                                          fix: "berth gc (recreates it; the next connect does too)"))
        }
        let orphaned = endpoints.filter { $0.state == .active && linkByName[$0.hostIfname] == nil }
        if !orphaned.isEmpty {
            findings.append(DoctorFinding(problem: "\(orphaned.count) endpoint(s) hold addresses but their containers are gone",
                                          fix: "berth gc"))
        }
        return findings + (try routeFindings(networks, session: session, linkByIndex: linkByIndex))
    }

    /// IPv6 forwarding off under routed IPv6 networks, and interfaces whose router
    /// advertisements forwarding makes the kernel ignore (see ``IPv6Forwarding``).
    private func ipv6ForwardingFindings(_ networks: [NetworkRecord], session: RouteSession) throws -> [DoctorFinding] {
        guard IPv6.available, networks.contains(where: { !$0.isInternal && $0.subnet6 != nil }) else { return [] }
        guard IPv6Forwarding.isOn else {
            return [DoctorFinding(problem: "IPv6 forwarding is off: containers cannot reach beyond the host over IPv6",
                                  fix: "berth gc (turns it on, keeping router advertisements accepted where they were)")]
        }
        return try IPv6Forwarding.interfacesAcceptingRAOnlyWithoutForwarding(session: session).map { name in
            DoctorFinding(problem: "interface \(name) is configured by router advertisements (SLAAC) but has accept_ra=1 while IPv6 forwarding is on: the kernel ignores them, so its addresses and routes from them will expire",
                          fix: "sysctl -w net.ipv6.conf.\(name).accept_ra=2")
        }
    }

    private func routeFindings(_ networks: [NetworkRecord], session: RouteSession,
                               linkByIndex: [Int32: LinkInfo]) throws -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let routes = try session.routes().filter { $0.table == UInt32(RouteField.tableMain) }
        for n in networks {
            for r in routes where r.destination.prefixLength > 0 && n.subnet.map(r.destination.overlaps) == true {
                let device = r.outputIndex.flatMap { linkByIndex[$0]?.name } ?? "?"
                if device == n.bridge { continue }
                findings.append(DoctorFinding(
                    problem: "route \(r.destination) via \(device) overlaps network '\(n.name)' (\(n.subnetsDescription))",
                    fix: "remove the route, or recreate the network with another --subnet"))
            }
        }
        let routes6 = try session.routes6().filter { $0.table == UInt32(RouteField.tableMain) }
        for n in networks {
            guard let subnet6 = n.subnet6 else { continue }
            for r in routes6 where r.destination.prefixLength > 0 && r.destination.overlaps(subnet6) {
                let device = r.outputIndex.flatMap { linkByIndex[$0]?.name } ?? "?"
                if device == n.bridge { continue }
                findings.append(DoctorFinding(
                    problem: "route \(r.destination) via \(device) overlaps network '\(n.name)' (\(subnet6))",
                    fix: "remove the route, or recreate the network with another IPv6 --subnet"))
            }
        }
        if let uplink = routes.first(where: { $0.destination.prefixLength == 0 })?.outputIndex.flatMap({ linkByIndex[$0] }) {
            for n in networks where !n.isInternal {
                let mtu = n.mtu == 0 ? 1500 : n.mtu
                if mtu > uplink.mtu {
                    findings.append(DoctorFinding(
                        problem: "network '\(n.name)' uses MTU \(mtu) but the uplink \(uplink.name) has \(uplink.mtu): large packets will be dropped",
                        fix: "recreate the network with --mtu \(uplink.mtu)"))
                }
            }
        }
        return findings
    }
}
