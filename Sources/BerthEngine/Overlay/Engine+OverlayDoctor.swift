import BerthFirewall
import BerthStore
import Glibc

extension Engine {
    /// The networks a driver looks after in `berth gc` and `berth doctor`: its own, and for the
    /// bridge driver the overlay networks too — their bridge and veths are bridge-driver objects
    /// (an overlay network is a bridge network plus a VXLAN device), and a bridge repair that did
    /// not know them would delete their bridges and veths as orphans.
    static func networks(servedBy driver: String, in networks: [NetworkRecord]) -> [NetworkRecord] {
        networks.filter { $0.driver == driver || (driver == "bridge" && $0.driver == OverlayDriver.driverName) }
    }

    /// The agent's pidfile in the state directory (`berth agent` writes it).
    var agentPIDFile: String { settings.stateDirectory + "/agent.pid" }

    /// Overlay networks with no agent keeping their peers up to date: the pidfile is missing or
    /// names no live process.
    func overlayAgentFindings(_ networks: [NetworkRecord]) -> [DoctorFinding] {
        let overlays = networks.filter { $0.driver == OverlayDriver.driverName }.map(\.name)
        guard !overlays.isEmpty, !Self.agentIsRunning(pidFile: agentPIDFile) else { return [] }
        return [DoctorFinding(
            problem: "no berth agent is running for overlay network(s) \(overlays.map { "'\($0)'" }.joined(separator: ", ")): peers that join or leave are not programmed, and this host's lease lapses",
            fix: "start it: berth agent (as a service, with the same --state-dir)")]
    }

    /// Other firewalls keeping the overlay networks' VXLAN packets out (read through the
    /// nftables driver whatever firewall the networks use: iptables-nft, ufw and firewalld all
    /// list there). The fix lets in only the VTEP's underlay subnet.
    func overlayInputFindings(_ networks: [NetworkRecord]) -> [DoctorFinding] {
        let overlays = networks.filter { $0.driver == OverlayDriver.driverName }
        guard !overlays.isEmpty else { return [] }
        let addresses = (try? overlayDriver().host().addresses()) ?? []
        let inputs = overlays.compactMap { n -> VXLANInput? in
            guard let o = try? OverlayOptions(n) else { return nil }
            let underlay = addresses.first { $0.address.address == o.vtep }?.address.subnet
            return VXLANInput(network: n.name, port: o.definition.port, underlay: underlay)
        }
        return firewall(.nftables).blockedVXLANFindings(inputs).map { DoctorFinding(problem: $0.problem, fix: $0.fix) }
    }

    /// Whether `pidFile` names a live process.
    static func agentIsRunning(pidFile: String) -> Bool {
        guard let text = try? SystemFile.read(pidFile),
              let pid = Int32(text.split(whereSeparator: { $0 == "\n" || $0 == " " }).first ?? ""), pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
