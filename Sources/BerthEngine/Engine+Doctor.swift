import BerthAddress
import BerthFirewall
import BerthNetlink
import BerthStore

/// Something on the host that breaks (or will break) container networking, with its fix.
public struct DoctorFinding: Sendable {
    /// What is wrong, in one line.
    public let problem: String
    /// What to do about it, in one line.
    public let fix: String
}

extension Engine {
    /// Checks the host for what breaks container networking: forwarding off, Berth's table
    /// missing or altered, its accept rule missing beside Docker, another firewall's forward
    /// chain that drops by default (with that firewall's own fix), routes that shadow a
    /// network's subnet, networks whose MTU exceeds the uplink's, missing bridges and
    /// half-finished endpoints. Changes nothing.
    public func diagnose() throws -> [DoctorFinding] {
        try translating {
            var findings: [DoctorFinding] = []
            let networks = try store.networks()
            let endpoints = try store.endpoints()
            let session = try host()
            let links = try session.links()
            let linkByName = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let linkByIndex = Dictionary(links.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })

            if networks.contains(where: { !$0.isInternal }),
               (try? SystemFile.read("/proc/sys/net/ipv4/ip_forward"))?.hasPrefix("0") == true {
                findings.append(DoctorFinding(problem: "IPv4 forwarding is off: containers cannot reach beyond the host",
                                              fix: "sysctl -w net.ipv4.ip_forward=1 (berth network create turns it on)"))
            }
            for n in networks where linkByName[n.bridge] == nil {
                findings.append(DoctorFinding(problem: "bridge \(n.bridge) of network '\(n.name)' is missing",
                                              fix: "berth gc (recreates it; the next connect does too)"))
            }
            let stale = endpoints.filter { $0.state != .active }
            if !stale.isEmpty {
                findings.append(DoctorFinding(problem: "\(stale.count) endpoint(s) left half-done by an interrupted command",
                                              fix: "berth gc"))
            }
            let orphaned = endpoints.filter { $0.state == .active && linkByName[$0.hostIfname] == nil }
            if !orphaned.isEmpty {
                findings.append(DoctorFinding(problem: "\(orphaned.count) endpoint(s) hold addresses but their containers are gone",
                                              fix: "berth gc"))
            }
            findings += try firewallFindings(networks)
            findings += try routeFindings(networks, session: session, linkByIndex: linkByIndex)
            return findings
        }
    }

    private func firewallFindings(_ networks: [NetworkRecord]) throws -> [DoctorFinding] {
        guard !networks.isEmpty else { return [] }
        return try NftablesFirewall(loaded: firewall()).diagnose(networks.map(FirewallNetwork.init))
            .map { DoctorFinding(problem: $0.problem, fix: $0.fix) }
    }

    private func routeFindings(_ networks: [NetworkRecord], session: RouteSession,
                               linkByIndex: [Int32: LinkInfo]) throws -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let routes = try session.routes().filter { $0.table == UInt32(RouteField.tableMain) }
        for n in networks {
            for r in routes where r.destination.prefixLength > 0 && r.destination.overlaps(n.subnet) {
                let device = r.outputIndex.flatMap { linkByIndex[$0]?.name } ?? "?"
                if device == n.bridge { continue }
                findings.append(DoctorFinding(
                    problem: "route \(r.destination) via \(device) overlaps network '\(n.name)' (\(n.subnet))",
                    fix: "remove the route, or recreate the network with another --subnet"))
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
