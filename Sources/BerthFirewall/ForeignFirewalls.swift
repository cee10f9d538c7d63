import BerthAddress

/// Another firewall's forward base chain whose policy is drop, as read from `nft list ruleset`:
/// it drops Berth's traffic although Berth's own table accepts it (a drop at the forward hook in
/// any table is final). Berth handles Docker's by itself (``DockerAccept``); for the others
/// `berth doctor` names the fix in that firewall's own terms.
struct DroppingChain: Equatable {
    /// Whose chain it is, judged by the chains around it.
    enum Owner: Equatable {
        case docker, ufw, firewalld, iptables, nftables
    }

    /// `FAMILY NAME`, as nft names the table.
    let table: String
    let chain: String
    let owner: Owner
    /// Lines of the table, for telling whether the fix is already in place.
    let tableLines: [Substring]

    /// What `berth doctor` prints as the problem.
    var description: String { "table \(table) chain \(chain)" }

    /// The table's family (`ip`, `ip6`, `inet`, …).
    var family: String { String(table.prefix { $0 != " " }) }

    /// True when the chain already lets Berth's traffic through: a rule accepting Berth's mark
    /// (iptables, nft), or every bridge allowed in the firewall's own terms (ufw, firewalld).
    func lets(_ bridges: [String]) -> Bool {
        let mark = "meta mark & 0x\(hex8(Ruleset.vettedMark)) == 0x\(hex8(Ruleset.vettedMark))"
        if tableLines.contains(where: { $0.contains(mark) && $0.contains("accept") }) { return true }
        switch owner {
        case .ufw:
            return bridges.allSatisfy { b in tableLines.contains { $0.contains("\"\(b)\"") && $0.contains("accept") } }
        case .firewalld:
            return bridges.allSatisfy { b in tableLines.contains { $0.contains("\"\(b)\"") } }
        case .docker, .iptables, .nftables:
            return false
        }
    }

    /// The exact command that lets Berth's traffic through this chain and nothing else.
    func fix(for bridges: [String]) -> String {
        let mark = Ruleset.vettedMarkHex
        switch owner {
        case .docker:
            return FirewallFinding.restoreFix
        case .ufw:
            return bridges.map { "ufw route allow in on \($0) && ufw route allow out on \($0)" }.joined(separator: " && ")
        case .firewalld:
            let add = bridges.map { "--add-interface=\($0)" }.joined(separator: " ")
            return "firewall-cmd --permanent --zone=trusted \(add) && firewall-cmd --reload"
        case .iptables:
            let command = family == DockerAccept.family6 ? "ip6tables" : "iptables"
            return "\(command) -I \(chain) -m mark --mark \(mark)/\(mark) -j ACCEPT (Berth marks the traffic it accepts)"
        case .nftables:
            return "nft insert rule \(table) \(chain) meta mark and \(mark) == \(mark) accept (Berth marks the traffic it accepts)"
        }
    }

    private func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

/// Reads `nft list ruleset` text for forward base chains of other tables that drop by default.
enum ForeignFirewalls {
    /// `families`: those Berth's networks have; a table of one family only (`ip`, `ip6`) is left
    /// out when no network has that family, as it never sees Berth's traffic.
    static func droppingForward(in ruleset: String, families: Set<IPFamily>) -> [DroppingChain] {
        var found: [DroppingChain] = []
        for (table, lines) in tables(in: ruleset) where table != "\(Ruleset.family) \(Ruleset.table)" {
            if table.hasPrefix("ip6 ") && !families.contains(.ipv6) { continue }
            if table.hasPrefix("ip ") && !families.contains(.ipv4) { continue }
            var chain = ""
            for line in lines {
                if line.hasPrefix("chain ") {
                    chain = String(line.dropFirst("chain ".count).dropLast(line.hasSuffix("{") ? 2 : 0))
                } else if line.contains("hook forward"), line.contains("policy drop") {
                    found.append(DroppingChain(table: table, chain: chain, owner: owner(table, lines), tableLines: lines))
                }
            }
        }
        return found
    }

    static func owner(_ table: String, _ lines: [Substring]) -> DroppingChain.Owner {
        if table == "inet firewalld" { return .firewalld }
        guard table == "ip filter" || table == "ip6 filter" else { return .nftables }
        if lines.contains(where: { $0 == "chain \(DockerAccept.chain) {" }) { return .docker }
        // ufw's IPv6 chains are ufw6-….
        if lines.contains(where: { $0.hasPrefix("chain ufw-") || $0.hasPrefix("chain ufw6-") }) { return .ufw }
        return .iptables
    }

    /// The ruleset split into tables: `FAMILY NAME` and the table's lines, left-trimmed.
    static func tables(in ruleset: String) -> [(String, [Substring])] {
        var result: [(String, [Substring])] = []
        for raw in ruleset.split(separator: "\n") {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("table ") {
                let name = line.dropFirst("table ".count).dropLast(line.hasSuffix("{") ? 2 : 0)
                result.append((String(name), []))
            } else if !result.isEmpty {
                result[result.count - 1].1.append(line)
            }
        }
        return result
    }
}
