/// The one rule Berth places in Docker's firewall, per family: in the `DOCKER-USER` chain (where Docker
/// expects users' rules, and which it never flushes), accept what Berth's own table has vetted
/// and marked (``Ruleset/vettedMark``). Docker sets the `FORWARD` policy to drop, which would
/// otherwise drop every Berth container's egress, replies, published ports and — with
/// br_netfilter — traffic between two containers of one bridge.
///
/// The rule is written through libnftables with exactly the expressions iptables-nft itself
/// writes for `-m mark --mark M/M -m comment --comment berth-vetted -j ACCEPT` (mark, counter,
/// accept, a comment in the rule's user data), so `iptables -S`, `iptables-save`, Docker and
/// ufw keep reading the table: never a native-only expression in iptables' tables.
public enum DockerAccept {
    /// Where the rule goes: iptables-nft's `filter` table, like Docker's rules; IPv4's, and
    /// ip6tables-nft's twin where Docker runs ip6tables (its IPv6 `FORWARD` policy drops too).
    public static let family = "ip"
    public static let familyNumber: UInt8 = 2       // NFPROTO_IPV4
    public static let family6 = "ip6"
    public static let familyNumber6: UInt8 = 10     // NFPROTO_IPV6
    public static let table = "filter"
    public static let chain = "DOCKER-USER"
    /// Identifies Berth's rule among the user's (`iptables -S` shows it as the comment).
    public static let comment = "berth-vetted"

    /// The rule as `iptables -S` prints it (for messages and documentation).
    public static var iptablesRule: String {
        "-A \(chain) -m mark --mark \(Ruleset.vettedMarkHex)/\(Ruleset.vettedMarkHex) -m comment --comment \(comment) -j ACCEPT"
    }

    /// The nft script that leaves exactly one Berth rule in one family's `DOCKER-USER` (`ip`, or
    /// `ip6`) when `wanted` and none otherwise, given the handles of the Berth rules there now
    /// (nil: no such chain, so no Docker, nothing to do). nil when nothing needs to change.
    public static func script(existing handles: [UInt64]?, wanted: Bool, family: String = family) -> String? {
        guard let handles else { return nil }
        var out = ""
        // At the top: Docker appends its own `-j RETURN` to the chain.
        if wanted && handles.isEmpty {
            out += "insert rule \(family) \(table) \(chain) meta mark & \(Ruleset.vettedMarkHex) == \(Ruleset.vettedMarkHex) counter accept comment \"\(comment)\"\n"
        }
        // Surplus copies (a second state directory in the same namespace, a copy added by hand)
        // and, once Berth has no network left, every copy.
        for handle in wanted ? Array(handles.dropFirst()) : handles {
            out += "delete rule \(family) \(table) \(chain) handle \(handle)\n"
        }
        return out.isEmpty ? nil : out
    }
}
