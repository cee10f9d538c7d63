/// Renders Berth's nftables table from the list of networks.
///
/// Layout: one table, `inet berth`, owned entirely by Berth. Base chains dispatch with verdict
/// maps keyed by subnet or bridge name to small per-network chains, so a packet's cost does not
/// grow with the number of networks and no per-container rule ever exists.
///
/// The script replaces the whole table in one atomic transaction (`add` + `delete` + define):
/// there is never a moment without rules, and a reload restores exactly what the store says.
public enum Ruleset {
    /// The table Berth owns. Nothing outside it is ever touched.
    public static let family = "inet"
    public static let table = "berth"

    /// The nft script that makes the table match `networks`; removes the table when empty.
    public static func script(for networks: [FirewallNetwork]) -> String {
        var out = "add table \(family) \(table)\ndelete table \(family) \(table)\n"
        guard !networks.isEmpty else { return out }
        out += "table \(family) \(table) {\n"
        out += postrouting(networks)
        out += forward(networks)
        for network in networks { out += chains(for: network) }
        out += "}\n"
        return out
    }

    private static func postrouting(_ networks: [FirewallNetwork]) -> String {
        let masqueraded = networks.filter { $0.masquerade && !$0.isInternal }
        var out = "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
        if !masqueraded.isEmpty {
            let elements = masqueraded.map { "\($0.subnet) : jump nat-\($0.id)" }.joined(separator: ", ")
            out += "    ip saddr vmap { \(elements) }\n"
        }
        return out + "  }\n"
    }

    private static func forward(_ networks: [FirewallNetwork]) -> String {
        let inbound = networks.map { "\"\($0.bridge)\" : jump fwd-in-\($0.id)" }.joined(separator: ", ")
        let outbound = networks.map { "\"\($0.bridge)\" : jump fwd-out-\($0.id)" }.joined(separator: ", ")
        return """
          chain forward {
            type filter hook forward priority filter; policy accept;
            oifname vmap { \(inbound) }
            iifname vmap { \(outbound) }
          }

        """
    }

    private static func chains(for n: FirewallNetwork) -> String {
        var out = ""
        if n.masquerade && !n.isInternal {
            // Traffic staying on the bridge and multicast keep their source address.
            out += """
              chain nat-\(n.id) {
                oifname "\(n.bridge)" return
                ip daddr 224.0.0.0/4 return
                masquerade
              }

            """
        }
        // Packets towards the containers: replies to their own connections, and traffic between
        // containers of this bridge.
        out += """
          chain fwd-in-\(n.id) {
            ct state established,related accept
            iifname "\(n.bridge)" accept
          }

        """
        if n.isInternal {
            out += """
              chain fwd-out-\(n.id) {
                oifname "\(n.bridge)" accept
                drop
              }

            """
        } else {
            out += """
              chain fwd-out-\(n.id) {
                ip saddr \(n.subnet) accept
              }

            """
        }
        return out
    }
}
