import BerthAddress

/// Renders Berth's nftables tables from the list of networks and published ports.
///
/// Layout: one table, `inet berth`, owned entirely by Berth (plus `bridge berth` while some
/// network has inter-container communication off or IPv6). Base chains dispatch with verdict maps keyed
/// by subnet (of either family) or bridge name to small per-network chains, and published ports
/// are elements of DNAT maps (two per address family), so a packet's cost does not grow with the
/// number of networks, containers or ports, and no per-container or per-port rule ever exists:
/// publishing is one element change. IPv4 and IPv6 share the table and the per-network chains.
///
/// The script replaces the whole table in one atomic transaction (`add` + `delete` + define):
/// there is never a moment without rules, and a reload restores exactly what the store says.
public enum Ruleset {
    /// The table Berth owns. Nothing outside it is ever touched.
    public static let family = "inet"
    public static let table = "berth"
    /// The bridge-family table (same name) holding the inter-container filter and, while some
    /// network has IPv6, the router-advertisement guard.
    public static let bridgeFamily = "bridge"
    /// `NFPROTO_BRIDGE`, the bridge family's number in nfnetlink requests.
    public static let bridgeFamilyNumber: UInt8 = 7
    /// DNAT map for ports published on one host address: `daddr . proto . dport : addr . port`.
    public static let addressMap = "ports"
    /// DNAT map for ports published on every local address: `proto . dport : addr . port`.
    public static let anyAddressMap = "ports-any"
    /// The IPv6 twin of ``addressMap``.
    public static let addressMap6 = "ports6"
    /// The IPv6 twin of ``anyAddressMap``.
    public static let anyAddressMap6 = "ports6-any"
    /// ICMPv6 messages only a router sends: a container sending them would act as one.
    static let routerMessages = "icmpv6 type { nd-redirect, nd-router-advert }"
    /// How the host end of every container's veth is named (`bv` and 12 hex digits): the bridge
    /// table tells container ports from a bridge's other ports by it.
    public static let containerPortPrefix = "bv"

    /// The nft script that makes Berth's tables match `networks` and `ports`; removes them when
    /// there are no networks. A family's maps, sets and rules are rendered only while some network
    /// (or port) has that family, so IPv4-only networks render as they did before IPv6.
    public static func script(for networks: [FirewallNetwork], ports: [PortElement] = []) -> String {
        let replace = """
            add table \(family) \(table)
            delete table \(family) \(table)
            add table \(bridgeFamily) \(table)
            delete table \(bridgeFamily) \(table)

            """
        guard !networks.isEmpty else { return replace }
        return replace + tables(networks, ports)
    }

    /// The script that makes Berth's tables where none are: `create table` (which fails, changing
    /// nothing, if one has appeared meanwhile) and the same definitions as ``script(for:ports:)``.
    /// Nothing is deleted, so the kernel has nothing to free after the commit, and the command's
    /// exit waits for no grace period (``CommitRelease``). Nil without networks (nothing to make).
    public static func creationScript(for networks: [FirewallNetwork], ports: [PortElement] = []) -> String? {
        guard !networks.isEmpty else { return nil }
        let defined = tables(networks, ports)
        var out = "create table \(family) \(table)\n"
        if defined.contains("table \(bridgeFamily) \(table) {") { out += "create table \(bridgeFamily) \(table)\n" }
        return out + defined
    }

    /// The definitions of Berth's tables for `networks` (at least one) and `ports`.
    private static func tables(_ networks: [FirewallNetwork], _ ports: [PortElement]) -> String {
        var out = ""
        let families = Set(networks.flatMap(\.families) + ports.map(\.family))
        out += "table \(family) \(table) {\n"
        out += maps(ports, families)
        out += sets(networks)
        out += dnat(families)
        out += guardChains(networks)
        out += postrouting(networks)
        out += forward(networks)
        out += input(networks)
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
        for map in [addressMap, anyAddressMap, addressMap6, anyAddressMap6] {
            let items = ports.filter { $0.map == map }.map(text)
            if !items.isEmpty {
                out += "\(verb) element \(family) \(table) \(map) { \(items.joined(separator: ", ")) }\n"
            }
        }
        return out
    }

