extension NftablesFirewall {
    /// What `berth doctor` reports about the firewall, from what was read of it: a pure function,
    /// so tests can feed captured `nft` output without a kernel.
    /// - Parameters:
    ///   - networks: Berth's networks; none means nothing to report.
    ///   - table: `nft list table inet berth` output; nil when that failed (the table is missing).
    ///   - ruleset: `nft list ruleset` output, for other firewalls' forward chains that drop.
    ///   - health: the nfnetlink probe's answer (``FirewallHealth/assumedIntact`` if it failed).
    public static func findings(for networks: [FirewallNetwork], table: String?, ruleset: String,
                                health: FirewallHealth) -> [FirewallFinding] {
        guard !networks.isEmpty else { return [] }
        guard let table else {
            // Everything else follows from this one: report it alone.
            return [FirewallFinding(problem: "Berth's nftables table \(Ruleset.family) \(Ruleset.table) is missing (no NAT, no forwarding rules)",
                                    fix: FirewallFinding.restoreFix)]
        }
        var findings: [FirewallFinding] = []
        for n in networks where !table.contains("fwd-in-\(n.id)") || !table.contains("\"\(n.bridge)\"") {
            findings.append(FirewallFinding(problem: "Berth's nftables table lacks the rules of network '\(n.name)' (altered by hand?)",
                                            fix: "berth firewall reload"))
        }
        if health.dockerAcceptMissing {
            findings.append(FirewallFinding(
                problem: "Docker's \(DockerAccept.chain) chain lacks Berth's accept rule: Docker's FORWARD policy drop eats container traffic",
                fix: FirewallFinding.restoreFix))
        }
        let bridges = networks.map(\.bridge)
        for chain in ForeignFirewalls.droppingForward(in: ruleset) where !chain.lets(bridges) {
            // Beside Docker, Berth's own accept rule lets its traffic through (reported above when missing).
            if chain.owner == .docker && health.dockerAccept != nil { continue }
            findings.append(FirewallFinding(
                problem: "\(chain.description) has a forward hook with policy drop: it drops container traffic Berth accepts",
                fix: chain.fix(for: bridges)))
        }
        return findings
    }
}

extension FirewallFinding {
    /// The fix for what every connect restores by itself.
    static let restoreFix = "berth firewall reload (the next berth connect restores it too)"
}
