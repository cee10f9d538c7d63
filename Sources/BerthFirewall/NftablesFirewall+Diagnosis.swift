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
        // A network's IPv6 rules are there when its anti-spoofing rule is (a table rendered before
        // the network had IPv6 lacks it). The maps and sets are not compared: ports come and go
        // with their own commands, and a reload renders them all again.
        func lacksRules(_ n: FirewallNetwork) -> Bool {
            !table.contains("fwd-in-\(n.id)") || !table.contains("\"\(n.bridge)\"")
                || n.subnet6.map { !table.contains("ip6 saddr \($0) ") } ?? false
        }
        for n in networks where lacksRules(n) {
            findings.append(FirewallFinding(problem: "Berth's nftables table lacks the rules of network '\(n.name)' (altered by hand?)",
                                            fix: "berth firewall reload"))
        }
        if health.dockerAccept?.isEmpty == true {
            findings.append(FirewallFinding(
                problem: "Docker's \(DockerAccept.chain) chain lacks Berth's accept rule: Docker's FORWARD policy drop eats container traffic",
                fix: FirewallFinding.restoreFix))
        }
        if health.dockerAccept6?.isEmpty == true {
            findings.append(FirewallFinding(
                problem: "Docker's IPv6 \(DockerAccept.chain) chain (ip6tables) lacks Berth's accept rule: Docker's IPv6 FORWARD policy drop eats container traffic",
                fix: FirewallFinding.restoreFix))
        }
        let bridges = networks.map(\.bridge)
        let families = Set(networks.flatMap(\.families))
        for chain in ForeignFirewalls.droppingForward(in: ruleset, families: families) where !chain.lets(bridges) {
            // Beside Docker, Berth's own accept rule lets its traffic through (reported above when missing).
            if chain.owner == .docker && health.dockerAccept(family: chain.family) != nil { continue }
            findings.append(FirewallFinding(
                problem: "\(chain.description) has a forward hook with policy drop: it drops container traffic Berth accepts",
                fix: chain.fix(for: bridges)))
        }
        return findings
    }
}

extension NftablesFirewall {
    /// Other firewalls' input chains that keep overlay networks' VXLAN packets out, read from
    /// `nft list ruleset` (iptables-nft, ufw and firewalld all list there); nothing when the
    /// ruleset cannot be read.
    public func blockedVXLANFindings(_ inputs: [VXLANInput]) -> [FirewallFinding] {
        guard !inputs.isEmpty, let ruleset = try? nft().run("list ruleset") else { return [] }
        return Self.blockedVXLANFindings(inputs, ruleset: ruleset)
    }

    /// The same from captured text: a pure function for tests.
    public static func blockedVXLANFindings(_ inputs: [VXLANInput], ruleset: String) -> [FirewallFinding] {
        var findings: [FirewallFinding] = []
        for port in Set(inputs.map(\.port)).sorted() {
            let mine = inputs.filter { $0.port == port }
            let names = mine.map { "'\($0.network)'" }.joined(separator: ", ")
            for chain in ForeignFirewalls.blockingInput(in: ruleset, port: port) {
                findings.append(FirewallFinding(problem: "\(chain.description) (overlay network \(names))",
                                                fix: chain.fix(from: mine.first?.underlay)))
            }
        }
        return findings
    }
}

extension FirewallFinding {
    /// The fix for what every connect restores by itself.
    static let restoreFix = "berth firewall reload (the next berth connect restores it too)"
}
