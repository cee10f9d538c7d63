/// Renders Berth's nftables tables from the list of networks and published ports.
///
/// Layout: one table, `inet berth`, owned entirely by Berth (plus `bridge berth` while some
/// network has inter-container communication off). Base chains dispatch with verdict maps keyed
/// by subnet or bridge name to small per-network chains, and published ports are elements of two
/// DNAT maps, so a packet's cost does not grow with the number of networks, containers or ports,
/// and no per-container or per-port rule ever exists: publishing is one element change.
///
/// The script replaces the whole table in one atomic transaction (`add` + `delete` + define):
/// there is never a moment without rules, and a reload restores exactly what the store says.
public enum Ruleset {
    /// The table Berth owns. Nothing outside it is ever touched.
    public static let family = "inet"
    public static let table = "berth"
    /// The bridge-family table (same name) holding the inter-container filter.
    public static let bridgeFamily = "bridge"
    /// DNAT map for ports published on one host address: `daddr . proto . dport : addr . port`.
    public static let addressMap = "ports"
    /// DNAT map for ports published on every local address: `proto . dport : addr . port`.
    public static let anyAddressMap = "ports-any"

    /// The nft script that makes Berth's tables match `networks` and `ports`; removes them when
    /// there are no networks.
    public static func script(for networks: [FirewallNetwork], ports: [PortElement] = []) -> String {
        var out = """
            add table \(family) \(table)
            delete table \(family) \(table)
            add table \(bridgeFamily) \(table)
            delete table \(bridgeFamily) \(table)

            """
        guard !networks.isEmpty else { return out }
        out += "table \(family) \(table) {\n"
        out += maps(ports)
        out += sets(networks)
        out += dnat()
        out += guardChains(networks)
        out += postrouting(networks)
        out += forward(networks)
        out += iccMarking(networks)
        for network in networks { out += chains(for: network) + forwardChains(for: network) }
        out += "}\n"
        out += bridgeTable(networks)
        return out
    }

    /// Adds published ports: one `add element` per map, in one batch.
    public static func publish(_ ports: [PortElement]) -> String {
        elementCommands("add", ports, \.mapping)
    }

    /// Removes published ports by key: one `delete element` per map, in one batch.
    public static func unpublish(_ ports: [PortElement]) -> String {
        elementCommands("delete", ports, \.key)
    }

    private static func elementCommands(_ verb: String, _ ports: [PortElement],
                                        _ text: (PortElement) -> String) -> String {
        var out = ""
        for map in [addressMap, anyAddressMap] {
            let items = ports.filter { $0.map == map }.map(text)
            if !items.isEmpty {
                out += "\(verb) element \(family) \(table) \(map) { \(items.joined(separator: ", ")) }\n"
            }
        }
        return out
    }

    private static func maps(_ ports: [PortElement]) -> String {
        func map(_ name: String, _ type: String) -> String {
            let items = ports.filter { $0.map == name }.map(\.mapping)
            let elements = items.isEmpty ? "" : "    elements = { \(items.joined(separator: ", ")) }\n"
            return "  map \(name) {\n    type \(type) : ipv4_addr . inet_service\n\(elements)  }\n\n"
        }
        return map(addressMap, "ipv4_addr . inet_proto . inet_service")
            + map(anyAddressMap, "inet_proto . inet_service")
    }

