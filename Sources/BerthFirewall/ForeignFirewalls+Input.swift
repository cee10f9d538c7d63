import BerthAddress

/// Another firewall's input base chain that keeps an overlay network's VXLAN packets out. Two
/// shapes are certain enough to report:
/// - the chain drops what it does not accept (policy drop, or an unconditional drop or reject as
///   its last word, as firewalld's `filter_INPUT` and RHEL's iptables `-j REJECT` end) and no
///   input-side rule of its table accepts the UDP port;
/// - a rule in the chain drops (or rejects) the port with no other condition, and no accept of
///   the port comes before it.
/// A drop limited by source or interface is not reported (it may be the user's way of letting
/// only the peers in). Berth's own table cannot help: a drop at the input hook in any table is
/// final, so `berth doctor` names the fix in that firewall's own terms.
struct BlockingInput: Equatable {
    /// `FAMILY NAME`, as nft names the table.
    let table: String
    let chain: String
    let owner: DroppingChain.Owner
    /// The VXLAN port it blocks.
    let port: UInt16
    /// True for a rule dropping the port, false for a chain that drops what it does not accept.
    let explicitRule: Bool

    /// What `berth doctor` prints as the problem.
    var description: String {
        explicitRule
            ? "table \(table) chain \(chain) drops UDP port \(port): VXLAN packets from the overlay's other hosts never arrive"
            : "table \(table) chain \(chain) drops incoming packets it does not accept and accepts no UDP port \(port): VXLAN packets from the overlay's other hosts are dropped"
    }

    /// The exact command that lets the VXLAN port in — from `source` only (the underlay's
    /// subnet) when it is known, so the fix opens no more than the overlay needs.
    func fix(from source: IPv4Subnet?) -> String {
        switch owner {
        case .ufw:
            return source.map { "ufw allow from \($0) to any port \(port) proto udp" } ?? "ufw allow \(port)/udp"
        case .firewalld:
            guard let source else { return "firewall-cmd --permanent --add-port=\(port)/udp && firewall-cmd --reload" }
            return "firewall-cmd --permanent --add-rich-rule='rule family=\"ipv4\" source address=\"\(source)\" port port=\"\(port)\" protocol=\"udp\" accept' && firewall-cmd --reload"
        case .docker, .iptables:
            let command = table.hasPrefix("ip6 ") ? "ip6tables" : "iptables"
            return "\(command) -I \(chain)\(source.map { " -s \($0)" } ?? "") -p udp --dport \(port) -j ACCEPT"
        case .nftables:
            return "nft insert rule \(table) \(chain)\(source.map { " ip saddr \($0)" } ?? "") udp dport \(port) accept"
        }
    }
}

extension ForeignFirewalls {
    /// The input chains of other IPv4-capable tables (`ip`, `inet`) that keep UDP `port` out,
    /// read from `nft list ruleset` text (see ``BlockingInput``). A rule names the port in nft's
    /// own syntax (`udp dport 4789`, `th dport 4789`, a `dport { … }` set or a `dport A-B` range),
    /// which is also how iptables-nft's rules list.
    static func blockingInput(in ruleset: String, port: UInt16) -> [BlockingInput] {
        var found: [BlockingInput] = []
        for (table, lines) in tables(in: ruleset) where table != "\(Ruleset.family) \(Ruleset.table)" {
            guard table.hasPrefix("ip ") || table.hasPrefix("inet ") else { continue }
            let chains = Self.chains(of: lines)
            // Accepts count on the input side only: an output rule for the port (ufw's `allow
            // out`) lets nothing in.
            let accepted = chains.contains { chain in
                !chain.isOutputSide && chain.rules.contains { names(port, $0) && verdict(of: $0) == "accept" }
            }
            for chain in chains where chain.hook == "input" {
                var acceptedAbove = false
                var reported = false
                for rule in chain.rules {
                    let v = verdict(of: rule)
                    if names(port, rule) && v == "accept" { acceptedAbove = true }
                    if !acceptedAbove, !reported, v == "drop" || v == "reject", names(port, rule), onlyMatchesPort(rule) {
                        found.append(BlockingInput(table: table, chain: chain.name, owner: owner(table, lines), port: port, explicitRule: true))
                        reported = true
                    }
                }
                let dropsTheRest = chain.policyDrop || chain.rules.last.map { isUnconditionalDrop($0) } == true
                if !reported, dropsTheRest, !accepted {
                    found.append(BlockingInput(table: table, chain: chain.name, owner: owner(table, lines), port: port, explicitRule: false))
                }
            }
        }
        return found
    }

