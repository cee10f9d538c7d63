/// Another firewall's input base chain that keeps an overlay network's VXLAN packets out: its
/// policy drops and nothing in its table accepts the UDP port, or a rule drops (or rejects) that
/// port outright. Berth's own table cannot help (a drop at the input hook in any table is final),
/// so `berth doctor` names the fix in that firewall's own terms.
struct BlockingInput: Equatable {
    /// `FAMILY NAME`, as nft names the table.
    let table: String
    let chain: String
    let owner: DroppingChain.Owner
    /// The VXLAN port it blocks.
    let port: UInt16
    /// True for a rule dropping the port, false for a drop policy without an accept for it.
    let explicitRule: Bool

    /// What `berth doctor` prints as the problem.
    var description: String {
        let how = explicitRule ? "drops UDP port \(port)" : "has an input hook with policy drop and accepts no UDP port \(port)"
        return "table \(table) chain \(chain) \(how): VXLAN packets from the overlay's other hosts never arrive"
    }

    /// The exact command that lets the VXLAN port in.
    var fix: String {
        switch owner {
        case .ufw:
            return "ufw allow \(port)/udp"
        case .firewalld:
            return "firewall-cmd --permanent --add-port=\(port)/udp && firewall-cmd --reload"
        case .docker, .iptables:
            let command = table.hasPrefix("ip6 ") ? "ip6tables" : "iptables"
            return "\(command) -I \(chain) -p udp --dport \(port) -j ACCEPT"
        case .nftables:
            return "nft insert rule \(table) \(chain) udp dport \(port) accept"
        }
    }
}

extension ForeignFirewalls {
    /// The input chains of other IPv4-capable tables (`ip`, `inet`) that keep UDP `port` out,
    /// read from `nft list ruleset` text. A table is judged as a whole for accepts (ufw and
    /// firewalld accept in chains the input hook jumps to); a rule naming the port is recognised
    /// in nft's own syntax (`udp dport 4789`, `th dport 4789`, or the port in a `dport { … }` set),
    /// which is also how iptables-nft's rules list.
    static func blockingInput(in ruleset: String, port: UInt16) -> [BlockingInput] {
        var found: [BlockingInput] = []
        for (table, lines) in tables(in: ruleset) where table != "\(Ruleset.family) \(Ruleset.table)" {
            guard table.hasPrefix("ip ") || table.hasPrefix("inet ") else { continue }
            let accepted = lines.contains { names(port, $0) && $0.contains("accept") }
            var chain = ""
            var hooked = false
            // An accept of the port earlier in the chain wins over a later drop (rule order).
            var acceptedAbove = false
            for line in lines {
                if line.hasPrefix("chain ") {
                    chain = String(line.dropFirst("chain ".count).dropLast(line.hasSuffix("{") ? 2 : 0))
                    hooked = false
                    acceptedAbove = false
                } else if hooked, names(port, line), line.contains("accept") {
                    acceptedAbove = true
                } else if line.contains("hook input") {
                    hooked = true
                    if line.contains("policy drop"), !accepted {
                        found.append(BlockingInput(table: table, chain: chain, owner: owner(table, lines), port: port, explicitRule: false))
                    }
                } else if hooked, !acceptedAbove, names(port, line), line.hasSuffix("drop") || line.contains("reject") {
                    found.append(BlockingInput(table: table, chain: chain, owner: owner(table, lines), port: port, explicitRule: true))
                }
            }
        }
        return found
    }

    /// Whether a rule line matches UDP destination port `port` (alone or in an anonymous set).
    private static func names(_ port: UInt16, _ line: Substring) -> Bool {
        guard line.contains("udp dport") || line.contains("th dport") else { return false }
        let after = line.split(separator: "dport", maxSplits: 1).last ?? ""
        let tokens = after.split(whereSeparator: { " {},".contains($0) })
        guard let first = tokens.first else { return false }
        if first == "\(port)" { return true }
        // `dport { 53, 4789 }`: the set's elements up to its closing brace.
        guard after.drop(while: { $0 == " " }).hasPrefix("{"), let close = after.firstIndex(of: "}") else { return false }
        return after[..<close].split(whereSeparator: { " {},".contains($0) }).contains { $0 == "\(port)" }
    }
}