    /// `bridges`: where published ports lead; `hairpin-sources`: sources that must be
    /// masqueraded when DNAT sends them into a bridge (loopback, and containers reaching a
    /// published port through a host address, whose replies would otherwise bypass the host).
    private static func sets(_ networks: [FirewallNetwork]) -> String {
        let routed = networks.filter { !$0.isInternal }
        var out = "  set bridges {\n    type ifname\n"
        if !routed.isEmpty {
            out += "    elements = { \(routed.map { "\"\($0.bridge)\"" }.joined(separator: ", ")) }\n"
        }
        out += "  }\n\n  set hairpin-sources {\n    type ipv4_addr\n    flags interval\n    auto-merge\n"
        let sources = ["127.0.0.0/8"] + routed.map { "\($0.subnet)" }
        out += "    elements = { \(sources.joined(separator: ", ")) }\n  }\n\n"
        return out
    }

    /// DNAT of published ports for traffic to a local address: arriving from outside or from a
    /// container (prerouting) and sent by the host itself, also to 127.0.0.1 (output).
    private static func dnat() -> String {
        """
          chain published {
            dnat ip to ip daddr . meta l4proto . th dport map @\(addressMap)
            meta nfproto ipv4 dnat ip to meta l4proto . th dport map @\(anyAddressMap)
          }

          chain nat-prerouting {
            type nat hook prerouting priority dstnat; policy accept;
            fib daddr type local jump published
          }

          chain nat-output {
            type nat hook output priority -100; policy accept;
            fib daddr type local jump published
          }


        """
    }

    /// Before DNAT (so published traffic, addressed to the host, is never affected): a packet
    /// for a network's subnet must come from its bridge (or from a bridge of another
    /// non-isolated network), be a reply, or be for a host address (the gateway). Everything
    /// else — outside hosts routing to container addresses, containers of other networks — is
    /// dropped.
    private static func guardChains(_ networks: [FirewallNetwork]) -> String {
        let open = networks.filter { !$0.isolated }.map { "\"\($0.bridge)\"" }
        let elements = networks.map { "\($0.subnet) : jump guard-\($0.id)" }.joined(separator: ", ")
        let bridges = networks.map { "\"\($0.bridge)\"" }.joined(separator: ", ")
        // route_localnet (needed to publish ports on 127.0.0.1) would otherwise let a container
        // reach services bound to the host's loopback by sending to 127.x via the gateway's MAC
        // (the CVE-2020-8558 class): nothing from a bridge may be addressed to 127.0.0.0/8.
        var out = """
              chain guard {
                type filter hook prerouting priority mangle; policy accept;
                iifname { \(bridges) } ip daddr 127.0.0.0/8 drop
                ip daddr vmap { \(elements) }
              }


            """
        for n in networks {
            let sources = n.isolated ? "\"\(n.bridge)\"" : "{ \(open.joined(separator: ", ")) }"
            out += """
                  chain guard-\(n.id) {
                    ct state established,related return
                    iifname \(sources) return
                    fib daddr type local return
                    drop
                  }


                """
        }
        return out
    }

    private static func postrouting(_ networks: [FirewallNetwork]) -> String {
        let masqueraded = networks.filter { $0.masquerade && !$0.isInternal }
        var out = "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
        if networks.contains(where: { !$0.isInternal }) {
            out += "    ct status dnat oifname @bridges ip saddr @hairpin-sources masquerade\n"
        }
        if !masqueraded.isEmpty {
            let elements = masqueraded.map { "\($0.subnet) : jump nat-\($0.id)" }.joined(separator: ", ")
            out += "    ip saddr vmap { \(elements) }\n"
        }
        return out + "  }\n\n"
    }

    private static func chains(for n: FirewallNetwork) -> String {
        guard n.masquerade && !n.isInternal else { return "" }
        // Traffic staying on the bridge and multicast keep their source address.
        return """
              chain nat-\(n.id) {
                oifname "\(n.bridge)" return
                ip daddr 224.0.0.0/4 return
                masquerade
              }


            """
    }

    /// Inter-container communication off: IPv4 bridged from one port of such a bridge to
    /// another is dropped. Traffic to and from the gateway (and so NAT) is not bridged between
    /// ports; published-port traffic may be (when the host bridges IPv4 through netfilter, a DNAT'ed
    /// hairpin goes straight from port to port): ``iccMarking(_:)`` marks it, and the mark is
    /// cleared here as it is let through (conntrack cannot be read in the bridge family).
    /// Only rendered while some network needs it.
    /// The packet-mark bit that carries "published-port traffic between two containers of an
    /// ICC-off network" from the inet table to the bridge table. Set only on such packets and
    /// cleared as the bridge forwards them.
    public static let hairpinMark: UInt32 = 0x0020_0000

    /// After DNAT (and un-SNAT of replies), marks published-port traffic between containers of
    /// ICC-off networks, both directions, so the bridge table lets it through.
    private static func iccMarking(_ networks: [FirewallNetwork]) -> String {
        let closed = networks.filter { !$0.icc }
        guard !closed.isEmpty else { return "" }
        return """
              set no-icc {
                type ipv4_addr
                flags interval
                elements = { \(closed.map { "\($0.subnet)" }.joined(separator: ", ")) }
              }

              chain icc-mark {
                type filter hook prerouting priority -90; policy accept;
                ct status dnat ip saddr @no-icc ip daddr @no-icc meta mark set meta mark | \(hairpinMark)
              }


            """
    }

    private static func bridgeTable(_ networks: [FirewallNetwork]) -> String {
        let closed = networks.filter { !$0.icc }
        guard !closed.isEmpty else { return "" }
        return """
            table \(bridgeFamily) \(table) {
              set no-icc {
                type ipv4_addr
                flags interval
                elements = { \(closed.map { "\($0.subnet)" }.joined(separator: ", ")) }
              }

              chain forward {
                type filter hook forward priority filter; policy accept;
                meta mark & \(hairpinMark) == \(hairpinMark) meta mark set meta mark & \(~hairpinMark) accept
                ip saddr @no-icc drop
              }
            }

            """
    }
}