    /// One chain of a table: its name, its hook (nil for a regular chain), whether its policy
    /// drops, and its rules (comments cut off).
    struct ChainText {
        var name: String
        var hook: String?
        var policyDrop = false
        var rules: [Substring] = []

        /// A chain on the way out or through (its rules let nothing in).
        var isOutputSide: Bool {
            if let hook { return hook != "input" && hook != "prerouting" }
            let lower = name.lowercased()
            return lower.contains("output") || lower.contains("forward") || lower.contains("postrouting")
        }
    }

    /// The table's lines grouped by chain.
    static func chains(of lines: [Substring]) -> [ChainText] {
        var chains: [ChainText] = []
        for line in lines {
            if line.hasPrefix("chain ") {
                chains.append(ChainText(name: String(line.dropFirst("chain ".count).dropLast(line.hasSuffix("{") ? 2 : 0))))
            } else if !chains.isEmpty, line.hasPrefix("type "), let hookRange = line.firstRange(of: "hook ") {
                chains[chains.count - 1].hook = String(line[hookRange.upperBound...].prefix { $0 != " " && $0 != ";" })
                chains[chains.count - 1].policyDrop = line.contains("policy drop")
            } else if !chains.isEmpty, !line.isEmpty, line != "}" {
                let rule = line.firstRange(of: " comment \"").map { line[..<$0.lowerBound] } ?? line
                chains[chains.count - 1].rules.append(rule)
            }
        }
        return chains
    }

    /// The rule's verdict word (`accept`, `drop`, `reject`), if it has one.
    private static func verdict(of rule: Substring) -> String? {
        let words = rule.split(separator: " ")
        for word in words.reversed() {
            if word == "accept" || word == "drop" || word == "reject" { return String(word) }
        }
        return nil
    }

    /// Words a rule may hold besides "UDP to this port" and its verdict and still drop every
    /// such packet: counters, the protocol match, reject's kind.
    private static let neutralWords: Set<Substring> = [
        "meta", "l4proto", "ip", "protocol", "udp", "th", "dport", "counter", "packets", "bytes",
        "drop", "reject", "with", "icmp", "icmpx", "type", "port-unreachable", "admin-prohibited",
        "host-unreachable", "net-unreachable", "host-prohibited", "net-prohibited", "prot-unreachable",
        "log", "prefix",
    ]

    /// True when the rule's only condition is the port (so it drops every VXLAN packet).
    private static func onlyMatchesPort(_ rule: Substring) -> Bool {
        rule.split(whereSeparator: { " {},".contains($0) }).allSatisfy { word in
            neutralWords.contains(word) || word.allSatisfy(\.isNumber) || word.first == "\""
        }
    }

    /// True for a rule that drops or rejects whatever reaches it (only counters beside it).
    private static func isUnconditionalDrop(_ rule: Substring) -> Bool {
        let words = rule.split(separator: " ").filter { !["counter", "packets", "bytes"].contains($0) && !$0.allSatisfy(\.isNumber) }
        guard let first = words.first else { return false }
        return (first == "drop" && words.count == 1) || first == "reject"
    }

    /// Whether a rule line matches UDP destination port `port`: alone, in an anonymous set, or
    /// in a range.
    private static func names(_ port: UInt16, _ rule: Substring) -> Bool {
        guard rule.contains("udp dport") || rule.contains("th dport") else { return false }
        guard let after = rule.split(separator: "dport", maxSplits: 1, omittingEmptySubsequences: false).last else { return false }
        let trimmed = after.drop { $0 == " " }
        let elements: [Substring]
        if trimmed.hasPrefix("{"), let close = trimmed.firstIndex(of: "}") {
            elements = trimmed[trimmed.index(after: trimmed.startIndex)..<close].split(separator: ",").map { $0.filter { $0 != " " }[...] }
        } else {
            elements = [trimmed.prefix { $0 != " " }]
        }
        return elements.contains { element in
            let bounds = element.split(separator: "-")
            if bounds.count == 2, let low = UInt16(bounds[0]), let high = UInt16(bounds[1]) { return (low...high).contains(port) }
            return UInt16(element) == port
        }
    }
}
