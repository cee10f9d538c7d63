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
    /// Checks the host for what breaks container networking, each driver for its networks
    /// (forwarding off, missing devices, routes that shadow a subnet, an MTU above the
    /// uplink's, containers gone) and each firewall for its rules (Berth's table missing or
    /// altered, its accept rule missing beside Docker, another firewall's forward chain that
    /// drops by default, with that firewall's own fix), and half-finished endpoints. Changes
    /// nothing, except that it starts the name service of DNS networks when it is not running
    /// (a finding that says it was repaired).
    public func diagnose() throws -> [DoctorFinding] {
        try translating {
            let networks = try store.networks()
            let endpoints = try store.endpoints()
            var findings: [DoctorFinding] = []
            for (name, driver) in availableDrivers() {
                let mine = Self.networks(servedBy: name, in: networks)
                let names = Set(mine.map(\.name))
                findings += try driver.diagnose(networks: mine, endpoints: endpoints.filter { names.contains($0.network) })
            }
            let stale = endpoints.filter { $0.state != .active }
            if !stale.isEmpty {
                findings.append(DoctorFinding(problem: "\(stale.count) endpoint(s) left half-done by an interrupted command",
                                              fix: "berth gc"))
            }
            for kind in FirewallKind.allCases {
                let mine = networks.filter { (FirewallKind(rawValue: $0.firewall) ?? .nftables) == kind && !$0.isAddressless }
                guard !mine.isEmpty else { continue }
                findings += firewall(kind).diagnose(mine.map(FirewallNetwork.init)).map {
                    DoctorFinding(problem: $0.problem, fix: $0.fix)
                }
            }
            findings += try diagnoseNameService()
            findings += overlayAgentFindings(networks)
            findings += overlayInputFindings(networks)
            return findings
        }
    }
}