    private static func maps(_ ports: [PortElement], _ families: Set<IPFamily>) -> String {
        func map(_ name: String, _ key: String, _ address: String) -> String {
            let items = ports.filter { $0.map == name }.map(\.mapping)
            let elements = items.isEmpty ? "" : "    elements = { \(items.joined(separator: ", ")) }\n"
            return "  map \(name) {\n    type \(key) : \(address) . inet_service\n\(elements)  }\n\n"
        }
        var out = ""
        if families.contains(.ipv4) {
            out += map(addressMap, "ipv4_addr . inet_proto . inet_service", "ipv4_addr")
                + map(anyAddressMap, "inet_proto . inet_service", "ipv4_addr")
        }
        if families.contains(.ipv6) {
            out += map(addressMap6, "ipv6_addr . inet_proto . inet_service", "ipv6_addr")
                + map(anyAddressMap6, "inet_proto . inet_service", "ipv6_addr")
        }
        return out
    }

    /// `bridges`: where published ports lead; `hairpin-sources` (and `hairpin-sources6`):
    /// sources that must be masqueraded when DNAT sends them into a bridge (IPv4 loopback, and
    /// containers reaching a published port through a host address, whose replies would
    /// otherwise bypass the host; for an overlay, its whole subnet: a container on another host
    /// reaching a published port through this host's overlay address would get its replies
    /// straight from the container, as the overlay's fast path does not look at conntrack).
    /// IPv6 needs no loopback entry: `::1` is never DNAT-ed (see
    /// ``dnat(_:)``).
    private static func sets(_ networks: [FirewallNetwork]) -> String {
        let routed = networks.filter { !$0.isInternal }
        var out = "  set bridges {\n    type ifname\n"
        if !routed.isEmpty {
            out += "    elements = { \(routed.map { "\"\($0.bridge)\"" }.joined(separator: ", ")) }\n"
        }
        out += "  }\n\n"
        if networks.contains(where: { $0.subnet != nil }) {
            let sources = ["127.0.0.0/8"] + routed.compactMap { n in (n.overlay?.subnet ?? n.subnet).map { "\($0)" } }
            out += "  set hairpin-sources {\n    type ipv4_addr\n    flags interval\n    auto-merge\n"
            out += "    elements = { \(sources.joined(separator: ", ")) }\n  }\n\n"
        }
        if networks.contains(where: { $0.subnet6 != nil }) {
            let sources = routed.compactMap { $0.subnet6.map { "\($0)" } }
            out += "  set hairpin-sources6 {\n    type ipv6_addr\n    flags interval\n    auto-merge\n"
            if !sources.isEmpty { out += "    elements = { \(sources.joined(separator: ", ")) }\n" }
            out += "  }\n\n"
        }
        return out
    }

    /// DNAT of published ports for traffic to a local address: arriving from outside or from a
    /// container (prerouting) and sent by the host itself, also to 127.0.0.1 (output).
    ///
    /// Not to `::1`: IPv6 has no `route_localnet`. A connection to `[::1]` DNAT-ed to a container
    /// cannot work — sent as is, its source `::1` is dropped by the container (RFC 4291 2.5.3);
    /// masqueraded, the reply's destination turns back into `::1` at prerouting, and the input
    /// route lookup of `::1` on a bridge answers "unreachable" — so it would hang until the
    /// client times out. Left alone, it is refused at once (or reaches a host process listening
    /// on `[::1]`), and clients fall back to 127.0.0.1.
    private static func dnat(_ families: Set<IPFamily>) -> String {
        var rules = ""
        var loopback = ""
        if families.contains(.ipv4) {
            rules += """
                    dnat ip to ip daddr . meta l4proto . th dport map @\(addressMap)
                    meta nfproto ipv4 dnat ip to meta l4proto . th dport map @\(anyAddressMap)

                """
        }
        if families.contains(.ipv6) {
            rules += """
                    dnat ip6 to ip6 daddr . meta l4proto . th dport map @\(addressMap6)
                    meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @\(anyAddressMap6)

                """
            loopback = "    ip6 daddr ::1 return\n"
        }
        return """
              chain published {
            \(rules)  }

              chain nat-prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                fib daddr type local jump published
              }

              chain nat-output {
                type nat hook output priority -100; policy accept;
            \(loopback)    fib daddr type local jump published
              }


            """
    }

    /// Before DNAT (so published traffic, addressed to the host, is never affected): a packet
    /// for a network's subnet (either family) must come from its bridge (or from a bridge of
    /// another non-isolated network), be a reply, or be for a host address (the gateway).
    /// Everything else — outside hosts routing to container addresses, containers of other
    /// networks — is dropped.
    private static func guardChains(_ networks: [FirewallNetwork]) -> String {
        let open = networks.filter { !$0.isolated }.map { "\"\($0.bridge)\"" }
        let bridges = (networks.map { "\"\($0.bridge)\"" } + networks.compactMap { $0.overlay.map { "\"\($0.device)\"" } })
            .joined(separator: ", ")
        // route_localnet (needed to publish ports on 127.0.0.1) would otherwise let a container
        // reach services bound to the host's loopback by sending to 127.x via the gateway's MAC
        // (the CVE-2020-8558 class): nothing from a bridge may be addressed to 127.0.0.0/8.
        // Every bridge, IPv6-only ones too: a container can send IPv4 whatever its addresses.
        // IPv6 needs no twin: the kernel drops `::1` arriving on any interface but `lo`.
        var dispatch = ""
        let v4 = networks.compactMap { n in n.subnet.map { "\($0) : jump guard-\(n.id)" } }
        if !v4.isEmpty { dispatch += "    ip daddr vmap { \(v4.joined(separator: ", ")) }\n" }
        let v6 = networks.compactMap { n in n.subnet6.map { "\($0) : jump guard-\(n.id)" } }
        if !v6.isEmpty { dispatch += "    ip6 daddr vmap { \(v6.joined(separator: ", ")) }\n" }
        var out = """
              chain guard {
                type filter hook prerouting priority mangle; policy accept;
                iifname { \(bridges) } ip daddr 127.0.0.0/8 drop
            \(dispatch)  }


            """
        for n in networks {
            let sources = n.isolated ? "\"\(n.bridge)\"" : "{ \(open.joined(separator: ", ")) }"
            // An overlay's other hosts: their containers' own addresses, through its VXLAN device.
            let remote = n.overlay.map { "    iifname \"\($0.device)\" ip saddr \($0.subnet) return\n" } ?? ""
            out += """
                  chain guard-\(n.id) {
                    ct state established,related return
                    iifname \(sources) return
                \(remote)    fib daddr type local return
                    drop
                  }


                """
        }
        return out
    }

    private static func postrouting(_ networks: [FirewallNetwork]) -> String {
        let routed = networks.filter { !$0.isInternal }
        var out = "  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n"
        if routed.contains(where: { $0.subnet != nil }) {
            out += "    ct status dnat oifname @bridges ip saddr @hairpin-sources masquerade\n"
        }
        if routed.contains(where: { $0.subnet6 != nil }) {
            out += "    ct status dnat oifname @bridges ip6 saddr @hairpin-sources6 masquerade\n"
        }
        let v4 = networks.filter(\.masqueradesIPv4).compactMap { n in n.subnet.map { "\($0) : jump nat-\(n.id)" } }
        if !v4.isEmpty { out += "    ip saddr vmap { \(v4.joined(separator: ", ")) }\n" }
        let v6 = networks.filter(\.masqueradesIPv6).compactMap { n in n.subnet6.map { "\($0) : jump nat-\(n.id)" } }
        if !v6.isEmpty { out += "    ip6 saddr vmap { \(v6.joined(separator: ", ")) }\n" }
        return out + "  }\n\n"
    }

    private static func chains(for n: FirewallNetwork) -> String {
        guard n.masqueradesIPv4 || n.masqueradesIPv6 else { return "" }
        // Traffic staying on the bridge and multicast keep their source address.
        var multicast = ""
        if n.masqueradesIPv4 { multicast += "    ip daddr 224.0.0.0/4 return\n" }
        if n.masqueradesIPv6 { multicast += "    ip6 daddr ff00::/8 return\n" }
        // Containers see each other's real addresses across the overlay's hosts.
        let overlay = n.overlay.map { "    ip daddr \($0.subnet) return\n" } ?? ""
        return """
              chain nat-\(n.id) {
                oifname "\(n.bridge)" return
            \(multicast)\(overlay)    masquerade
              }


            """
    }

    /// While some network has IPv6: no container may act as a router for the host. Router
    /// advertisements and redirects from a Berth bridge are dropped before the host's IPv6 stack
    /// sees them (the bridge's `accept_ra=0` covers advertisements already; this covers
    /// redirects too, and holds whatever the sysctls say). Neighbour discovery is untouched.
    ///
    /// For each network with a name service: DNS (TCP and UDP port 53) to its gateways is
    /// dropped unless it comes in on the network's own bridge, so the server that binds every
    /// gateway answers neither other networks' containers nor the outside (docs/dns.md,
    /// "Firewall"). From its own bridge it is accepted, internal networks included (the chain's
    /// policy).
    private static func input(_ networks: [FirewallNetwork]) -> String {
        let routerGuard = networks.contains(where: { $0.subnet6 != nil })
        let dns = networks.filter { !$0.dnsListeners.isEmpty }
        guard routerGuard || !dns.isEmpty else { return "" }
        var rules = ""
        if routerGuard {
            let bridges = networks.map { "\"\($0.bridge)\"" }.joined(separator: ", ")
            rules += "    \(routerMessages) iifname { \(bridges) } drop\n"
        }
        for n in dns {
            for listener in n.dnsListeners {
                rules += "    iifname != \"\(n.bridge)\" \(listener) meta l4proto { tcp, udp } th dport 53 drop\n"
            }
        }
        return """
              chain input {
                type filter hook input priority filter; policy accept;
            \(rules)  }


            """
    }

    /// The packet-mark bit that carries "published-port traffic between two containers of an
    /// ICC-off network" from the inet table to the bridge table. Set only on such packets and
    /// cleared as the bridge forwards them.
    public static let hairpinMark: UInt32 = 0x0020_0000

    /// An interval set of subnets, as the inet and bridge tables both declare it.
    private static func subnetSet(_ name: String, _ type: String, _ subnets: [String]) -> String {
        """
          set \(name) {
            type \(type)
            flags interval
            elements = { \(subnets.joined(separator: ", ")) }
          }


        """
    }

    /// The subnets of ICC-off networks, per family: `no-icc` (IPv4) and `no-icc6` (IPv6).
    private static func noICCSets(_ closed: [FirewallNetwork]) -> (v4: [String], v6: [String], text: String) {
        let v4 = closed.compactMap { $0.subnet.map { "\($0)" } }
        let v6 = closed.compactMap { $0.subnet6.map { "\($0)" } }
        var text = ""
        if !v4.isEmpty { text += subnetSet("no-icc", "ipv4_addr", v4) }
        if !v6.isEmpty { text += subnetSet("no-icc6", "ipv6_addr", v6) }
        return (v4, v6, text)
    }

    /// After DNAT (and un-SNAT of replies), marks published-port traffic between containers of
    /// ICC-off networks, both directions and both families, so the bridge table lets it through.
    private static func iccMarking(_ networks: [FirewallNetwork]) -> String {
        let closed = networks.filter { !$0.icc }
        guard !closed.isEmpty else { return "" }
        let sets = noICCSets(closed)
        var rules = ""
        if !sets.v4.isEmpty {
            rules += "    ct status dnat ip saddr @no-icc ip daddr @no-icc meta mark set meta mark | \(hairpinMark)\n"
        }
        if !sets.v6.isEmpty {
            rules += "    ct status dnat ip6 saddr @no-icc6 ip6 daddr @no-icc6 meta mark set meta mark | \(hairpinMark)\n"
        }
        return sets.text + """
              chain icc-mark {
                type filter hook prerouting priority -90; policy accept;
            \(rules)  }


            """
    }

    /// The bridge-family table, rendered while some network has ICC off or IPv6.
    ///
    /// Inter-container communication off: IP from the subnets (either family) bridged from one
    /// port of such a bridge to another is dropped. Traffic to and from the gateway (and so NAT,
    /// and neighbour discovery with the host) is not bridged between ports; published-port
    /// traffic may be (when the host bridges IP through netfilter, a DNAT'ed hairpin goes
    /// straight from port to port): ``iccMarking(_:)`` marks it, and the mark is cleared here as
    /// it is let through (conntrack cannot be read in the bridge family). IPv6 link-local
    /// sources are in no subnet set: containers of an ICC-off network must have no link-local
    /// address (telling their bridge here would take `meta ibrname`, see below).
    ///
    /// IPv6: router advertisements and redirects sent by a container are never bridged to
    /// another port, so no container can make itself the others' router (nor, through SLAAC,
    /// hand them addresses). Neighbour solicitations and advertisements pass. Containers are
    /// told by their port's name (``containerPortPrefix``): `meta ibrname` would name the bridge,
    /// but needs a kernel module (`nft_meta_bridge`) that not every kernel has.
    private static func bridgeTable(_ networks: [FirewallNetwork]) -> String {
        let closed = networks.filter { !$0.icc }
        let hasIPv6 = networks.contains { $0.subnet6 != nil }
        guard !closed.isEmpty || hasIPv6 else { return "" }
        let sets = noICCSets(closed)
        var rules = ""
        if hasIPv6 { rules += "    \(routerMessages) iifname \"\(containerPortPrefix)*\" drop\n" }
        if !closed.isEmpty {
            rules += "    meta mark & \(hairpinMark) == \(hairpinMark) meta mark set meta mark & \(~hairpinMark) accept\n"
        }
        if !sets.v4.isEmpty { rules += "    ip saddr @no-icc drop\n" }
        if !sets.v6.isEmpty { rules += "    ip6 saddr @no-icc6 drop\n" }
        return """
            table \(bridgeFamily) \(table) {
            \(sets.text)  chain forward {
                type filter hook forward priority filter; policy accept;
            \(rules)  }
            }

            """
    }
}
